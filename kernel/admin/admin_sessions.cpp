#include "kernel/admin/admin_sessions.hpp"

#include <algorithm>

#include <openssl/crypto.h>

#include "kernel/core/random_id.hpp"

namespace switchboard::kernel::admin {

std::string admin_sessions::open() {
    std::string id = make_random_id();
    std::lock_guard lock(mutex_);
    const auto now = clock::now();
    drop_expired(now);
    if (sessions_.size() >= max_sessions_) sessions_.pop_front();
    sessions_.push_back(entry{id, now + lifetime_});
    return id;
}

bool admin_sessions::valid(std::string_view id) {
    if (id.empty()) return false;
    std::lock_guard lock(mutex_);
    drop_expired(clock::now());
    return std::any_of(sessions_.begin(), sessions_.end(), [&](const entry& e) {
        return e.id.size() == id.size() && CRYPTO_memcmp(e.id.data(), id.data(), id.size()) == 0;
    });
}

void admin_sessions::drop_expired(clock::time_point now) {
    while (!sessions_.empty() && sessions_.front().expires <= now) sessions_.pop_front();
}

}  // namespace switchboard::kernel::admin
