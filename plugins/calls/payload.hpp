// What clients send, checked field by field. Every reader throws
// sdk::error("invalid_payload", <the field and what was expected>). The event's first
// argument and what a user id is are the SDK's (switchboard/payload.hpp); the refusals
// here word their own messages, which the calls spec holds clients to.
#pragma once

#include <cstddef>
#include <string>

#include <switchboard/payload.hpp>

#include "call_registry.hpp"

namespace switchboard::plugins::calls {

using sdk::payload::max_user_id_bytes;
// The event's first argument, which must be an object.
using sdk::payload::payload_of;

inline constexpr std::size_t max_call_id_bytes = 64;
inline constexpr std::size_t max_reason_bytes = 64;
inline constexpr std::size_t max_metadata_bytes = 4096;

// {to: "bob" | ["bob", "carol"], media?: "audio" | "video", metadata?: {...}}: at most
// max_participants - 1 invitees, never the caller.
invite_request read_invite(const json& payload, const std::string& caller, std::size_t max_participants);

std::string read_call_id(const json& payload);

// An optional short reason (reject): default "declined".
std::string read_reason(const json& payload);

struct signal_request {
    std::string call_id;
    std::string to;
    std::string kind;   // offer | answer | candidate
    json payload;
};

// {callId, to, kind, payload}: payload any JSON of at most max_bytes as text.
signal_request read_signal(const json& payload, std::size_t max_bytes);

}  // namespace switchboard::plugins::calls
