// Connection state recovery's memory: the sessions of disconnected sockets and the log
// of the events they may have missed, as socket.io's `persistSession` and
// `restoreSession` keep them. One node keeps both in memory (socketio/recovery_log);
// the redis-streams cluster keeps them in Redis, so a client recovers on any node.
//
// A position in the log is `<ms>-<seq>`, a Redis stream entry id: the offset a client
// reads as the last argument of an event and sends back when it reconnects.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel/engineio/wire_packet.hpp"

namespace switchboard::kernel::cluster {

struct log_position {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;

    // "<ms>-<seq>" (both decimal); nothing for any other text.
    static std::optional<log_position> parse(std::string_view text);
    std::string text() const { return std::to_string(ms) + "-" + std::to_string(seq); }
    auto operator<=>(const log_position&) const = default;
};

// What a socket leaves behind when it disconnects for a reason it may come back from.
struct saved_session {
    std::string nsp;
    std::string sid;
    std::string pid;                     // the private id only the client knows
    std::vector<std::string> rooms;      // its own id first, as Node keeps them
    nlohmann::ordered_json data = nlohmann::ordered_json::object();
    // Where the socket's live events started: the client's offset when it got none.
    std::optional<log_position> since;
};

// One event a recovering socket missed: already encoded (with its offset), or its
// data ([event, ...args, offset]) for the caller to encode.
struct missed_event {
    log_position offset;
    std::shared_ptr<const engineio::wire_message> message;
    nlohmann::ordered_json data;
};

struct missed_events {
    std::vector<missed_event> events;
    // The last position looked at: what the socket gets live is what comes after it.
    log_position end;
};

class session_store {
public:
    virtual ~session_store() = default;
    // Keeps `session` until the recovery window after its socket disconnected.
    // `connected`: the socket is still there (a store that outlives this node keeps it
    // now, so that a node killed outright leaves its sockets' sessions behind).
    virtual void save(const saved_session& session, bool connected) = 0;
    // The socket left for good: its session goes.
    virtual void forget(const std::string& pid) = 0;
    // Takes the session `pid` of `nsp` (once) if it is there, unexpired, and every event
    // after `from` (or after its `since`, without `from`) is still in the log. `done`
    // (any thread) gets the session with `since` set to where the replay starts, or
    // nothing and why not (a metric label: unknown_session, log_overflow...).
    using claim_fn = std::function<void(std::optional<saved_session>, std::string_view why_not)>;
    virtual void claim(const std::string& nsp, const std::string& pid, std::optional<log_position> from,
                       claim_fn done) = 0;
    // The events of `nsp` logged after `from` that a socket in `rooms` receives, in
    // order; nothing when some of them have left the log since. `done` on any thread.
    using missed_fn = std::function<void(std::optional<missed_events>)>;
    virtual void missed(const std::string& nsp, log_position from, std::vector<std::string> rooms, missed_fn done) = 0;
    // Whether sessions survive this node (then connected sockets' sessions are saved
    // as they change, not only when they disconnect).
    virtual bool outlives_node() const { return false; }
};

// Whether an event sent to `to_rooms` (all when empty) except `except_rooms` reaches a
// socket in `rooms` (Node's shouldIncludePacket).
bool reaches(const std::vector<std::string>& rooms, const std::vector<std::string>& to_rooms,
             const std::vector<std::string>& except_rooms);

}  // namespace switchboard::kernel::cluster
