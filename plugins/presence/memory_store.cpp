// presence_store for one node. Connects, disconnects and status changes are rare next
// to messages: one mutex is enough.
#include <cstdint>
#include <map>
#include <mutex>

#include "presence_store.hpp"

namespace switchboard::plugins::presence {

namespace {

class memory_store final : public presence_store {
public:
    std::optional<std::string> status_of(std::string_view user_id) const override {
        std::lock_guard lock(mutex_);
        const auto found = statuses_.find(user_id);
        if (found == statuses_.end()) return std::nullopt;
        return found->second;
    }

    bool mark_online(std::string_view user_id, std::string_view status) override {
        std::lock_guard lock(mutex_);
        return statuses_.emplace(std::string(user_id), std::string(status)).second;
    }

    std::optional<std::string> mark_offline(std::string_view user_id) override {
        std::lock_guard lock(mutex_);
        const auto found = statuses_.find(user_id);
        if (found == statuses_.end()) return std::nullopt;
        std::string status = std::move(found->second);
        statuses_.erase(found);
        return status;
    }

    bool set_status(std::string_view user_id, std::string_view status) override {
        std::lock_guard lock(mutex_);
        const auto found = statuses_.find(user_id);
        if (found == statuses_.end() || found->second == status) return false;
        found->second = std::string(status);
        return true;
    }

    void add_socket(std::string_view nsp, std::string_view user_id) override {
        std::lock_guard lock(mutex_);
        auto by_nsp = sockets_.find(nsp);
        if (by_nsp == sockets_.end()) by_nsp = sockets_.emplace(std::string(nsp), users{}).first;
        auto user = by_nsp->second.find(user_id);
        if (user == by_nsp->second.end()) by_nsp->second.emplace(std::string(user_id), 1);
        else ++user->second;
    }

    void remove_socket(std::string_view nsp, std::string_view user_id) override {
        std::lock_guard lock(mutex_);
        const auto by_nsp = sockets_.find(nsp);
        if (by_nsp == sockets_.end()) return;
        const auto user = by_nsp->second.find(user_id);
        if (user == by_nsp->second.end()) return;
        if (--user->second == 0) by_nsp->second.erase(user);
        // The namespace itself stays: namespaces() lists every one ever seen.
    }

    std::size_t users_in(std::string_view nsp) const override {
        std::lock_guard lock(mutex_);
        const auto by_nsp = sockets_.find(nsp);
        return by_nsp == sockets_.end() ? 0 : by_nsp->second.size();
    }

    std::vector<std::string> namespaces() const override {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        out.reserve(sockets_.size());
        for (const auto& [nsp, users] : sockets_) out.push_back(nsp);
        return out;
    }

private:
    using users = std::map<std::string, std::uint32_t, std::less<>>;   // user id -> sockets

    mutable std::mutex mutex_;
    std::map<std::string, std::string, std::less<>> statuses_;   // online users only
    std::map<std::string, users, std::less<>> sockets_;          // by namespace
};

}  // namespace

std::unique_ptr<presence_store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace switchboard::plugins::presence
