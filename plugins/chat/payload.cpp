#include "payload.hpp"

#include <algorithm>

namespace switchboard::plugins::chat {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

}  // namespace

std::string read_room_name(const json& payload, const char* field) {
    return read_text(payload, field, max_room_name_length, /*one_line=*/true);
}

std::vector<std::string> read_user_ids(const json& payload, const char* field) {
    std::vector<std::string> out;
    const json* value = sdk::payload::detail::field_of(payload, field);
    if (!value) return out;
    if (!value->is_array()) invalid(std::string(field) + " must be an array of user ids");
    if (value->size() > max_initial_members)
        invalid(std::string(field) + " may name at most " + std::to_string(max_initial_members) + " users");
    for (const auto& item : *value) {
        std::string id = checked_user_id(item, "each of " + std::string(field));
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    }
    return out;
}

std::string read_emoji(const json& payload, const char* field) {
    const std::string& emoji = read_string(payload, field);
    if (emoji.empty() || emoji.size() > max_emoji_bytes)
        invalid(std::string(field) + " must be 1 to " + std::to_string(max_emoji_bytes) + " bytes");
    if (std::any_of(emoji.begin(), emoji.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f || c == ' '; }))
        invalid(std::string(field) + " must not contain spaces or control characters");
    return emoji;
}

}  // namespace switchboard::plugins::chat
