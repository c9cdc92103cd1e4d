#include "direct_requests.hpp"

#include "payload.hpp"
#include "room_events.hpp"

namespace switchboard::plugins::chat {

namespace {

using sdk::target;

// Requests pages: default and most.
constexpr std::size_t default_requests_page = 50;
constexpr std::size_t max_requests_page = 100;

[[noreturn]] void refuse_blocked() { throw sdk::error("forbidden", "not possible with this user"); }

std::string other_member(const room_row& room, const std::string& user) {
    for (const auto& member : room.users)
        if (member != user) return member;
    return {};
}

// The conversation opened on `user`'s side: the other member and the user's other
// devices learn it (the socket that caused it has its ack).
void tell_accepted(chat_context& ctx, const room_row& room, const std::string& user, const sdk::event& e) {
    const json notice = json::array({json{{"room", room.id}, {"user", user}}});
    ctx.p.emit(target::to_user(ctx.config.nsp, other_member(room, user)), "chat:request_accepted", notice);
    ctx.p.emit(target::to_user(ctx.config.nsp, user).except(e.socket), "chat:request_accepted", notice);
}

// A direct room the user belongs to; forbidden for another kind.
room_row direct_member_room(chat_context& ctx, std::int64_t id, const std::string& user) {
    room_row room = member_room(ctx, id, user);
    if (room.kind != "direct") throw sdk::error("forbidden", "only direct conversations have message requests");
    return room;
}

json on_requests(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args, true);
    const auto before = read_optional_id(payload, "before");
    const std::size_t limit = read_limit(payload, "limit", default_requests_page, max_requests_page);
    auto page = ctx.store.requests(user, before, limit);
    return {{"requests", std::move(page.requests)}, {"hasMore", page.has_more}};
}

json on_accept(chat_context& ctx, sdk::event& e, const std::string& user) {
    const std::int64_t id = read_id(payload_of(e.args), "room");
    const room_row room = direct_member_room(ctx, id, user);
    if (!ctx.store.activate(id, user))
        throw sdk::error("not_found", "no message request waits in room " + std::to_string(id));
    tell_accepted(ctx, room, user, e);
    return {{"room", room.to_json()}};
}

json on_reject(chat_context& ctx, sdk::event& e, const std::string& user) {
    const std::int64_t id = read_id(payload_of(e.args), "room");
    direct_member_room(ctx, id, user);
    if (!ctx.store.decline(id, user))
        throw sdk::error("not_found", "no message request waits in room " + std::to_string(id));
    // The sender is told nothing: only the user's other devices, to update their list.
    ctx.p.emit(target::to_user(ctx.config.nsp, user).except(e.socket), "chat:request_rejected",
               json::array({json{{"room", id}}}));
    return {{"room", id}};
}

}  // namespace

const char* direct_peer_state(chat_context& ctx, const std::string& user, const std::string& peer) {
    if (!ctx.config.message_requests) return state_active;
    const pair_relations relations = ctx.graph.between(user, peer);
    if (relations.blocked) refuse_blocked();
    return relations.b_follows_a ? state_active : state_request;
}

void require_no_block(chat_context& ctx, const room_row& room, const std::string& user) {
    if (!ctx.config.message_requests || room.kind != "direct") return;
    if (ctx.graph.between(user, other_member(room, user)).blocked) refuse_blocked();
}

void require_open_side(chat_context& ctx, const room_row& room, const std::string& user) {
    if (room.kind != "direct") return;
    if (ctx.store.state_of(room.id, user).value_or(state_active) != state_active)
        throw sdk::error("forbidden", "this conversation is a message request: accept it first (chat:request_accept)");
}

direct_send before_direct_send(chat_context& ctx, const room_row& room, const std::string& user,
                               const sdk::event& e) {
    direct_send out;
    if (room.kind != "direct") return out;
    out.direct = true;
    out.peer = other_member(room, user);
    if (ctx.config.message_requests) {
        const pair_relations relations = ctx.graph.between(user, out.peer);
        if (relations.blocked) refuse_blocked();
        out.peer_follows = relations.b_follows_a;
    }
    if (ctx.store.state_of(room.id, user).value_or(state_active) != state_active && ctx.store.activate(room.id, user))
        tell_accepted(ctx, room, user, e);
    return out;
}

std::string after_direct_send(chat_context& ctx, const direct_send& send, const room_row& room,
                              const std::string& user, const json& message) {
    // Read after storing: a peer accepting meanwhile joins after the message exists,
    // so it is in their history if it was not pushed to them as a request.
    std::string peer_state = ctx.store.state_of(room.id, send.peer).value_or(state_active);
    // Following the sender is consent, whatever the peer answered before: the
    // conversation opens (and the sender cannot tell a declined request from one
    // that was never answered by whether it does).
    if (peer_state != state_active && send.peer_follows) {
        if (ctx.store.activate(room.id, send.peer)) tell_invited(ctx, send.peer, room, user);
        peer_state = state_active;   // by this send, or by whoever got there first
    }
    if (peer_state == state_request)
        ctx.p.emit(target::to_user(ctx.config.nsp, send.peer), "chat:request",
                   json::array({json{{"room", room.to_json()}, {"from", user}, {"message", message}}}));
    return peer_state == state_active ? "sent" : "request";
}

void register_request_events(chat_context& ctx) {
    serve(ctx, "chat:requests", on_requests);
    serve(ctx, "chat:request_accept", on_accept);
    serve(ctx, "chat:request_reject", on_reject);
}

}  // namespace switchboard::plugins::chat
