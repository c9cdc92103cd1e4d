// Which sockets joined which event room, on this node: the typing relay checks it
// without the database (it runs inline), and a user who stops taking part has their
// sockets taken out of the room (the SDK leaves rooms per socket). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::events {

class joined_sockets {
public:
    void add(const std::string& event, sdk::socket_id socket, const std::string& user);
    // False if the socket was not there.
    bool remove(const std::string& event, sdk::socket_id socket);
    // Forgets the socket everywhere; returns the events it had joined.
    std::vector<std::string> remove_socket(sdk::socket_id socket);
    std::vector<sdk::socket_id> sockets_of(const std::string& event, const std::string& user) const;
    // Every socket of this node joined to the event.
    std::vector<sdk::socket_id> sockets_in(const std::string& event) const;
    bool contains(const std::string& event, sdk::socket_id socket) const;

private:
    mutable std::mutex mutex_;
    // (event, socket) -> user
    std::map<std::pair<std::string, sdk::socket_id>, std::string> joined_;
};

}  // namespace switchboard::plugins::events
