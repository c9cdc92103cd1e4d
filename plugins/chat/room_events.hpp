// Rooms and membership: chat:rooms, chat:create, chat:direct, chat:invite,
// chat:remove, chat:join, chat:leave (README.md has the payloads).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::chat {

void register_room_events(chat_context& ctx);

// The room, if `user` is a member; throws not_found or forbidden otherwise.
room_row member_room(chat_context& ctx, std::int64_t room, const std::string& user);

// `user`'s devices learn of a room they belong to now: chat:invited {room, by}.
void tell_invited(chat_context& ctx, const std::string& user, const room_row& room, const std::string& by);

}  // namespace switchboard::plugins::chat
