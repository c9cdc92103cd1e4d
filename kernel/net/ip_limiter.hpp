// Per-address limits: concurrent connections, and Engine.IO handshakes per second.
//
// Shared by every worker (SO_REUSEPORT spreads one address's connections over all of
// them), so it takes a mutex; it is consulted once per accepted connection and once
// per handshake, never per message. Both limits are off (0) by default.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard::kernel::net {

class ip_limiter : public std::enable_shared_from_this<ip_limiter> {
public:
    ip_limiter(unsigned max_connections, unsigned max_handshakes_per_second);

    // A connection from `address` opens: returns the token that holds its place (the
    // place is freed when the last copy of the token goes), or null when the address
    // is at its limit. With no limit, a token that holds nothing.
    std::shared_ptr<void> open_connection(const std::string& address);

    // A handshake from `address`: false when over its rate (a token bucket of one
    // second's worth).
    bool allow_handshake(const std::string& address);

    // Addresses tracked now (for tests).
    std::size_t tracked() const;

private:
    struct entry {
        unsigned connections = 0;
        double tokens = 0;
        std::chrono::steady_clock::time_point refilled{};
    };

    void release(const std::string& address);
    // Drops entries that hold nothing (no connection, a full bucket), so a scan over
    // many addresses does not grow the table for good.
    void prune(std::chrono::steady_clock::time_point now);

    const unsigned max_connections_;
    const unsigned max_handshakes_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
    std::size_t prune_at_ = 1024;
};

}  // namespace switchboard::kernel::net
