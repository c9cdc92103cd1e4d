// Calls across the nodes of a cluster: every call lives on one node, its home (the
// caller's node, named by the first 8 hex digits of its id). A device on another node
// acts on it through its home: the request goes there, the answer comes back to the
// device's ack. These are the two tables that takes, with no I/O (calls_plugin.cpp
// sends and receives the messages):
//
//  - remote_sockets: the home's names for devices on other nodes. The registry knows a
//    device by a socket id; a device elsewhere gets one with the top bit set (a local
//    handle never has it), mapped to its node and its handle there.
//  - pending_requests: this node's requests waiting for their home's answer, each with
//    the client's event (to answer its ack) and a deadline (a home that is gone).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::calls {

using socket_id = std::uint64_t;

struct remote_socket {
    std::string node;
    socket_id handle = 0;
};

class remote_sockets {
public:
    static constexpr socket_id remote_bit = socket_id{1} << 63;
    static bool is_remote(socket_id id) { return (id & remote_bit) != 0; }

    // The id of `handle` on `node`, the same one each time.
    socket_id id_of(const std::string& node, socket_id handle);
    std::optional<remote_socket> find(socket_id id) const;
    // The device is gone: its id (if it had one), forgotten.
    std::optional<socket_id> forget(const std::string& node, socket_id handle);

private:
    mutable std::mutex mutex_;
    socket_id next_ = remote_bit | 1;
    std::map<std::pair<std::string, socket_id>, socket_id> ids_;
    std::map<socket_id, remote_socket> sockets_;
};

class pending_requests {
public:
    using clock = std::chrono::steady_clock;

    // Keeps the event until its answer; returns the request's id.
    std::string add(const sdk::event& e, clock::time_point deadline);
    // The event the answer `id` is for (once), or nullopt: unknown or timed out.
    std::optional<sdk::event> take(const std::string& id);
    // The events whose home did not answer by `now`.
    std::vector<sdk::event> expire(clock::time_point now);

private:
    std::mutex mutex_;
    std::uint64_t next_ = 0;
    std::map<std::string, std::pair<sdk::event, clock::time_point>> waiting_;
};

}  // namespace switchboard::plugins::calls
