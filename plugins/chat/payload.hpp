// What clients send, checked field by field with the SDK's readers
// (switchboard/payload.hpp) and chat's own: each throws
// sdk::error("invalid_payload", ...), so a handler reads its fields first and touches
// nothing until they all passed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <switchboard/payload.hpp>

namespace switchboard::plugins::chat {

using sdk::json;
using namespace sdk::payload;

inline constexpr std::size_t max_room_name_length = 100;   // characters
inline constexpr std::size_t max_emoji_bytes = 32;
inline constexpr std::size_t max_initial_members = 100;

// A room name: text of at most max_room_name_length characters, one line.
std::string read_room_name(const json& payload, const char* field);

// An optional array of user ids (distinct, in order), at most max_initial_members.
std::vector<std::string> read_user_ids(const json& payload, const char* field);

// An emoji (or a :shortcode:): 1 to max_emoji_bytes, no whitespace or control.
std::string read_emoji(const json& payload, const char* field);

}  // namespace switchboard::plugins::chat
