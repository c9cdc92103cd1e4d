// Which of this node's sockets joined which chat rooms, and as which user.
//
// The kernel knows a socket's rooms, but the SDK does not expose them, and typing
// relays run inline where the database is out of reach: this registry is how
// typing:start checks that the typist joined the room, and how chat:remove finds the
// removed user's sockets to take out of the room. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

class joined_sockets {
public:
    void add(sdk::socket_id socket, const std::string& user, std::int64_t room);
    // False when the socket had not joined the room.
    bool remove(sdk::socket_id socket, std::int64_t room);
    // Forgets the socket; returns the rooms it had joined.
    std::vector<std::int64_t> drop(sdk::socket_id socket);
    bool contains(sdk::socket_id socket, std::int64_t room) const;
    // The user's sockets that joined `room`.
    std::vector<sdk::socket_id> sockets_of(const std::string& user, std::int64_t room) const;
    std::size_t size() const;

private:
    struct entry {
        std::string user;
        std::set<std::int64_t> rooms;
    };
    mutable std::mutex mutex_;
    std::unordered_map<sdk::socket_id, entry> sockets_;
    std::unordered_map<std::string, std::set<sdk::socket_id>> by_user_;
};

}  // namespace switchboard::plugins::chat
