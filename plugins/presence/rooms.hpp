// The rooms the presence plugin delivers through. Subscribers are room members, so an
// update is one room emit (and crosses nodes the way every room emit does).
#pragma once

#include <string>
#include <string_view>

namespace switchboard::plugins::presence {

// "presence:user:<id>", not "presence:<id>": a user named "count" must not land in the
// room of presence:count listeners.
inline std::string room_for_user(std::string_view user_id) { return "presence:user:" + std::string(user_id); }

// Sockets that asked for presence:count updates.
inline constexpr std::string_view count_room = "presence:count";

}  // namespace switchboard::plugins::presence
