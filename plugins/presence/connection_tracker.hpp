// Which namespace each local socket of a signed-in user is in: it feeds the store's
// per-namespace user counts (presence:count).
//
// Counted when the kernel accepted the socket (on_connected) and uncounted at its
// disconnect, which the kernel pairs with it (SDK 1.1): a socket refused by a later
// plugin's connect hook, or whose client left while it was being authorized, is never
// counted. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include <switchboard/sdk.hpp>

#include "presence_store.hpp"

namespace switchboard::plugins::presence {

class connection_tracker {
public:
    explicit connection_tracker(presence_store& store) : store_(store) {}

    void connected(sdk::socket_id socket, const std::string& nsp, const std::string& user_id);
    void disconnected(sdk::socket_id socket);

private:
    struct entry {
        std::string nsp;
        std::string user_id;
    };

    presence_store& store_;
    std::mutex mutex_;
    std::unordered_map<sdk::socket_id, entry> sockets_;
};

}  // namespace switchboard::plugins::presence
