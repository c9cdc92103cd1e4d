// The messages of socket.io-adapter's ClusterAdapter (docs/cluster-wire.md section 3.2),
// which Node's sharded Redis adapter and the redis-streams adapter send: an envelope
// {type, data, uid, nsp}. What a node does with another node's message, and what a
// reply to one of this node's requests adds to it, whatever carried them.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "kernel/cluster/adapter.hpp"
#include "kernel/cluster/request_tracker.hpp"

namespace switchboard::kernel::cluster {

// socket.io-adapter's MessageType (its own namespace: the classic adapter's request
// types reuse some of these names with other numbers).
namespace cluster_message {
enum type : int {
    initial_heartbeat = 1,
    heartbeat = 2,
    broadcast_message = 3,
    sockets_join = 4,
    sockets_leave = 5,
    disconnect_sockets = 6,
    fetch_sockets = 7,
    fetch_sockets_response = 8,
    server_side_emit = 9,
    server_side_emit_response = 10,
    broadcast_client_count = 11,
    broadcast_ack = 12,
    adapter_close = 13,
};
}  // namespace cluster_message

// Node's randomId(), a ClusterAdapter's uid and request ids: 8 random bytes in hex.
std::string cluster_uid();

ordered_json cluster_envelope(int type, ordered_json data, const std::string& uid, const std::string& nsp);

// How long a broadcast with acks waits for its clients: its opts.flags.timeout (ms),
// else `fallback`.
std::chrono::milliseconds ack_timeout_of(const ordered_json& opts, std::chrono::milliseconds fallback);

// Sends a reply (type, data) to the node that sent the message; from any thread.
using reply_fn = std::function<void(int type, ordered_json data)>;

// Acts on `node` for a message of another node: a broadcast (with acks when it has a
// requestId: one count, then each ack, replied), socketsJoin/Leave, disconnectSockets,
// fetchSockets (replied even when empty), serverSideEmit. Other types are ignored.
// A broadcast's acks are awaited for its flags.timeout, else `ack_timeout`.
void act_on_cluster_message(local_node& node, const std::string& nsp, int type, const ordered_json& data,
                            std::chrono::milliseconds ack_timeout, const reply_fn& reply);

// Adds a reply (8, 11, 12) to the request of this node it answers, if still waiting.
void take_cluster_reply(request_tracker& requests, int type, const ordered_json& data);

}  // namespace switchboard::kernel::cluster
