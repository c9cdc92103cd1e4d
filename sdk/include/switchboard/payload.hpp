// Reading what clients send, field by field, for plugins written with sdk.hpp.
//
// Every reader throws sdk::error("invalid_payload", <which field and what was
// expected>), which the event trampoline turns into the `[{code, message}]` ack, so
// a handler reads all of its fields before it touches anything. A field that is
// absent or null is "not given": clients send both for "nothing".
//
// Header-only and outside the C ABI: plugins compile it in, the kernel never sees it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <switchboard/sdk.hpp>

namespace switchboard::sdk::payload {

inline constexpr std::size_t max_user_id_bytes = 255;

namespace detail {

[[noreturn]] inline void invalid(const std::string& message) { throw error("invalid_payload", message); }

inline const json* field_of(const json& payload, const char* field) {
    const auto found = payload.find(field);
    if (found == payload.end() || found->is_null()) return nullptr;
    return &*found;
}

inline const json& required(const json& payload, const char* field) {
    const json* value = field_of(payload, field);
    if (!value) invalid(std::string(field) + " is required");
    return *value;
}

// A positive integer that fits int64, whether nlohmann holds it signed (built in C++)
// or unsigned (parsed: non-negative integers parse as unsigned).
inline std::optional<std::int64_t> positive_integer(const json& value) {
    if (value.is_number_unsigned()) {
        const auto n = value.get<std::uint64_t>();
        if (n > 0 && n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return static_cast<std::int64_t>(n);
    } else if (value.is_number_integer()) {
        const auto n = value.get<std::int64_t>();
        if (n > 0) return n;
    }
    return std::nullopt;
}

inline bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

inline bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    });
}

}  // namespace detail

// Unicode characters (code points) in UTF-8 text: what a user calls its length.
inline std::size_t utf8_length(std::string_view text) {
    // Every code point has exactly one byte that is not a continuation (10xxxxxx).
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

// The event's first argument, which must be an object. With `optional`, a missing or
// null argument reads as an empty object.
inline const json& payload_of(const json& args, bool optional = false) {
    static const json empty = json::object();
    if (!args.is_array() || args.empty() || args[0].is_null()) {
        if (optional) return empty;
        detail::invalid("the payload must be an object");
    }
    if (!args[0].is_object()) detail::invalid("the payload must be an object");
    return args[0];
}

// A string field, required.
inline const std::string& read_string(const json& payload, const char* field) {
    const json& value = detail::required(payload, field);
    if (!value.is_string()) detail::invalid(std::string(field) + " must be a string");
    return value.get_ref<const std::string&>();
}

// An id: a positive integer (a JSON number, not a string or a float).
inline std::optional<std::int64_t> read_optional_id(const json& payload, const char* field) {
    const json* value = detail::field_of(payload, field);
    if (!value) return std::nullopt;
    if (const auto id = detail::positive_integer(*value)) return id;
    detail::invalid(std::string(field) + " must be a positive integer");
}

inline std::int64_t read_id(const json& payload, const char* field) {
    const auto id = read_optional_id(payload, field);
    if (!id) detail::invalid(std::string(field) + " is required");
    return *id;
}

// Whether `text` holds a control character (C0 or DEL).
inline bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return detail::is_control(c); });
}

// Whether `value` is a user id: a string of 1 to max_user_id_bytes, no control
// characters. For readers that word their own refusal; checked_user_id refuses itself.
inline bool is_user_id(const json& value) {
    if (!value.is_string()) return false;
    const auto& id = value.get_ref<const std::string&>();
    return !id.empty() && id.size() <= max_user_id_bytes && !has_control(id);
}

// A user id as a value: 1 to max_user_id_bytes, no control characters.
inline std::string checked_user_id(const json& value, const std::string& what) {
    if (!value.is_string()) detail::invalid(what + " must be a string");
    const auto& id = value.get_ref<const std::string&>();
    if (id.empty() || id.size() > max_user_id_bytes)
        detail::invalid(what + " must be 1 to " + std::to_string(max_user_id_bytes) + " bytes");
    if (has_control(id)) detail::invalid(what + " must not contain control characters");
    return id;
}

inline std::optional<std::string> read_optional_user_id(const json& payload, const char* field) {
    const json* value = detail::field_of(payload, field);
    if (!value) return std::nullopt;
    return checked_user_id(*value, field);
}

inline std::string read_user_id(const json& payload, const char* field) {
    auto id = read_optional_user_id(payload, field);
    if (!id) detail::invalid(std::string(field) + " is required");
    return std::move(*id);
}

// Text as a value: not only whitespace, at most `max_length` characters, without
// control characters other than tab and line breaks; `one_line` refuses line breaks too.
inline std::string checked_text(const json& value, const char* field, std::size_t max_length, bool one_line = false) {
    if (!value.is_string()) detail::invalid(std::string(field) + " must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (detail::is_blank(text)) detail::invalid(std::string(field) + " must not be empty");
    // Counting characters of megabytes is not free: four bytes a character is the most
    // UTF-8 takes, so a longer text is over the limit whatever it holds.
    if (text.size() > 4 * max_length || utf8_length(text) > max_length)
        detail::invalid(std::string(field) + " is longer than " + std::to_string(max_length) + " characters");
    const bool bad = std::any_of(text.begin(), text.end(), [one_line](unsigned char c) {
        if (!detail::is_control(c)) return false;
        return one_line || (c != '\t' && c != '\n' && c != '\r');
    });
    if (bad)
        detail::invalid(std::string(field) + (one_line ? " must be one line without control characters"
                                                       : " must not contain control characters"));
    return text;
}

inline std::optional<std::string> read_optional_text(const json& payload, const char* field, std::size_t max_length,
                                                     bool one_line = false) {
    const json* value = detail::field_of(payload, field);
    if (!value) return std::nullopt;
    return checked_text(*value, field, max_length, one_line);
}

inline std::string read_text(const json& payload, const char* field, std::size_t max_length, bool one_line = false) {
    auto text = read_optional_text(payload, field, max_length, one_line);
    if (!text) detail::invalid(std::string(field) + " is required");
    return std::move(*text);
}

inline std::optional<bool> read_optional_flag(const json& payload, const char* field) {
    const json* value = detail::field_of(payload, field);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) detail::invalid(std::string(field) + " must be a boolean");
    return value->get<bool>();
}

inline bool read_flag(const json& payload, const char* field, bool fallback) {
    return read_optional_flag(payload, field).value_or(fallback);
}

// An optional page size in [1, max].
inline std::size_t read_limit(const json& payload, const char* field, std::size_t fallback, std::size_t max) {
    const json* value = detail::field_of(payload, field);
    if (!value) return fallback;
    const auto n = detail::positive_integer(*value);
    if (!n || static_cast<std::uint64_t>(*n) > max)
        detail::invalid(std::string(field) + " must be an integer from 1 to " + std::to_string(max));
    return static_cast<std::size_t>(*n);
}

}  // namespace switchboard::sdk::payload
