#include "subscriptions.hpp"

namespace switchboard::plugins::presence {

std::optional<std::vector<std::string>> subscription_registry::add(sdk::socket_id socket,
                                                                   const std::vector<std::string>& user_ids,
                                                                   std::size_t limit) {
    std::lock_guard lock(mutex_);
    auto& followed = followed_[socket];
    std::vector<std::string> added;
    for (const auto& id : user_ids)
        if (!followed.count(id)) added.push_back(id);
    if (followed.size() + added.size() > limit) {
        if (followed.empty()) followed_.erase(socket);
        return std::nullopt;
    }
    followed.insert(added.begin(), added.end());
    return added;
}

std::vector<std::string> subscription_registry::remove(sdk::socket_id socket, const std::vector<std::string>& user_ids) {
    std::lock_guard lock(mutex_);
    const auto found = followed_.find(socket);
    if (found == followed_.end()) return {};
    std::vector<std::string> removed;
    for (const auto& id : user_ids)
        if (found->second.erase(id)) removed.push_back(id);
    if (found->second.empty()) followed_.erase(found);
    return removed;
}

void subscription_registry::drop(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    followed_.erase(socket);
}

}  // namespace switchboard::plugins::presence
