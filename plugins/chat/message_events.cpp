#include "message_events.hpp"

#include "direct_requests.hpp"
#include "payload.hpp"
#include "room_events.hpp"

namespace switchboard::plugins::chat {

namespace {

// The text as it will be stored, after the banned-words filter.
std::string filtered(const chat_context& ctx, std::string text) {
    if (ctx.filter.empty() || !ctx.filter.matches(text)) return text;
    if (ctx.config.on_banned == banned_action::reject) {
        ctx.p.count("messages_rejected");
        throw sdk::error("banned_word", "the message contains a word that is not allowed");
    }
    return ctx.filter.mask(text);
}

// A live message whose room the user belongs to, and that room.
std::pair<message_row, room_row> visible_message(chat_context& ctx, std::int64_t id, const std::string& user) {
    auto message = ctx.store.message(id);
    if (!message || message->deleted_at) throw sdk::error("not_found", "no message " + std::to_string(id));
    return {*message, member_room(ctx, message->room, user)};
}

// The earliest creation time an author may still change; 0 when there is no window.
std::int64_t window_start(std::chrono::seconds window, std::int64_t now) {
    return window.count() > 0 ? now - std::chrono::duration_cast<std::chrono::milliseconds>(window).count() : 0;
}

json on_send(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t room = read_id(payload, "room");
    const std::string text = filtered(ctx, read_text(payload, "text", ctx.config.max_length));
    // Before any database work: the limit exists to protect it.
    if (!ctx.limiter.try_acquire(user)) {
        ctx.p.count("messages_rate_limited");
        throw sdk::error("rate_limited", "too many messages: at most " + std::to_string(ctx.config.rate_limit_messages) +
                                             " every " + std::to_string(ctx.config.rate_limit_window.count()) + " s");
    }
    const room_row where = member_room(ctx, room, user);
    const direct_send direct = before_direct_send(ctx, where, user, e);
    const message_row message = ctx.store.add_message(room, user, text, unix_ms());
    ctx.p.count("messages_sent");
    json broadcast = message.to_json();
    broadcast["reactions"] = json::object();
    ctx.p.emit(room_except_sender(ctx, room, e), "chat:message", json::array({broadcast}));
    json result = {{"id", message.id}, {"room", room}, {"text", message.text}, {"createdAt", message.created_at}};
    if (direct.direct) result["status"] = after_direct_send(ctx, direct, where, user, broadcast);
    return result;
}

json on_history(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t room = read_id(payload, "room");
    const auto before = read_optional_id(payload, "before");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.history_limit, max_history_limit);
    member_room(ctx, room, user);
    auto page = ctx.store.page(room, before, limit);
    return {{"room", room}, {"messages", std::move(page.messages)}, {"hasMore", page.has_more}};
}

json on_edit(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "message");
    const std::string text = filtered(ctx, read_text(payload, "text", ctx.config.max_length));
    const auto [message, where] = visible_message(ctx, id, user);
    if (message.user != user) throw sdk::error("forbidden", "only the author may edit a message");
    require_no_block(ctx, where, user);
    const std::int64_t now = unix_ms();
    const std::int64_t not_before = window_start(ctx.config.edit_window, now);
    if (message.created_at < not_before)
        throw sdk::error("edit_window_expired", "messages can be edited for " +
                                                    std::to_string(ctx.config.edit_window.count()) + " s");
    if (!ctx.store.edit(id, user, text, now, not_before))
        throw sdk::error("not_found", "no message " + std::to_string(id));
    json edited = {{"id", id}, {"room", message.room}, {"text", text}, {"editedAt", now}};
    ctx.p.emit(room_except_sender(ctx, message.room, e), "chat:edited", json::array({edited}));
    return edited;
}

json on_delete(chat_context& ctx, sdk::event& e, const std::string& user) {
    const std::int64_t id = read_id(payload_of(e.args), "message");
    const message_row message = visible_message(ctx, id, user).first;
    if (message.user != user) throw sdk::error("forbidden", "only the author may delete a message");
    const std::int64_t now = unix_ms();
    const std::int64_t not_before = window_start(ctx.config.delete_window, now);
    if (message.created_at < not_before)
        throw sdk::error("delete_window_expired", "messages can be deleted for " +
                                                      std::to_string(ctx.config.delete_window.count()) + " s");
    if (!ctx.store.erase(id, user, now, not_before)) throw sdk::error("not_found", "no message " + std::to_string(id));
    json deleted = {{"id", id}, {"room", message.room}};
    ctx.p.emit(room_except_sender(ctx, message.room, e), "chat:deleted", json::array({deleted}));
    return deleted;
}

json on_react(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "message");
    const std::string emoji = read_emoji(payload, "emoji");
    const auto [message, where] = visible_message(ctx, id, user);
    require_open_side(ctx, where, user);
    require_no_block(ctx, where, user);
    const bool reacted = ctx.store.toggle_reaction(id, user, emoji, unix_ms());
    json update = {{"room", message.room},
                   {"message", id},
                   {"user", user},
                   {"emoji", emoji},
                   {"reacted", reacted},
                   {"reactions", ctx.store.reaction_counts(id)}};
    ctx.p.emit(room_except_sender(ctx, message.room, e), "chat:reaction", json::array({update}));
    return update;
}

json on_read(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t room = read_id(payload, "room");
    const std::int64_t id = read_id(payload, "message");
    // Marks of a request would tell its sender it was seen: accept first.
    require_open_side(ctx, member_room(ctx, room, user), user);
    // The message must belong to this room: a read mark never points elsewhere.
    const auto message = ctx.store.message(id);
    if (!message || message->room != room)
        throw sdk::error("not_found", "no message " + std::to_string(id) + " in room " + std::to_string(room));
    auto [mark, moved] = ctx.store.mark_read(room, user, id, unix_ms());
    json receipt = {{"room", room}, {"user", user}, {"message", mark["message"]}, {"readAt", mark["readAt"]}};
    if (moved) ctx.p.emit(room_except_sender(ctx, room, e), "chat:read", json::array({receipt}));
    return receipt;
}

}  // namespace

void register_message_events(chat_context& ctx) {
    serve(ctx, "chat:send", on_send);
    serve(ctx, "chat:history", on_history);
    serve(ctx, "chat:edit", on_edit);
    serve(ctx, "chat:delete", on_delete);
    serve(ctx, "chat:react", on_react);
    serve(ctx, "chat:read", on_read);
}

}  // namespace switchboard::plugins::chat
