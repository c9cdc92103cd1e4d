// What clients send, checked field by field. Every reader throws
// sdk::error("invalid_payload", <which field and what was expected>), so a handler
// reads its fields first and touches nothing until they all passed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

using sdk::json;

inline constexpr std::size_t max_user_id_bytes = 255;
inline constexpr std::size_t max_room_name_length = 100;   // characters
inline constexpr std::size_t max_emoji_bytes = 32;
inline constexpr std::size_t max_initial_members = 100;

// The event's first argument, which must be an object. With `optional`, a missing or
// null argument reads as an empty object.
const json& payload_of(const json& args, bool optional = false);

// A room or message id: a positive integer (not a string, not a float).
std::int64_t read_id(const json& payload, const char* field);
std::optional<std::int64_t> read_optional_id(const json& payload, const char* field);

// A user id: a non-empty string of at most max_user_id_bytes, without control
// characters.
std::string read_user_id(const json& payload, const char* field);

// Message text: a string that is not only whitespace, at most `max_length`
// characters, without control characters other than tab and line breaks.
std::string read_text(const json& payload, const char* field, std::size_t max_length);

// A room name: like text, at most max_room_name_length characters, one line.
std::string read_room_name(const json& payload, const char* field);

// An optional boolean.
bool read_flag(const json& payload, const char* field, bool fallback);

// An optional array of user ids (distinct, in order), at most max_initial_members.
std::vector<std::string> read_user_ids(const json& payload, const char* field);

// An emoji (or a :shortcode:): 1 to max_emoji_bytes, no whitespace or control.
std::string read_emoji(const json& payload, const char* field);

// An optional page size in [1, max].
std::size_t read_limit(const json& payload, const char* field, std::size_t fallback, std::size_t max);

// Unicode characters (code points) in UTF-8 text: what a user calls its length.
std::size_t utf8_length(std::string_view text);

}  // namespace switchboard::plugins::chat
