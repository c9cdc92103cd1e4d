#include "payload.hpp"

#include <algorithm>
#include <limits>

namespace switchboard::plugins::blog {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

// A field that is absent or null is "not given": clients send both for "nothing".
const json* field_of(const json& payload, const char* field) {
    const auto found = payload.find(field);
    if (found == payload.end() || found->is_null()) return nullptr;
    return &*found;
}

// nlohmann parses non-negative integers as unsigned and builds them signed: take both.
std::optional<std::int64_t> positive_integer(const json& value) {
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

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    });
}

std::string checked_text(const json& value, const char* field, std::size_t max_length, bool one_line) {
    if (!value.is_string()) invalid(std::string(field) + " must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (is_blank(text)) invalid(std::string(field) + " must not be empty");
    // Counting characters of megabytes is not free: four bytes a character is the most
    // UTF-8 takes, so a longer text is over the limit whatever it holds.
    if (text.size() > 4 * max_length || utf8_length(text) > max_length)
        invalid(std::string(field) + " is longer than " + std::to_string(max_length) + " characters");
    const bool bad = std::any_of(text.begin(), text.end(), [one_line](unsigned char c) {
        if (!is_control(c)) return false;
        return one_line || (c != '\t' && c != '\n' && c != '\r');
    });
    if (bad)
        invalid(std::string(field) + (one_line ? " must be one line without control characters"
                                               : " must not contain control characters"));
    return text;
}

}  // namespace

const json& payload_of(const json& args, bool optional) {
    static const json empty = json::object();
    if (!args.is_array() || args.empty() || args[0].is_null()) {
        if (optional) return empty;
        invalid("the payload must be an object");
    }
    if (!args[0].is_object()) invalid("the payload must be an object");
    return args[0];
}

std::optional<std::int64_t> read_optional_id(const json& payload, const char* field) {
    const json* value = field_of(payload, field);
    if (!value) return std::nullopt;
    if (const auto id = positive_integer(*value)) return id;
    invalid(std::string(field) + " must be a positive integer");
}

std::int64_t read_id(const json& payload, const char* field) {
    const auto id = read_optional_id(payload, field);
    if (!id) invalid(std::string(field) + " is required");
    return *id;
}

std::optional<std::string> read_optional_user_id(const json& payload, const char* field) {
    const json* value = field_of(payload, field);
    if (!value) return std::nullopt;
    if (!value->is_string()) invalid(std::string(field) + " must be a string");
    const auto& id = value->get_ref<const std::string&>();
    if (id.empty() || id.size() > max_user_id_bytes)
        invalid(std::string(field) + " must be 1 to " + std::to_string(max_user_id_bytes) + " bytes");
    if (std::any_of(id.begin(), id.end(), [](unsigned char c) { return is_control(c); }))
        invalid(std::string(field) + " must not contain control characters");
    return id;
}

std::string read_user_id(const json& payload, const char* field) {
    auto id = read_optional_user_id(payload, field);
    if (!id) invalid(std::string(field) + " is required");
    return std::move(*id);
}

std::optional<std::string> read_optional_text(const json& payload, const char* field, std::size_t max_length,
                                              bool one_line) {
    const json* value = field_of(payload, field);
    if (!value) return std::nullopt;
    return checked_text(*value, field, max_length, one_line);
}

std::string read_text(const json& payload, const char* field, std::size_t max_length, bool one_line) {
    auto text = read_optional_text(payload, field, max_length, one_line);
    if (!text) invalid(std::string(field) + " is required");
    return std::move(*text);
}

std::optional<bool> read_optional_flag(const json& payload, const char* field) {
    const json* value = field_of(payload, field);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) invalid(std::string(field) + " must be a boolean");
    return value->get<bool>();
}

std::size_t read_limit(const json& payload, const char* field, std::size_t fallback, std::size_t max) {
    const json* value = field_of(payload, field);
    if (!value) return fallback;
    const auto n = positive_integer(*value);
    if (!n || static_cast<std::uint64_t>(*n) > max)
        invalid(std::string(field) + " must be an integer from 1 to " + std::to_string(max));
    return static_cast<std::size_t>(*n);
}

std::size_t utf8_length(std::string_view text) {
    // Every code point has exactly one byte that is not a continuation (10xxxxxx).
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace switchboard::plugins::blog
