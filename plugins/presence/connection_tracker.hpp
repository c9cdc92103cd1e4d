// Which namespace each local socket of a signed-in user is in: it feeds the store's
// per-namespace user counts (presence:count).
//
// The SDK's connect hook runs before the kernel accepts a socket, the disconnect hook
// only for sockets it accepted. A socket refused by a later plugin's connect hook, or
// whose client left while it was being authorized, is counted and never uncounted.
// So a socket is checked once it is old enough to have been accepted (`settle`): if its
// user has no session anywhere, it never was, and it is forgotten. The same happens to
// the older sockets of a user whose last session left.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include <switchboard/sdk.hpp>

#include "presence_store.hpp"

namespace switchboard::plugins::presence {

class connection_tracker {
public:
    using clock = std::chrono::steady_clock;

    connection_tracker(presence_store& store, std::chrono::milliseconds settle) : store_(store), settle_(settle) {}

    void connected(sdk::socket_id socket, const std::string& nsp, const std::string& user_id);
    void disconnected(sdk::socket_id socket);

    // Checks the sockets that became old enough since the last sweep; `has_sessions`
    // asks the kernel whether a user is connected anywhere.
    void sweep(const std::function<bool(const std::string& user_id)>& has_sessions);
    // `user_id` has no session left: their sockets older than `settle` are gone (the
    // disconnect hooks of those that were accepted may still be queued).
    void user_gone(const std::string& user_id);

private:
    struct entry {
        std::string nsp;
        std::string user_id;
        clock::time_point at;
    };
    void forget_locked(sdk::socket_id socket);

    presence_store& store_;
    const std::chrono::milliseconds settle_;
    std::mutex mutex_;
    std::unordered_map<sdk::socket_id, entry> sockets_;
    std::map<std::string, std::set<sdk::socket_id>, std::less<>> by_user_;
    std::deque<sdk::socket_id> unchecked_;   // in connect order, so oldest first
};

}  // namespace switchboard::plugins::presence
