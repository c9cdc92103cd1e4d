#include "connection_tracker.hpp"

namespace switchboard::plugins::presence {

void connection_tracker::connected(sdk::socket_id socket, const std::string& nsp, const std::string& user_id) {
    std::lock_guard lock(mutex_);
    // A handle names one socket for the server's life; seeing it twice would be a
    // kernel bug, and counting it twice would never be undone.
    if (!sockets_.emplace(socket, entry{nsp, user_id}).second) return;
    store_.add_socket(nsp, user_id);
}

void connection_tracker::disconnected(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    const auto found = sockets_.find(socket);
    if (found == sockets_.end()) return;
    store_.remove_socket(found->second.nsp, found->second.user_id);
    sockets_.erase(found);
}

}  // namespace switchboard::plugins::presence
