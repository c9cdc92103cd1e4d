// What clients (and the bus) send, checked field by field. Every reader throws
// sdk::error("invalid_payload", <which field and what was expected>), so a handler
// reads all its fields before it touches anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::events {

using sdk::json;

inline constexpr std::size_t max_user_id_bytes = 255;

// The event's first argument, which must be an object. With `optional`, a missing or
// null argument reads as an empty object.
const json& payload_of(const json& args, bool optional = false);

// An id: a positive integer (a JSON number, not a string or a float).
std::int64_t read_id(const json& payload, const char* field);
std::optional<std::int64_t> read_optional_id(const json& payload, const char* field);

// A user id: 1 to max_user_id_bytes, no control characters.
std::string read_user_id(const json& payload, const char* field);
std::optional<std::string> read_optional_user_id(const json& payload, const char* field);

// Text that is not only whitespace, at most `max_length` characters, without control
// characters other than tab and line breaks. `one_line` refuses line breaks too.
std::string read_text(const json& payload, const char* field, std::size_t max_length, bool one_line = false);
std::optional<std::string> read_optional_text(const json& payload, const char* field, std::size_t max_length,
                                              bool one_line = false);

// An optional boolean.
std::optional<bool> read_optional_flag(const json& payload, const char* field);

// An optional page size in [1, max].
std::size_t read_limit(const json& payload, const char* field, std::size_t fallback, std::size_t max);

// An event id: a string of 1 to max_event_id_bytes letters, digits and _ . : -
// (it names a Socket.IO room).
inline constexpr std::size_t max_event_id_bytes = 128;
std::string read_event_id(const json& payload, const char* field);

// Unicode characters (code points) in UTF-8 text: what a user calls its length.
std::size_t utf8_length(std::string_view text);

}  // namespace switchboard::plugins::events
