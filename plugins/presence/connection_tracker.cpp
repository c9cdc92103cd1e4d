#include "connection_tracker.hpp"

#include <vector>

namespace switchboard::plugins::presence {

void connection_tracker::connected(sdk::socket_id socket, const std::string& nsp, const std::string& user_id) {
    std::lock_guard lock(mutex_);
    // A handle names one socket for the server's life; seeing it twice would be a
    // kernel bug, and counting it twice would never be undone.
    if (!sockets_.emplace(socket, entry{nsp, user_id, clock::now()}).second) return;
    by_user_[user_id].insert(socket);
    unchecked_.push_back(socket);
    store_.add_socket(nsp, user_id);
}

void connection_tracker::disconnected(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    forget_locked(socket);
}

void connection_tracker::forget_locked(sdk::socket_id socket) {
    const auto found = sockets_.find(socket);
    if (found == sockets_.end()) return;
    store_.remove_socket(found->second.nsp, found->second.user_id);
    const auto user = by_user_.find(found->second.user_id);
    if (user != by_user_.end()) {
        user->second.erase(socket);
        if (user->second.empty()) by_user_.erase(user);
    }
    sockets_.erase(found);
}

void connection_tracker::sweep(const std::function<bool(const std::string& user_id)>& has_sessions) {
    struct candidate {
        sdk::socket_id socket;
        std::string user_id;
    };
    std::vector<candidate> due;
    {
        std::lock_guard lock(mutex_);
        const auto settled = clock::now() - settle_;
        while (!unchecked_.empty()) {
            const auto found = sockets_.find(unchecked_.front());
            if (found != sockets_.end()) {
                if (found->second.at > settled) break;
                due.push_back({found->first, found->second.user_id});
            }
            unchecked_.pop_front();
        }
    }
    // The kernel is asked without our lock held: the connect hook takes it on a network
    // worker, which must never wait behind a call into the kernel.
    for (const auto& c : due) {
        if (has_sessions(c.user_id)) continue;
        std::lock_guard lock(mutex_);
        forget_locked(c.socket);
    }
}

void connection_tracker::user_gone(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    const auto user = by_user_.find(user_id);
    if (user == by_user_.end()) return;
    const auto settled = clock::now() - settle_;
    std::vector<sdk::socket_id> stale;
    for (const auto socket : user->second)
        if (sockets_.at(socket).at <= settled) stale.push_back(socket);
    for (const auto socket : stale) forget_locked(socket);
}

}  // namespace switchboard::plugins::presence
