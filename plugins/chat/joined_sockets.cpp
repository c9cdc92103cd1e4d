#include "joined_sockets.hpp"

namespace switchboard::plugins::chat {

void joined_sockets::add(sdk::socket_id socket, const std::string& user, std::int64_t room) {
    std::lock_guard lock(mutex_);
    auto& e = sockets_[socket];
    e.user = user;
    e.rooms.insert(room);
    by_user_[user].insert(socket);
}

bool joined_sockets::remove(sdk::socket_id socket, std::int64_t room) {
    std::lock_guard lock(mutex_);
    const auto found = sockets_.find(socket);
    if (found == sockets_.end()) return false;
    return found->second.rooms.erase(room) > 0;
}

std::vector<std::int64_t> joined_sockets::drop(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    const auto found = sockets_.find(socket);
    if (found == sockets_.end()) return {};
    std::vector<std::int64_t> rooms(found->second.rooms.begin(), found->second.rooms.end());
    const auto user = by_user_.find(found->second.user);
    if (user != by_user_.end()) {
        user->second.erase(socket);
        if (user->second.empty()) by_user_.erase(user);
    }
    sockets_.erase(found);
    return rooms;
}

bool joined_sockets::contains(sdk::socket_id socket, std::int64_t room) const {
    std::lock_guard lock(mutex_);
    const auto found = sockets_.find(socket);
    return found != sockets_.end() && found->second.rooms.count(room) > 0;
}

std::vector<sdk::socket_id> joined_sockets::sockets_of(const std::string& user, std::int64_t room) const {
    std::vector<sdk::socket_id> out;
    std::lock_guard lock(mutex_);
    const auto found = by_user_.find(user);
    if (found == by_user_.end()) return out;
    for (const auto socket : found->second) {
        const auto e = sockets_.find(socket);
        if (e != sockets_.end() && e->second.rooms.count(room)) out.push_back(socket);
    }
    return out;
}

std::size_t joined_sockets::size() const {
    std::lock_guard lock(mutex_);
    return sockets_.size();
}

}  // namespace switchboard::plugins::chat
