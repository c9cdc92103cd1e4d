#include "typing_events.hpp"

#include <algorithm>

#include "payload.hpp"

namespace switchboard::plugins::chat {

namespace {

// Inline: membership is the socket's own rooms (the kernel answers on this worker),
// not the database.
std::int64_t joined_room(chat_context& ctx, const sdk::event& e) {
    const std::int64_t room = read_id(payload_of(e.args), "room");
    if (!ctx.p.in_room(e.socket, room_name(room))) throw sdk::error("forbidden", "join the room before typing in it");
    return room;
}

json on_typing_start(chat_context& ctx, sdk::event& e, const std::string& user) {
    const std::int64_t room = joined_room(ctx, e);
    ctx.typing.start(room, user, e.socket);
    return {{"room", room}};
}

json on_typing_stop(chat_context& ctx, sdk::event& e, const std::string& user) {
    const std::int64_t room = joined_room(ctx, e);
    ctx.typing.stop(room, user);
    return {{"room", room}};
}

}  // namespace

void announce_typing(sdk::plugin& p, const std::string& nsp, std::int64_t room, const std::string& user, bool typing) {
    // Every device of the typist is skipped, not only the one typing: a user does
    // not need to see that they are typing.
    p.emit(sdk::target::to_room(nsp, room_name(room)).except("user:" + user), typing ? "typing:start" : "typing:stop",
           json::array({json{{"room", room}, {"user", user}}}));
}

void register_typing_events(chat_context& ctx) {
    serve(ctx, "typing:start", on_typing_start, sdk::handler_options{true});
    serve(ctx, "typing:stop", on_typing_stop, sdk::handler_options{true});

    // One sweep for every typist instead of a timer per typing:start: a start costs
    // a map update, and the precision is a small fraction of the timeout.
    const auto period = std::clamp(ctx.config.typing_timeout / 20, std::chrono::milliseconds(50),
                                   std::chrono::milliseconds(500));
    ctx.p.start_timer(period, period, [&ctx] { ctx.typing.expire(); }, sdk::handler_options{true});
    // Idle users leave the rate limiter's memory.
    ctx.p.start_timer(std::chrono::minutes(1), std::chrono::minutes(1), [&ctx] { ctx.limiter.forget_idle(); });
}

void register_disconnect_hooks(chat_context& ctx) {
    // Inline, so the room learns at once that a disconnected typist stopped.
    ctx.p.on_disconnect([&ctx](const sdk::socket_info& s, std::string_view) { ctx.typing.disconnected(s.socket); },
                        ctx.config.nsp, sdk::handler_options{true});
}

}  // namespace switchboard::plugins::chat
