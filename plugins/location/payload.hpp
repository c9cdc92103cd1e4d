// What clients send, checked field by field. Every reader throws
// sdk::error("invalid_payload", <the field and what was expected>): a handler reads
// everything first and changes nothing until it all passed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/payload.hpp>

namespace switchboard::plugins::location {

using sdk::json;

inline constexpr std::size_t max_room_bytes = 128;
using sdk::payload::max_user_id_bytes;

// A position as shared. Optional fields stay absent when the device does not know them.
struct position {
    double lat = 0;
    double lng = 0;
    std::optional<double> accuracy;   // metres, >= 0
    std::optional<double> heading;    // degrees clockwise from north, [0, 360)
    std::optional<double> speed;      // metres per second, >= 0
};

// Who receives a share or a stop: one room, or chosen users (distinct, sorted). For a
// stop, both empty means "everything I share".
struct audience {
    std::optional<std::string> room;
    std::vector<std::string> users;
};

struct share_request {
    audience to;
    position where;
};

// The event's first argument, an object; with `optional`, missing or null reads as {}
// (the SDK's reader).
using sdk::payload::payload_of;

// A room name: 1..max_room_bytes of UTF-8 without control characters.
std::string read_room(const json& payload);

// {room | users, lat, lng, accuracy?, heading?, speed?}: exactly one of room and users;
// users holds 1..max_recipients ids, never the sharer's own.
share_request read_share(const json& payload, const std::string& sharer, std::size_t max_recipients);

// {room?} or {users?} or {}: what to stop sharing.
audience read_stop(const json& payload, std::size_t max_recipients);

// The position as clients see it: {lat, lng, accuracy, heading, speed}, unknowns null.
json to_json(const position& where);

}  // namespace switchboard::plugins::location
