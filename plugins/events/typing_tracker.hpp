// Who is typing in which event, on this node. A typist is cleared when they stop,
// after `timeout` without a new events:typing, when their typing socket leaves or
// disconnects, and when they stop taking part. Thread-safe; no I/O: the caller
// announces what changed.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::events {

class typing_tracker {
public:
    using clock = std::chrono::steady_clock;
    using typist = std::pair<std::string, std::string>;   // (event, user)

    explicit typing_tracker(std::chrono::milliseconds timeout) : timeout_(timeout) {}

    // True when the user was not typing there yet (announce it); else only renews.
    bool start(const std::string& event, const std::string& user, sdk::socket_id socket, clock::time_point now);
    // True when the user was typing there (announce the stop).
    bool stop(const std::string& event, const std::string& user);
    // The typists whose socket this was.
    std::vector<typist> drop_socket(sdk::socket_id socket);
    std::vector<typist> drop_socket_in(const std::string& event, sdk::socket_id socket);
    // The typists whose last events:typing is older than the timeout.
    std::vector<typist> expire(clock::time_point now);

private:
    struct entry {
        sdk::socket_id socket;
        clock::time_point last;
    };
    const std::chrono::milliseconds timeout_;
    std::mutex mutex_;
    std::map<typist, entry> typing_;
};

}  // namespace switchboard::plugins::events
