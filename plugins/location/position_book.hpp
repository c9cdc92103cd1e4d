// The plugin's memory: which sockets joined which location rooms, the last known
// position of every share (with its expiry), and the per-user throttle. Nothing here
// emits: each change returns what the caller has to announce, so the rules are tested
// without a server. Thread-safe: inline handlers run on every worker at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "payload.hpp"

namespace switchboard::plugins::location {

using socket_id = std::uint64_t;

// A last known position as a receiver sees it.
struct known_position {
    std::string user;
    position where;
    std::int64_t at = 0;   // Unix ms when it was shared
};

// A share that ended: announce `location:stopped` to the room, or to each recipient.
struct ended_share {
    std::string user;
    std::optional<std::string> room;
    std::vector<std::string> recipients;
};

class position_book {
public:
    using clock = std::chrono::steady_clock;

    position_book(std::chrono::milliseconds min_interval, std::chrono::milliseconds ttl)
        : min_interval_(min_interval), ttl_(ttl) {}

    // ---- room membership of sockets (location:join / location:leave)
    void joined(socket_id socket, const std::string& room);
    bool is_member(socket_id socket, const std::string& room) const;
    std::size_t rooms_of(socket_id socket) const;
    // Forgets the membership; the shares this socket made there end.
    std::vector<ended_share> left(socket_id socket, const std::string& room);
    // Forgets the socket; every share it made ends.
    std::vector<ended_share> disconnected(socket_id socket);

    // ---- shares
    // Zero when `user` may share to `to` now (and the share is counted), else how long
    // to wait. One budget per user and audience: all the user's devices together.
    std::chrono::milliseconds admit(const std::string& user, const audience& to, clock::time_point now);
    void put(const std::string& user, socket_id socket, const audience& to, const position& where, std::int64_t at,
             clock::time_point now);
    // What the user stops: one room, some recipients, or (both empty) everything.
    std::vector<ended_share> stop(const std::string& user, const audience& what);
    // Removes what is older than the ttl. Only the shares made on this node are
    // returned (announced): another node's expire silently, their node announces them.
    std::vector<ended_share> expire(clock::time_point now);

    // ---- shares made on other nodes of a cluster (see location_plugin.cpp)
    // Another node's share: kept like one of ours, with no socket of ours to end it;
    // it counts against the user's throttle here too.
    void put_remote(const std::string& user, const audience& to, const position& where, std::int64_t at,
                    std::chrono::milliseconds ttl, clock::time_point now);
    // Shares another node ended: forgotten without a word (that node announced them).
    void end_remote(const std::vector<ended_share>& ended);

    // ---- what a receiver may see (live positions only)
    std::vector<known_position> in_room(const std::string& room, clock::time_point now) const;
    std::vector<known_position> shared_with(const std::string& recipient, clock::time_point now) const;

private:
    struct entry {
        position where;
        std::int64_t at = 0;
        socket_id socket = 0;
        clock::time_point expires;
        bool remote = false;   // shared on another node: no socket here ends it
    };
    // (room, sharer) and (sharer, recipient): one last position each.
    using room_key = std::pair<std::string, std::string>;
    using direct_key = std::pair<std::string, std::string>;

    // Ends the shares matching `match`; caller holds the lock.
    template <class RoomMatch, class DirectMatch>
    std::vector<ended_share> end_where(RoomMatch room_match, DirectMatch direct_match);

    const std::chrono::milliseconds min_interval_;
    const std::chrono::milliseconds ttl_;
    mutable std::mutex mutex_;
    std::map<socket_id, std::set<std::string>> rooms_of_;
    std::map<room_key, entry> room_positions_;
    std::map<direct_key, entry> direct_positions_;
    std::map<std::string, clock::time_point> last_share_;   // "user\0audience" -> time
};

}  // namespace switchboard::plugins::location
