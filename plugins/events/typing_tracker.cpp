#include "typing_tracker.hpp"

namespace switchboard::plugins::events {

bool typing_tracker::start(const std::string& event, const std::string& user, sdk::socket_id socket,
                           clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto [it, added] = typing_.insert_or_assign(typist{event, user}, entry{socket, now});
    return added;
}

bool typing_tracker::stop(const std::string& event, const std::string& user) {
    std::lock_guard lock(mutex_);
    return typing_.erase({event, user}) > 0;
}

std::vector<typing_tracker::typist> typing_tracker::drop_socket(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    std::vector<typist> out;
    for (auto it = typing_.begin(); it != typing_.end();) {
        if (it->second.socket == socket) {
            out.push_back(it->first);
            it = typing_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<typing_tracker::typist> typing_tracker::drop_socket_in(const std::string& event, sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    std::vector<typist> out;
    for (auto it = typing_.lower_bound({event, ""}); it != typing_.end() && it->first.first == event;) {
        if (it->second.socket == socket) {
            out.push_back(it->first);
            it = typing_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<typing_tracker::typist> typing_tracker::expire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::vector<typist> out;
    for (auto it = typing_.begin(); it != typing_.end();) {
        if (now - it->second.last >= timeout_) {
            out.push_back(it->first);
            it = typing_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

}  // namespace switchboard::plugins::events
