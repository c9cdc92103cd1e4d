#include "editing_tracker.hpp"

namespace switchboard::plugins::collab {

bool editing_tracker::start(const key& who, socket_id socket, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto [it, fresh] = editing_.try_emplace(who);
    it->second.expires = now + timeout_;
    it->second.sockets.insert(socket);
    return fresh;
}

bool editing_tracker::stop(const key& who) {
    std::lock_guard lock(mutex_);
    return editing_.erase(who) > 0;
}

std::vector<editing_tracker::key> editing_tracker::disconnected(socket_id socket) {
    std::lock_guard lock(mutex_);
    std::vector<key> stopped;
    for (auto it = editing_.begin(); it != editing_.end();) {
        it->second.sockets.erase(socket);
        if (it->second.sockets.empty()) {
            stopped.push_back(it->first);
            it = editing_.erase(it);
        } else {
            ++it;
        }
    }
    return stopped;
}

std::vector<editing_tracker::key> editing_tracker::expire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::vector<key> stopped;
    for (auto it = editing_.begin(); it != editing_.end();) {
        if (it->second.expires <= now) {
            stopped.push_back(it->first);
            it = editing_.erase(it);
        } else {
            ++it;
        }
    }
    return stopped;
}

}  // namespace switchboard::plugins::collab
