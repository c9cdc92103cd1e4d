// What clients send, checked field by field with the SDK's readers
// (switchboard/payload.hpp) and the one reader of the events plugin's own: each throws
// sdk::error("invalid_payload", ...), so a handler reads all its fields first.
#pragma once

#include <cstddef>
#include <string>

#include <switchboard/payload.hpp>

namespace switchboard::plugins::events {

using sdk::json;
using namespace sdk::payload;

// An event id: a string of 1 to max_event_id_bytes letters, digits and _ . : -
// (it names a Socket.IO room).
inline constexpr std::size_t max_event_id_bytes = 128;
std::string read_event_id(const json& payload, const char* field);

}  // namespace switchboard::plugins::events
