// Who is editing which document now, for clients without Yjs awareness (a plain
// textarea, a mobile app): "user-editing" indicators like typing indicators. A user is
// editing from their first editing:start until editing:stop, `timeout` without a new
// editing:start, or the last of their sockets that said so leaving. Each change returns
// what to announce; the plugin emits it. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::plugins::collab {

class editing_tracker {
public:
    using clock = std::chrono::steady_clock;
    using socket_id = std::uint64_t;
    // (namespace of the document, user)
    using key = std::pair<std::string, std::string>;

    explicit editing_tracker(std::chrono::milliseconds timeout) : timeout_(timeout) {}

    // True when the user was not editing the document before (announce editing:start).
    bool start(const key& who, socket_id socket, clock::time_point now);
    // True when the user was editing (announce editing:stop).
    bool stop(const key& who);
    // Users whose every editing socket left, or who said nothing for the timeout.
    std::vector<key> disconnected(socket_id socket);
    std::vector<key> expire(clock::time_point now);

private:
    struct state {
        clock::time_point expires;
        std::set<socket_id> sockets;
    };
    const std::chrono::milliseconds timeout_;
    std::mutex mutex_;
    std::map<key, state> editing_;
};

}  // namespace switchboard::plugins::collab
