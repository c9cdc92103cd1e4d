// Whom each local socket follows. Delivery goes through rooms; this registry bounds
// how many a socket may follow (each one is a room membership the kernel keeps) and
// tells unsubscribe what there is to leave. Node-local, as sockets are.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::presence {

class subscription_registry {
public:
    // Adds the ids `socket` does not follow yet, all or none: nothing when they would
    // take it over `limit`. Returns the ids added.
    std::optional<std::vector<std::string>> add(sdk::socket_id socket, const std::vector<std::string>& user_ids,
                                                std::size_t limit);
    // Removes the ids; returns those the socket followed.
    std::vector<std::string> remove(sdk::socket_id socket, const std::vector<std::string>& user_ids);
    // The socket left.
    void drop(sdk::socket_id socket);

private:
    std::mutex mutex_;
    std::map<sdk::socket_id, std::set<std::string>> followed_;
};

}  // namespace switchboard::plugins::presence
