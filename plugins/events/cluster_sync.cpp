#include "cluster_sync.hpp"

#include <switchboard/sdk/other_nodes.hpp>

#include "context.hpp"
#include "payload.hpp"

namespace switchboard::plugins::events {

namespace {

using sdk::json;

constexpr std::string_view channel = "events:cluster";

void tell_others(events_context& ctx, json message) { sdk::tell_other_nodes(ctx.p, channel, std::move(message)); }

void apply_participation(events_context& ctx, const json& message) {
    const std::string event = read_event_id(message, "eventId");
    const std::string user = read_user_id(message, "userId");
    const auto removed = message.value("removed", json());
    if (!removed.is_boolean()) throw sdk::error("invalid_payload", "removed must be a boolean");
    std::lock_guard order(ctx.locks.of(event));
    if (removed.get<bool>()) take_out_here(ctx, event, user);
    push_attendees_here(ctx, event);
}

void apply_typing_stopped(events_context& ctx, const json& message) {
    const std::string event = read_event_id(message, "eventId");
    const std::string user = read_user_id(message, "userId");
    if (ctx.typing.stop(event, user)) announce_typing(ctx, event, user, "", false);
}

}  // namespace

void push_attendees_here(events_context& ctx, const std::string& event) {
    const auto sockets = ctx.joined.sockets_in(event);
    if (sockets.empty()) return;
    const json args = json::array({json{{"eventId", event}, {"attendees", ctx.store.counts(event).to_json()}}});
    for (const auto socket : sockets) ctx.p.emit(sdk::target::to_socket(socket), "events:attendees", args);
}

void take_out_here(events_context& ctx, const std::string& event, const std::string& user) {
    for (const auto socket : ctx.joined.sockets_of(event, user)) {
        ctx.p.leave(socket, room_of(event));
        ctx.joined.remove(event, socket);
        for (const auto& [e, u] : ctx.typing.drop_socket_in(event, socket)) announce_typing(ctx, e, u, "", false);
    }
    if (ctx.typing.stop(event, user)) announce_typing(ctx, event, user, "", false);
}

void tell_participation(events_context& ctx, const std::string& event, const std::string& user, bool removed) {
    tell_others(ctx, {{"op", "participation"}, {"eventId", event}, {"userId", user}, {"removed", removed}});
}

void tell_typing_stopped(events_context& ctx, const std::string& event, const std::string& user) {
    tell_others(ctx, {{"op", "typing_stopped"}, {"eventId", event}, {"userId", user}});
}

void register_cluster_sync(events_context& ctx) {
    sdk::on_other_nodes(ctx.p, channel,
                        {{"participation", [&ctx](const json& message) { apply_participation(ctx, message); }},
                         {"typing_stopped", [&ctx](const json& message) { apply_typing_stopped(ctx, message); }}});
}

}  // namespace switchboard::plugins::events
