#include "kernel/net/ip_limiter.hpp"

#include <algorithm>

namespace switchboard::kernel::net {

ip_limiter::ip_limiter(unsigned max_connections, unsigned max_handshakes_per_second)
    : max_connections_(max_connections), max_handshakes_(max_handshakes_per_second) {}

std::shared_ptr<void> ip_limiter::open_connection(const std::string& address) {
    // Something non-null that owns nothing: "admitted, nothing to give back".
    static const auto unlimited = std::make_shared<int>(0);
    if (max_connections_ == 0) return unlimited;
    {
        std::lock_guard lock(mutex_);
        auto& e = entries_[address];
        if (e.connections >= max_connections_) return nullptr;
        ++e.connections;
    }
    // The token keeps the limiter alive: a connection may outlive the server's stop.
    struct slot {
        std::shared_ptr<ip_limiter> owner;
        std::string address;
        ~slot() {
            if (owner) owner->release(address);
        }
    };
    auto token = std::make_shared<slot>();
    token->owner = shared_from_this();
    token->address = address;
    return token;
}

void ip_limiter::release(const std::string& address) {
    std::lock_guard lock(mutex_);
    const auto found = entries_.find(address);
    if (found == entries_.end()) return;
    if (found->second.connections > 0) --found->second.connections;
    if (found->second.connections == 0 && max_handshakes_ == 0) entries_.erase(found);
}

bool ip_limiter::allow_handshake(const std::string& address) {
    if (max_handshakes_ == 0) return true;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= prune_at_) prune(now);
    auto [it, inserted] = entries_.try_emplace(address);
    auto& e = it->second;
    const double capacity = max_handshakes_;
    if (inserted || e.refilled == std::chrono::steady_clock::time_point{}) {
        e.tokens = capacity;
    } else {
        const double seconds = std::chrono::duration<double>(now - e.refilled).count();
        e.tokens = std::min(capacity, e.tokens + seconds * capacity);
    }
    e.refilled = now;
    if (e.tokens < 1.0) return false;
    e.tokens -= 1.0;
    return true;
}

void ip_limiter::prune(std::chrono::steady_clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        const bool bucket_full = it->second.refilled == std::chrono::steady_clock::time_point{} ||
                                 now - it->second.refilled >= std::chrono::seconds(1);
        if (it->second.connections == 0 && bucket_full) it = entries_.erase(it);
        else ++it;
    }
    // Still large: every entry is in use; look again when it has doubled.
    prune_at_ = std::max<std::size_t>(1024, entries_.size() * 2);
}

std::size_t ip_limiter::tracked() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace switchboard::kernel::net
