// Who is typing in which room, in memory. A typist is cleared by typing:stop, by a
// typing:start that is not renewed within the timeout, and when the socket that
// typed leaves the room or disconnects; each clearing is announced once.
//
// Inline handlers of several network workers, the sweep timer and pooled handlers
// all call in, so one mutex guards the state, and `notify` runs under it: a start
// and the stop that follows it can then never reach the room in the wrong order.
// `notify` must not block or call back into the tracker. An SDK emit is fine: it
// runs no hook synchronously (even the close of a client too slow to read is
// posted), so the disconnect hook cannot re-enter the tracker from inside notify.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

class typing_tracker {
public:
    using clock = std::chrono::steady_clock;
    using notify_fn = std::function<void(std::int64_t room, const std::string& user, bool typing)>;

    typing_tracker(std::chrono::milliseconds timeout, notify_fn notify)
        : timeout_(timeout), notify_(std::move(notify)) {}

    // Starts or renews; announces only a start (renewals just push the deadline).
    // Returns true when it announced.
    bool start(std::int64_t room, const std::string& user, sdk::socket_id socket, clock::time_point now = clock::now());
    // Returns true when the user was typing (and the stop was announced).
    bool stop(std::int64_t room, const std::string& user);
    // The socket left `room`: clears what it was typing there.
    void left(sdk::socket_id socket, std::int64_t room);
    // The socket is gone: clears what it was typing anywhere.
    void disconnected(sdk::socket_id socket);
    // Clears typists whose deadline passed.
    void expire(clock::time_point now = clock::now());

    std::size_t size() const;

private:
    struct typist {
        sdk::socket_id socket = 0;
        clock::time_point deadline;
    };
    using key = std::pair<std::int64_t, std::string>;

    template <class Predicate>
    void clear_if(Predicate&& matches);

    std::chrono::milliseconds timeout_;
    notify_fn notify_;
    mutable std::mutex mutex_;
    std::map<key, typist> typists_;
};

}  // namespace switchboard::plugins::chat
