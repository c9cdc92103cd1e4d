#include "typing_tracker.hpp"

namespace switchboard::plugins::chat {

bool typing_tracker::start(std::int64_t room, const std::string& user, sdk::socket_id socket, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = typists_.try_emplace(key{room, user});
    // The latest device to type owns the entry: its leaving or disconnecting clears it.
    it->second.socket = socket;
    it->second.deadline = now + timeout_;
    if (inserted) notify_(room, user, true);
    return inserted;
}

bool typing_tracker::stop(std::int64_t room, const std::string& user) {
    std::lock_guard lock(mutex_);
    const auto found = typists_.find(key{room, user});
    if (found == typists_.end()) return false;
    typists_.erase(found);
    notify_(room, user, false);
    return true;
}

template <class Predicate>
void typing_tracker::clear_if(Predicate&& matches) {
    std::lock_guard lock(mutex_);
    for (auto it = typists_.begin(); it != typists_.end();) {
        if (!matches(it->first, it->second)) {
            ++it;
            continue;
        }
        const key cleared = it->first;
        it = typists_.erase(it);
        notify_(cleared.first, cleared.second, false);
    }
}

void typing_tracker::left(sdk::socket_id socket, std::int64_t room) {
    clear_if([&](const key& k, const typist& t) { return k.first == room && t.socket == socket; });
}

void typing_tracker::disconnected(sdk::socket_id socket) {
    clear_if([&](const key&, const typist& t) { return t.socket == socket; });
}

void typing_tracker::expire(clock::time_point now) {
    clear_if([&](const key&, const typist& t) { return t.deadline <= now; });
}

std::size_t typing_tracker::size() const {
    std::lock_guard lock(mutex_);
    return typists_.size();
}

}  // namespace switchboard::plugins::chat
