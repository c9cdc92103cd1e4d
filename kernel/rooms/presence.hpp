// Who is online: connected sockets per authenticated user, across every worker.
//
// A user is online while any of their sockets is connected. The first socket and the
// last one are the transitions plugins hear about (the presence plugin builds on them).
// Connects and disconnects are rare next to messages, so one mutex is enough.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::kernel::rooms {

// Who is online as callers see it: this node's registry, or the cluster's.
class presence_view {
public:
    virtual ~presence_view() = default;
    virtual std::uint32_t sockets_of(std::string_view user_id) const = 0;
    // Online user ids in order, `limit` from `offset`.
    virtual std::vector<std::string> online(std::size_t offset, std::size_t limit) const = 0;
    virtual std::size_t online_count() const = 0;
};

class presence final : public presence_view {
public:
    // Told every change of a user's socket count (0: gone), under the registry's lock,
    // so in the order they happen; it must be quick. Set before serving.
    using count_fn = std::function<void(const std::string& user_id, std::uint32_t sockets)>;
    void on_count(count_fn fn) { on_count_ = std::move(fn); }

    // Counts a socket of `user_id`; calls `on_first` when it is the user's first. The
    // callback runs under the registry's lock, so transitions are reported in the
    // order they happen (it must be quick: it posts, it does not work).
    template <class Fn>
    void add(std::string_view user_id, Fn&& on_first) {
        std::lock_guard lock(mutex_);
        auto found = sockets_.find(user_id);
        if (found != sockets_.end()) {
            ++found->second;
            if (on_count_) on_count_(found->first, found->second);
            return;
        }
        const auto added = sockets_.emplace(std::string(user_id), 1).first;
        if (on_count_) on_count_(added->first, 1);
        on_first();
    }
    // Uncounts a socket; calls `on_last` (under the lock) when it was the user's last.
    template <class Fn>
    void remove(std::string_view user_id, Fn&& on_last) {
        std::lock_guard lock(mutex_);
        const auto found = sockets_.find(user_id);
        if (found == sockets_.end()) return;
        if (--found->second > 0) {
            if (on_count_) on_count_(found->first, found->second);
            return;
        }
        if (on_count_) on_count_(found->first, 0);
        sockets_.erase(found);
        on_last();
    }
    std::uint32_t sockets_of(std::string_view user_id) const override;
    std::vector<std::string> online(std::size_t offset, std::size_t limit) const override;
    std::size_t online_count() const override;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint32_t, std::less<>> sockets_;
    count_fn on_count_;
};

}  // namespace switchboard::kernel::rooms
