#include "message_events.hpp"

#include "cluster_sync.hpp"
#include "participation_events.hpp"
#include "payload.hpp"

namespace switchboard::plugins::events {

namespace {

using sdk::target;

// The content as it will be stored, after the banned-words filter.
std::string filtered(events_context& ctx, std::string content) {
    if (ctx.filter.empty() || !ctx.filter.matches(content)) return content;
    if (ctx.config.on_banned == banned_action::reject) {
        ctx.p.count("messages_rejected");
        throw sdk::error("banned_word", "the message contains a word that is not allowed");
    }
    return ctx.filter.mask(std::move(content));
}

json on_send(events_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::string event = read_event_id(payload, "eventId");
    const std::string content = filtered(ctx, read_text(payload, "content", ctx.config.max_length));
    require_participant(ctx, event, user);
    json message = ctx.store.add_message(event, user, display_name(e.user, user), content, unix_ms());
    ctx.p.count("messages_sent");
    ctx.p.emit(target::to_room(ctx.config.nsp, room_of(event)).except(e.socket), "events:message",
               json::array({message}));
    // A message ends the sender's typing, whichever node their typing socket is on.
    if (ctx.typing.stop(event, user)) announce_typing(ctx, event, user, "", false);
    tell_typing_stopped(ctx, event, user);
    return message;
}

json on_history(events_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::string event = read_event_id(payload, "eventId");
    const auto before = read_optional_id(payload, "before");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.history_limit, max_history_limit);
    require_participant(ctx, event, user);
    auto page = ctx.store.history(event, before, limit);
    return {{"eventId", event}, {"messages", std::move(page.messages)}, {"hasMore", page.has_more}};
}

// Inline (no database): the joined-sockets registry says whether this socket is in
// the room, and only participants are (a participation removed takes them out).
json on_typing(events_context& ctx, sdk::event& e, bool typing) {
    const std::string user = e.require_user();
    const std::string event = read_event_id(payload_of(e.args), "eventId");
    if (!ctx.joined.contains(event, e.socket)) throw sdk::error("forbidden", "join the event's room first");
    const bool changed = typing ? ctx.typing.start(event, user, e.socket, typing_tracker::clock::now())
                                : ctx.typing.stop(event, user);
    if (changed) announce_typing(ctx, event, user, display_name(e.user, user), typing);
    return {{"eventId", event}};
}

}  // namespace

void register_message_events(events_context& ctx) {
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "events:send", [&ctx](sdk::event& e) { return on_send(ctx, e); });
    ctx.p.serve(nsp, "events:history", [&ctx](sdk::event& e) { return on_history(ctx, e); });
    ctx.p.serve(nsp, "events:typing", [&ctx](sdk::event& e) { return on_typing(ctx, e, true); },
                sdk::handler_options{true});
    ctx.p.serve(nsp, "events:stop_typing", [&ctx](sdk::event& e) { return on_typing(ctx, e, false); },
                sdk::handler_options{true});
    // Typists who went quiet: checked ten times per timeout, on the worker (no I/O).
    const auto period = std::max(ctx.config.typing_timeout / 10, std::chrono::milliseconds(50));
    ctx.p.start_timer(period, period, [&ctx] {
        for (const auto& [event, user] : ctx.typing.expire(typing_tracker::clock::now()))
            announce_typing(ctx, event, user, "", false);
    }, sdk::handler_options{true});
}

}  // namespace switchboard::plugins::events
