#include "payload.hpp"

#include <algorithm>
#include <limits>

namespace switchboard::plugins::chat {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

const json* field_of(const json& payload, const char* field) {
    const auto found = payload.find(field);
    if (found == payload.end() || found->is_null()) return nullptr;
    return &*found;
}

const json& required(const json& payload, const char* field) {
    const json* value = field_of(payload, field);
    if (!value) invalid(std::string(field) + " is required");
    return *value;
}

const std::string& string_field(const json& payload, const char* field) {
    const json& value = required(payload, field);
    if (!value.is_string()) invalid(std::string(field) + " must be a string");
    return value.get_ref<const std::string&>();
}

// A positive integer that fits int64, whether nlohmann holds it signed (built in
// C++) or unsigned (parsed: non-negative integers parse as unsigned).
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

std::string read_user_id(const json& payload, const char* field) {
    const std::string& id = string_field(payload, field);
    if (id.empty() || id.size() > max_user_id_bytes)
        invalid(std::string(field) + " must be 1 to " + std::to_string(max_user_id_bytes) + " bytes");
    if (std::any_of(id.begin(), id.end(), [](unsigned char c) { return is_control(c); }))
        invalid(std::string(field) + " must not contain control characters");
    return id;
}

std::string read_text(const json& payload, const char* field, std::size_t max_length) {
    const std::string& text = string_field(payload, field);
    if (is_blank(text)) invalid(std::string(field) + " must not be empty");
    // Counting stops being cheap on megabytes: a byte count four times the limit is
    // over it whatever the characters.
    if (text.size() > 4 * max_length || utf8_length(text) > max_length)
        invalid(std::string(field) + " is longer than " + std::to_string(max_length) + " characters");
    if (std::any_of(text.begin(), text.end(),
                    [](unsigned char c) { return is_control(c) && c != '\t' && c != '\n' && c != '\r'; }))
        invalid(std::string(field) + " must not contain control characters");
    return text;
}

std::string read_room_name(const json& payload, const char* field) {
    std::string name = read_text(payload, field, max_room_name_length);
    if (name.find_first_of("\r\n") != std::string::npos) invalid(std::string(field) + " must be one line");
    return name;
}

bool read_flag(const json& payload, const char* field, bool fallback) {
    const json* value = field_of(payload, field);
    if (!value) return fallback;
    if (!value->is_boolean()) invalid(std::string(field) + " must be a boolean");
    return value->get<bool>();
}

std::vector<std::string> read_user_ids(const json& payload, const char* field) {
    std::vector<std::string> out;
    const json* value = field_of(payload, field);
    if (!value) return out;
    if (!value->is_array()) invalid(std::string(field) + " must be an array of user ids");
    if (value->size() > max_initial_members)
        invalid(std::string(field) + " may name at most " + std::to_string(max_initial_members) + " users");
    for (const auto& item : *value) {
        if (!item.is_string()) invalid(std::string(field) + " must be an array of user ids");
        const json wrapper = {{"user", item}};
        std::string id = read_user_id(wrapper, "user");
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    }
    return out;
}

std::string read_emoji(const json& payload, const char* field) {
    const std::string& emoji = string_field(payload, field);
    if (emoji.empty() || emoji.size() > max_emoji_bytes)
        invalid(std::string(field) + " must be 1 to " + std::to_string(max_emoji_bytes) + " bytes");
    if (std::any_of(emoji.begin(), emoji.end(), [](unsigned char c) { return is_control(c) || c == ' '; }))
        invalid(std::string(field) + " must not contain spaces or control characters");
    return emoji;
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

}  // namespace switchboard::plugins::chat
