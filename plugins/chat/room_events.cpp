#include "room_events.hpp"

#include "direct_requests.hpp"
#include "payload.hpp"

namespace switchboard::plugins::chat {

namespace {

using sdk::target;

room_row existing_room(chat_context& ctx, std::int64_t id) {
    auto room = ctx.store.room(id);
    if (!room) throw sdk::error("not_found", "no room " + std::to_string(id));
    return *room;
}

json on_rooms(chat_context& ctx, sdk::event& e, const std::string& user) {
    payload_of(e.args, true);
    return {{"rooms", ctx.store.rooms_of(user)}};
}

json on_create(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::string name = read_room_name(payload, "name");
    const bool is_private = read_flag(payload, "private", false);
    const auto members = read_user_ids(payload, "members");
    const room_row room = ctx.store.create_room(is_private, name, user, members, unix_ms());
    ctx.p.count("rooms_created");
    for (const auto& member : members)
        if (member != user) tell_invited(ctx, member, room, user);
    return {{"room", room.to_json()}, {"members", ctx.store.members(room.id)}};
}

json on_direct(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::string peer = read_user_id(payload, "user");
    if (peer == user) throw sdk::error("invalid_payload", "a direct conversation needs another user");
    const char* peer_state = direct_peer_state(ctx, user, peer);
    bool created = false;
    const room_row room = ctx.store.direct_room(user, peer, unix_ms(), created, peer_state);
    // A peer whose side waits as a request learns of it with the first message.
    if (created && std::string_view(peer_state) == state_active) tell_invited(ctx, peer, room, user);
    return {{"room", room.to_json()},
            {"created", created},
            {"state", ctx.store.state_of(room.id, user).value_or(state_active)}};
}

json on_invite(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "room");
    const std::string invitee = read_user_id(payload, "user");
    const room_row room = existing_room(ctx, id);
    if (!room.is_private()) throw sdk::error("forbidden", "only private rooms take invitations");
    if (ctx.store.role_of(id, user) != "owner") throw sdk::error("forbidden", "only the room's owner may invite");
    const bool added = ctx.store.add_member(id, invitee, "member", unix_ms());
    if (added) {
        ctx.p.emit(room_except_sender(ctx, id, e), "chat:member_added",
                   json::array({json{{"room", id}, {"user", invitee}, {"by", user}}}));
        tell_invited(ctx, invitee, room, user);
    }
    return {{"room", id}, {"user", invitee}, {"added", added}};
}

json on_remove(chat_context& ctx, sdk::event& e, const std::string& user) {
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "room");
    const std::string removed = read_user_id(payload, "user");
    const room_row room = existing_room(ctx, id);
    if (!room.is_private()) throw sdk::error("forbidden", "only members of private rooms can be removed");
    const auto role = ctx.store.role_of(id, user);
    if (removed == user) {
        if (!role) throw sdk::error("not_found", removed + " is not a member of this room");
        if (role == "owner") throw sdk::error("forbidden", "the owner cannot leave their own room");
    } else if (role != "owner") {
        throw sdk::error("forbidden", "only the room's owner may remove members");
    }
    {
        std::lock_guard lock(ctx.locks.of(id));
        if (!ctx.store.remove_member(id, removed))
            throw sdk::error("not_found", removed + " is not a member of this room");
        // Every socket of the removed user, on every node, stops receiving the room
        // (posted to the sockets' workers before this handler's answer), and they
        // stop typing there.
        ctx.p.sockets_leave(ctx.config.nsp, {"user:" + removed}, {room_name(id)});
        ctx.typing.stop(id, removed);
    }
    ctx.p.emit(room_except_sender(ctx, id, e), "chat:member_removed",
               json::array({json{{"room", id}, {"user", removed}, {"by", user}}}));
    ctx.p.emit(target::to_user(ctx.config.nsp, removed), "chat:removed", json::array({json{{"room", id}, {"by", user}}}));
    return {{"room", id}, {"user", removed}};
}

json on_join(chat_context& ctx, sdk::event& e, const std::string& user) {
    const std::int64_t id = read_id(payload_of(e.args), "room");
    const room_row room = existing_room(ctx, id);
    bool added = false;
    {
        std::lock_guard lock(ctx.locks.of(id));
        if (!ctx.store.role_of(id, user)) {
            if (!room.is_public()) throw sdk::error("forbidden", "only members may join this room");
            added = ctx.store.add_member(id, user, "member", unix_ms());
        }
        require_open_side(ctx, room, user);
        ctx.p.join(e.socket, room_name(id));
    }
    if (added)
        ctx.p.emit(room_except_sender(ctx, id, e), "chat:member_added",
                   json::array({json{{"room", id}, {"user", user}, {"by", user}}}));
    // Read after joining: a message sent meanwhile may come twice (as chat:message
    // and in this page), never not at all. Clients keep messages by id.
    auto page = ctx.store.page(id, std::nullopt, ctx.config.history_limit);
    return {{"room", room.to_json()},
            {"members", ctx.store.members(id)},
            {"messages", std::move(page.messages)},
            {"hasMore", page.has_more},
            {"reads", ctx.store.reads(id)}};
}

json on_leave(chat_context& ctx, sdk::event& e, const std::string&) {
    const std::int64_t id = read_id(payload_of(e.args), "room");
    {
        std::lock_guard lock(ctx.locks.of(id));
        ctx.p.leave(e.socket, room_name(id));
    }
    ctx.typing.left(e.socket, id);
    return {{"room", id}};
}

}  // namespace

void tell_invited(chat_context& ctx, const std::string& user, const room_row& room, const std::string& by) {
    ctx.p.emit(target::to_user(ctx.config.nsp, user), "chat:invited",
               json::array({json{{"room", room.to_json()}, {"by", by}}}));
}

room_row member_room(chat_context& ctx, std::int64_t id, const std::string& user) {
    room_row room = existing_room(ctx, id);
    if (!ctx.store.role_of(id, user)) throw sdk::error("forbidden", "you are not a member of this room");
    return room;
}

void register_room_events(chat_context& ctx) {
    serve(ctx, "chat:rooms", on_rooms);
    serve(ctx, "chat:create", on_create);
    serve(ctx, "chat:direct", on_direct);
    serve(ctx, "chat:invite", on_invite);
    serve(ctx, "chat:remove", on_remove);
    serve(ctx, "chat:join", on_join);
    serve(ctx, "chat:leave", on_leave);
}

}  // namespace switchboard::plugins::chat
