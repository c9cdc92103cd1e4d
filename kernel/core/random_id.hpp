// Unguessable identifiers for Engine.IO sessions and Socket.IO sockets.
//
// A session id must not be guessable: with it, anyone could read and write a
// long-polling session. Ids are 20 characters of base64url drawn from OpenSSL's CSPRNG,
// the same length as the reference server's. A session id's first character also names
// the worker that owns the session, so a request landing on another worker is handed
// to the owner without any shared table.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::kernel {

inline constexpr std::size_t id_length = 20;
inline constexpr std::size_t max_workers = 64;   // one base64url character

// A random id whose first character encodes `worker` (< max_workers).
std::string make_session_id(std::size_t worker);

// A random id (for Socket.IO sockets).
std::string make_random_id();

// The worker encoded in a session id, or nothing for an id of the wrong shape.
std::optional<std::size_t> worker_of_session_id(std::string_view sid) noexcept;

}  // namespace switchboard::kernel
