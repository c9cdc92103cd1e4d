#include "payloads.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace switchboard::plugins::notifications {

namespace {

constexpr std::size_t max_type_length = 64;
constexpr std::size_t max_user_id_length = 255;
// Deeper than any real notification needs; also keeps the recursive dump() that
// stores the data far away from the stack's end.
constexpr std::size_t max_data_depth = 16;

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

const json& field(const json& object, const char* name) {
    static const json absent;
    const auto found = object.find(name);
    return found == object.end() ? absent : *found;
}

std::string bounded_text(const json& value, const char* name, std::size_t min_length, std::size_t max_length) {
    if (!value.is_string())
        invalid(std::string(name) + (value.is_null() ? " is missing" : " must be a string"));
    const auto& text = value.get_ref<const std::string&>();
    const std::size_t length = utf8_length(text);
    if (length < min_length || length > max_length)
        invalid(std::string(name) + " must have " + std::to_string(min_length) + " to " + std::to_string(max_length) +
                " characters, got " + std::to_string(length));
    return text;
}

bool is_type_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == ':' || c == '-';
}

std::optional<std::int64_t> positive_id(const json& value) {
    if (value.is_number_unsigned()) {
        const auto id = value.get<std::uint64_t>();
        if (id == 0 || id > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(id);
    }
    if (value.is_number_integer()) {
        const auto id = value.get<std::int64_t>();
        if (id <= 0) return std::nullopt;
        return id;
    }
    return std::nullopt;
}

// Walks without recursion: the value came from the network and may nest deeply.
void check_plain_data(const json& data) {
    std::vector<std::pair<const json*, std::size_t>> pending{{&data, 1}};
    while (!pending.empty()) {
        const auto [value, depth] = pending.back();
        pending.pop_back();
        if (value->is_binary()) invalid("data must not hold binary values");
        if (!value->is_structured()) continue;
        if (depth > max_data_depth) invalid("data nests deeper than " + std::to_string(max_data_depth) + " levels");
        for (const auto& item : *value) pending.emplace_back(&item, depth + 1);
    }
}

}  // namespace

std::size_t utf8_length(std::string_view text) {
    // Every character has exactly one byte that is not a continuation byte (10xxxxxx).
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

const json& object_argument(const json& args, bool optional) {
    static const json empty = json::object();
    if (!args.is_array() || args.empty() || args[0].is_null()) {
        if (optional) return empty;
        invalid("expected an object argument");
    }
    if (!args[0].is_object()) invalid("the argument must be an object");
    return args[0];
}

notification_input read_notification(const json& payload, const settings& config, const std::string& default_type) {
    if (!payload.is_object()) invalid("the notification must be an object");
    notification_input out;

    const json& type = field(payload, "type");
    if (type.is_null() && !default_type.empty()) {
        out.type = default_type;
    } else {
        out.type = bounded_text(type, "type", 1, max_type_length);
        if (!std::all_of(out.type.begin(), out.type.end(), is_type_char))
            invalid("type may use only letters, digits and _ . : -");
    }
    out.title = bounded_text(field(payload, "title"), "title", 1, config.max_title_length);
    out.message = bounded_text(field(payload, "message"), "message", 0, config.max_message_length);

    const json& data = field(payload, "data");
    if (!data.is_null()) {
        if (!data.is_object()) invalid("data must be an object");
        check_plain_data(data);
        if (data.dump().size() > config.max_data_bytes)
            invalid("data must be at most " + std::to_string(config.max_data_bytes) + " bytes as JSON");
        out.data = data;
    }
    return out;
}

std::vector<std::string> read_recipients(const json& payload, const settings& config) {
    if (!payload.is_object()) invalid("the notification must be an object");
    const json& one = field(payload, "userId");
    const json& many = field(payload, "userIds");
    if (!one.is_null() && !many.is_null()) invalid("give userId or userIds, not both");
    if (!one.is_null()) return {bounded_text(one, "userId", 1, max_user_id_length)};
    if (many.is_null()) invalid("userId is missing");
    if (!many.is_array() || many.empty() || many.size() > config.max_recipients)
        invalid("userIds must be an array of 1 to " + std::to_string(config.max_recipients) + " user ids");
    std::vector<std::string> out;
    for (const auto& item : many) {
        auto id = bounded_text(item, "userIds[]", 1, max_user_id_length);
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    }
    return out;
}

list_query read_list_query(const json& payload, const settings& config) {
    list_query out;
    out.limit = config.page_size;
    if (const json& before = field(payload, "before"); !before.is_null()) {
        out.before = positive_id(before);
        if (!out.before) invalid("before must be a positive integer (a notification id)");
    }
    if (const json& limit = field(payload, "limit"); !limit.is_null()) {
        const auto value = positive_id(limit);
        if (!value || static_cast<std::size_t>(*value) > config.max_page_size)
            invalid("limit must be an integer from 1 to " + std::to_string(config.max_page_size));
        out.limit = static_cast<std::size_t>(*value);
    }
    if (const json& unread_only = field(payload, "unreadOnly"); !unread_only.is_null()) {
        if (!unread_only.is_boolean()) invalid("unreadOnly must be a boolean");
        out.unread_only = unread_only.get<bool>();
    }
    return out;
}

std::vector<std::int64_t> read_ids(const json& payload, const settings& config) {
    const json& one = field(payload, "id");
    const json& many = field(payload, "ids");
    if (!one.is_null() && !many.is_null()) invalid("give id or ids, not both");
    if (!one.is_null()) {
        const auto id = positive_id(one);
        if (!id) invalid("id must be a positive integer");
        return {*id};
    }
    if (many.is_null()) invalid("id is missing");
    if (!many.is_array() || many.empty() || many.size() > config.max_page_size)
        invalid("ids must be an array of 1 to " + std::to_string(config.max_page_size) + " ids");
    std::vector<std::int64_t> out;
    for (const auto& item : many) {
        const auto id = positive_id(item);
        if (!id) invalid("ids must hold positive integers");
        if (std::find(out.begin(), out.end(), *id) == out.end()) out.push_back(*id);
    }
    return out;
}

std::optional<std::int64_t> read_up_to(const json& payload) {
    const json& up_to = field(payload, "upTo");
    if (up_to.is_null()) return std::nullopt;
    const auto id = positive_id(up_to);
    if (!id) invalid("upTo must be a positive integer (a notification id)");
    return id;
}

}  // namespace switchboard::plugins::notifications
