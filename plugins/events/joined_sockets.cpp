#include "joined_sockets.hpp"

namespace switchboard::plugins::events {

void joined_sockets::add(const std::string& event, sdk::socket_id socket, const std::string& user) {
    std::lock_guard lock(mutex_);
    joined_[{event, socket}] = user;
}

bool joined_sockets::remove(const std::string& event, sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    return joined_.erase({event, socket}) > 0;
}

std::vector<std::string> joined_sockets::remove_socket(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> events;
    for (auto it = joined_.begin(); it != joined_.end();) {
        if (it->first.second == socket) {
            events.push_back(it->first.first);
            it = joined_.erase(it);
        } else {
            ++it;
        }
    }
    return events;
}

std::vector<sdk::socket_id> joined_sockets::sockets_of(const std::string& event, const std::string& user) const {
    std::lock_guard lock(mutex_);
    std::vector<sdk::socket_id> out;
    // Keys sort by event first: walk that event's range only.
    for (auto it = joined_.lower_bound({event, 0}); it != joined_.end() && it->first.first == event; ++it)
        if (it->second == user) out.push_back(it->first.second);
    return out;
}

std::vector<sdk::socket_id> joined_sockets::sockets_in(const std::string& event) const {
    std::lock_guard lock(mutex_);
    std::vector<sdk::socket_id> out;
    for (auto it = joined_.lower_bound({event, 0}); it != joined_.end() && it->first.first == event; ++it)
        out.push_back(it->first.second);
    return out;
}

bool joined_sockets::contains(const std::string& event, sdk::socket_id socket) const {
    std::lock_guard lock(mutex_);
    return joined_.count({event, socket}) > 0;
}

}  // namespace switchboard::plugins::events
