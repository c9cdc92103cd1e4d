#include "cluster_routes.hpp"

namespace switchboard::plugins::calls {

socket_id remote_sockets::id_of(const std::string& node, socket_id handle) {
    std::lock_guard lock(mutex_);
    const auto [it, fresh] = ids_.try_emplace({node, handle}, next_);
    if (fresh) {
        sockets_[next_] = {node, handle};
        ++next_;
    }
    return it->second;
}

std::optional<remote_socket> remote_sockets::find(socket_id id) const {
    std::lock_guard lock(mutex_);
    const auto it = sockets_.find(id);
    if (it == sockets_.end()) return std::nullopt;
    return it->second;
}

std::optional<socket_id> remote_sockets::forget(const std::string& node, socket_id handle) {
    std::lock_guard lock(mutex_);
    const auto it = ids_.find({node, handle});
    if (it == ids_.end()) return std::nullopt;
    const auto id = it->second;
    sockets_.erase(id);
    ids_.erase(it);
    return id;
}

std::string pending_requests::add(const sdk::event& e, clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    auto id = std::to_string(++next_);
    waiting_.emplace(id, std::make_pair(e, deadline));
    return id;
}

std::optional<sdk::event> pending_requests::take(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto it = waiting_.find(id);
    if (it == waiting_.end()) return std::nullopt;
    auto e = std::move(it->second.first);
    waiting_.erase(it);
    return e;
}

std::vector<sdk::event> pending_requests::expire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::vector<sdk::event> out;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (it->second.second <= now) {
            out.push_back(std::move(it->second.first));
            it = waiting_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

}  // namespace switchboard::plugins::calls
