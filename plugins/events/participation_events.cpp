#include "participation_events.hpp"

#include <string_view>

#include "payload.hpp"

namespace switchboard::plugins::events {

namespace {

// "attending", "interested", or null (not taking part); the field must be there.
status read_status(const json& payload) {
    const auto found = payload.find("status");
    if (found == payload.end()) throw sdk::error("invalid_payload", "status is required (null to stop taking part)");
    if (found->is_null()) return std::nullopt;
    if (found->is_string() && (*found == "attending" || *found == "interested")) return found->get<std::string>();
    throw sdk::error("invalid_payload", "status must be \"attending\", \"interested\" or null");
}

json on_join(events_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string event = read_event_id(payload_of(e.args), "eventId");
    std::string status;
    json attendees;
    {
        // Checked and joined under the event's lock: a participation removed meanwhile
        // either comes before (refused here) or after (and takes this socket out). The
        // counts read here too: a count pushed to this socket later is read later.
        std::lock_guard order(ctx.locks.of(event));
        status = require_participant(ctx, event, user);
        ctx.p.join(e.socket, room_of(event));
        ctx.joined.add(event, e.socket, user);
        attendees = ctx.store.counts(event).to_json();
    }
    auto page = ctx.store.history(event, std::nullopt, ctx.config.history_limit);
    return {{"eventId", event},
            {"status", status},
            {"attendees", std::move(attendees)},
            {"messages", std::move(page.messages)},
            {"hasMore", page.has_more}};
}

json on_leave(events_context& ctx, sdk::event& e) {
    e.require_user();
    const std::string event = read_event_id(payload_of(e.args), "eventId");
    ctx.p.leave(e.socket, room_of(event));
    ctx.joined.remove(event, e.socket);
    for (const auto& [ev, user] : ctx.typing.drop_socket_in(event, e.socket)) announce_typing(ctx, ev, user, "", false);
    return {{"eventId", event}};
}

json on_participants(events_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string event = read_event_id(payload_of(e.args), "eventId");
    require_participant(ctx, event, user);
    return {{"eventId", event},
            {"attendees", ctx.store.counts(event).to_json()},
            {"participants", ctx.store.participants(event)}};
}

json on_participate(events_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::string event = read_event_id(payload, "eventId");
    const status to = read_status(payload);
    if (!ctx.config.self_participation)
        throw sdk::error("forbidden", "participation is set by the event's organizers");
    return set_participation(ctx, event, user, to, display_name(e.user, user));
}

// {eventId, userId, status, userName?} from the backend. No answer: refusals are
// logged and counted.
void on_bus_participation(events_context& ctx, const json& payload) {
    try {
        if (!payload.is_object()) throw sdk::error("invalid_payload", "the payload must be an object");
        const std::string event = read_event_id(payload, "eventId");
        const std::string user = read_user_id(payload, "userId");
        const status to = read_status(payload);
        const auto name = read_optional_text(payload, "userName", 400, true);
        set_participation(ctx, event, user, to, name.value_or(user));
    } catch (const sdk::database_error& failure) {
        ctx.p.count("bus_rejected");
        ctx.p.count("database_errors");
        ctx.p.log_error(std::string("events:participation from the bus: ") + failure.code() + ": " + failure.what());
    } catch (const std::exception& failure) {
        ctx.p.count("bus_rejected");
        ctx.p.log_warn(std::string("events:participation from the bus refused: ") + failure.what());
    }
}

}  // namespace

std::string require_participant(events_context& ctx, const std::string& event, const std::string& user) {
    const status current = ctx.store.status_of(event, user);
    if (!current) throw sdk::error("forbidden", "only the event's participants may do this");
    return *current;
}

void register_participation_events(events_context& ctx) {
    const auto bind = sdk::bind_to(ctx);
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "events:join", bind(on_join));
    ctx.p.serve(nsp, "events:leave", bind(on_leave));
    ctx.p.serve(nsp, "events:participants", bind(on_participants));
    ctx.p.serve(nsp, "events:participate", bind(on_participate));
    ctx.p.subscribe("events:participation", [&ctx](std::string_view, const json& payload) {
        on_bus_participation(ctx, payload);
    });

    // Event rooms are entered through events:join only: another plugin's authorized
    // join of one (a generic "join room" event) is refused, whoever asks.
    ctx.p.on_join([](const sdk::socket_info&, std::string_view room) {
        if (room.rfind("events:", 0) == 0)
            throw sdk::error("forbidden", "event rooms are joined with events:join");
    }, nsp);
    ctx.p.on_disconnect([&ctx](const sdk::socket_info& socket, std::string_view) {
        ctx.joined.remove_socket(socket.socket);
        for (const auto& [event, user] : ctx.typing.drop_socket(socket.socket)) announce_typing(ctx, event, user, "", false);
    }, nsp, sdk::handler_options{true});
}

}  // namespace switchboard::plugins::events
