// The Admin UI's login sessions: after a good password the UI gets an id and presents
// it when it reconnects, instead of the password. Kept in memory by this node, bounded
// in count and age (a new login past the bound drops the oldest).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace switchboard::kernel::admin {

class admin_sessions {
public:
    using clock = std::chrono::steady_clock;

    explicit admin_sessions(std::size_t max_sessions = 256, clock::duration lifetime = std::chrono::hours(24))
        : max_sessions_(max_sessions), lifetime_(lifetime) {}

    // A new session id. Safe from any thread.
    std::string open();
    // Whether `id` is a live session. Safe from any thread.
    bool valid(std::string_view id);

private:
    struct entry {
        std::string id;
        clock::time_point expires;
    };
    void drop_expired(clock::time_point now);

    std::size_t max_sessions_;
    clock::duration lifetime_;
    std::mutex mutex_;
    std::deque<entry> sessions_;   // oldest first
};

}  // namespace switchboard::kernel::admin
