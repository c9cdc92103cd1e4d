#include "kernel/rooms/presence.hpp"

namespace switchboard::kernel::rooms {

std::uint32_t presence::sockets_of(std::string_view user_id) const {
    std::lock_guard lock(mutex_);
    const auto found = sockets_.find(user_id);
    return found == sockets_.end() ? 0 : found->second;
}

std::vector<std::string> presence::online(std::size_t offset, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto it = sockets_.begin();
    for (std::size_t i = 0; i < offset && it != sockets_.end(); ++i) ++it;
    for (; it != sockets_.end() && out.size() < limit; ++it) out.push_back(it->first);
    return out;
}

std::size_t presence::online_count() const {
    std::lock_guard lock(mutex_);
    return sockets_.size();
}

}  // namespace switchboard::kernel::rooms
