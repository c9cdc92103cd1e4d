#include "socket_directory.hpp"

namespace switchboard::plugins::lua {

std::shared_ptr<const socket_entry> make_socket_entry(const sdk::socket_info& s) {
    auto entry = std::make_shared<socket_entry>();
    entry->handle = s.socket;
    entry->id = s.id;
    entry->nsp = s.nsp;
    entry->auth = s.auth.is_discarded() ? sdk::json::object() : s.auth;
    entry->handshake = s.handshake.is_discarded() ? sdk::json::object() : s.handshake;
    return entry;
}

void socket_directory::add(std::shared_ptr<const socket_entry> entry) {
    auto& part = shard_of(entry->handle);
    std::lock_guard lock(part.mutex);
    part.entries[entry->handle] = std::move(entry);
}

void socket_directory::remove(sdk::socket_id handle) {
    auto& part = shard_of(handle);
    std::lock_guard lock(part.mutex);
    part.entries.erase(handle);
}

std::shared_ptr<const socket_entry> socket_directory::find(sdk::socket_id handle) const {
    auto& part = shard_of(handle);
    std::lock_guard lock(part.mutex);
    const auto found = part.entries.find(handle);
    return found == part.entries.end() ? nullptr : found->second;
}

}  // namespace switchboard::plugins::lua
