// A sliding-window limit on events per key (chat: messages sent per user, across
// all of the user's devices on this node). Thread-safe: pooled handlers of several
// sockets call it at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard::plugins::chat {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    // At most `limit` events per `window`; a limit of 0 lets everything through.
    rate_limiter(std::size_t limit, std::chrono::milliseconds window) : limit_(limit), window_(window) {}

    // Records an event for `key` at `now` and returns true, or returns false (and
    // records nothing) when `key` already had `limit` events in the window.
    bool try_acquire(const std::string& key, clock::time_point now = clock::now());

    // Forgets keys with no event in the window, so idle users cost no memory.
    void forget_idle(clock::time_point now = clock::now());

    std::size_t tracked_keys() const;

private:
    std::size_t limit_;
    std::chrono::milliseconds window_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::deque<clock::time_point>> events_;
};

}  // namespace switchboard::plugins::chat
