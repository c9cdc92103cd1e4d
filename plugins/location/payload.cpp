#include "payload.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::plugins::location {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

// A JSON number (booleans are not numbers here, and neither are numeric strings).
double number_in(const json& payload, const char* field, double low, double high, bool high_open = false) {
    const auto it = payload.find(field);
    if (it == payload.end() || !it->is_number())
        invalid(std::string(field) + " must be a number");
    const double value = it->get<double>();
    if (!std::isfinite(value) || value < low || value > high || (high_open && value == high))
        invalid(std::string(field) + " must be between " + std::to_string(low) + " and " + std::to_string(high) +
                (high_open ? " (excluded)" : ""));
    return value;
}

std::optional<double> optional_number(const json& payload, const char* field, double low, double high,
                                      bool high_open = false) {
    const auto it = payload.find(field);
    if (it == payload.end() || it->is_null()) return std::nullopt;
    return number_in(payload, field, low, high, high_open);
}

std::vector<std::string> read_users(const json& value, std::size_t max_recipients) {
    if (!value.is_array() || value.empty())
        invalid("users must be a non-empty array of user ids");
    if (value.size() > max_recipients)
        invalid("users may hold at most " + std::to_string(max_recipients) + " ids");
    std::vector<std::string> users;
    for (const auto& item : value) {
        if (!sdk::payload::is_user_id(item)) invalid("users must hold user ids: strings of 1 to 255 bytes");
        users.push_back(item.get<std::string>());
    }
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    return users;
}

}  // namespace

std::string read_room(const json& payload) {
    const auto it = payload.find("room");
    if (it == payload.end() || !it->is_string()) invalid("room must be a string");
    const auto& room = it->get_ref<const std::string&>();
    if (room.empty() || room.size() > max_room_bytes || sdk::payload::has_control(room))
        invalid("room must be 1 to 128 bytes without control characters");
    return room;
}

share_request read_share(const json& payload, const std::string& sharer, std::size_t max_recipients) {
    share_request out;
    const bool has_room = payload.contains("room");
    const bool has_users = payload.contains("users");
    if (has_room == has_users) invalid("give exactly one of room and users");
    if (has_room) {
        out.to.room = read_room(payload);
    } else {
        out.to.users = read_users(payload.at("users"), max_recipients);
        if (std::binary_search(out.to.users.begin(), out.to.users.end(), sharer))
            invalid("users must not hold the sharer");
    }
    out.where.lat = number_in(payload, "lat", -90, 90);
    out.where.lng = number_in(payload, "lng", -180, 180);
    out.where.accuracy = optional_number(payload, "accuracy", 0, 1e7);
    out.where.heading = optional_number(payload, "heading", 0, 360, true);
    out.where.speed = optional_number(payload, "speed", 0, 1e5);
    return out;
}

audience read_stop(const json& payload, std::size_t max_recipients) {
    audience out;
    if (payload.contains("room") && payload.contains("users")) invalid("give at most one of room and users");
    if (payload.contains("room")) out.room = read_room(payload);
    if (payload.contains("users")) out.users = read_users(payload.at("users"), max_recipients);
    return out;
}

json to_json(const position& where) {
    const auto maybe = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    return {{"lat", where.lat},
            {"lng", where.lng},
            {"accuracy", maybe(where.accuracy)},
            {"heading", maybe(where.heading)},
            {"speed", maybe(where.speed)}};
}

}  // namespace switchboard::plugins::location
