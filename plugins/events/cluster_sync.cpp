#include "cluster_sync.hpp"

#include "context.hpp"
#include "payload.hpp"

namespace switchboard::plugins::events {

namespace {

using sdk::json;

const std::string cluster_topic = "serverSideEmit:events:cluster";

void tell_others(events_context& ctx, json message) { ctx.p.publish(cluster_topic, json::array({std::move(message)})); }

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
    ctx.p.subscribe(cluster_topic, [&ctx](std::string_view, const json& args) {
        const json& message = args.is_array() && !args.empty() ? args[0] : json();
        const auto op = message.is_object() ? message.value("op", std::string()) : std::string();
        // A message this version cannot read is skipped: nodes may run different versions.
        try {
            if (op == "participation") return apply_participation(ctx, message);
            if (op == "typing_stopped") return apply_typing_stopped(ctx, message);
            ctx.p.log_warn("a cluster message of unknown op \"" + op + "\" skipped");
        } catch (const std::exception& failure) {
            ctx.p.log_warn(std::string("a cluster message skipped: ") + failure.what());
        }
    });
}

}  // namespace switchboard::plugins::events
