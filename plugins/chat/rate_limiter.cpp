#include "rate_limiter.hpp"

namespace switchboard::plugins::chat {

bool rate_limiter::try_acquire(const std::string& key, clock::time_point now) {
    if (limit_ == 0) return true;
    std::lock_guard lock(mutex_);
    auto& times = events_[key];
    while (!times.empty() && now - times.front() >= window_) times.pop_front();
    if (times.size() >= limit_) return false;
    times.push_back(now);
    return true;
}

void rate_limiter::forget_idle(clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (auto it = events_.begin(); it != events_.end();) {
        if (it->second.empty() || now - it->second.back() >= window_) it = events_.erase(it);
        else ++it;
    }
}

std::size_t rate_limiter::tracked_keys() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

}  // namespace switchboard::plugins::chat
