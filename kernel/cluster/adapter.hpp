// The adapter: how one node's broadcasts and socket operations reach the other nodes of
// a cluster, and how theirs reach this node. socketio broadcasts through it after its
// local fan-out; the adapter calls back into the node through `local_node`, an
// interface this layer owns so that it never includes socketio.
//
// Event data crosses as insertion-ordered JSON ([event, ...args], binary values as JSON
// binary): a client's key order survives the trip through another node.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel/cluster/session_store.hpp"

namespace switchboard::kernel::cluster {

using ordered_json = nlohmann::ordered_json;

// The sockets an operation is about: members of any of `rooms` (the whole namespace
// when empty; a socket id is a room of its own) that are in none of `except`.
struct selection {
    std::vector<std::string> rooms;
    std::vector<std::string> except;
};

// What the adapter asks of this node. Calls come from the cluster thread; the node
// hands them to its workers.
class local_node {
public:
    virtual ~local_node() = default;
    // Delivers an event ([event, ...args]) that another node broadcast.
    virtual void deliver(const std::string& nsp, const ordered_json& data, const selection& to, bool is_volatile) = 0;
    virtual void join(const std::string& nsp, const selection& which, std::vector<std::string> rooms) = 0;
    virtual void leave(const std::string& nsp, const selection& which, std::vector<std::string> rooms) = 0;
    virtual void disconnect(const std::string& nsp, const selection& which, bool close) = 0;
    // The selected local sockets as fetchSockets describes them ({id, handshake, rooms,
    // data}, a JSON array), to `done` from any thread.
    virtual void describe(const std::string& nsp, const selection& which, std::function<void(ordered_json)> done) = 0;
    // Every room with a local member (socket ids included), to `done` from any thread.
    virtual void room_names(const std::string& nsp, std::function<void(std::vector<std::string>)> done) = 0;
    // A broadcast with acks: every selected local socket gets the event and owes an ack
    // within `timeout`. `counted` gets how many sockets that is, once, before any ack;
    // `acked` then runs once per socket, from any thread, with the first argument of
    // its ack (null when the client answered with none), or nothing when none came in
    // time (or the socket went).
    virtual void deliver_with_acks(const std::string& nsp, const ordered_json& data, const selection& to,
                                   std::chrono::milliseconds timeout, std::function<void(std::size_t)> counted,
                                   std::function<void(std::optional<ordered_json>)> acked) = 0;
    // A serverSideEmit from another node ([event, ...args]).
    virtual void server_side_emit(const std::string& nsp, const ordered_json& data) = 0;
    // A non-volatile event ([event, ...args]) at `offset` of the cluster's log (any
    // node's, this one's included), delivered in the log's order from one thread.
    virtual void deliver_logged(const std::string& nsp, const ordered_json& data, const selection& to,
                                const log_position& offset) {
        (void)offset;
        deliver(nsp, data, to, false);
    }
};

// What a cluster-wide request gathered: the items of the nodes that answered (sockets,
// ack arguments), how many answered, and whether one expected did not in time.
struct gathered {
    ordered_json items = ordered_json::array();
    std::size_t nodes = 1;       // this one included
    bool partial = false;
};

// The answer of fetchSockets: what the nodes that replied said, and whether any node
// expected did not reply in time.
struct fetch_result {
    ordered_json sockets = ordered_json::array();
    std::size_t nodes = 1;       // this one included
    bool partial = false;
};

class adapter {
public:
    virtual ~adapter() = default;
    virtual void start() = 0;
    virtual void stop() = 0;
    // A broadcast this node made, already delivered to its own sockets.
    virtual void broadcast(const std::string& nsp, const ordered_json& data, const selection& to, bool is_volatile) = 0;
    // Socket operations for the other nodes (this node applies its own part itself).
    // `sent` runs once the operation has left for the cluster (or could not): what the
    // caller asks the cluster next is seen by every node after it.
    using sent_fn = std::function<void()>;
    virtual void join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                      sent_fn sent) = 0;
    virtual void leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                       sent_fn sent) = 0;
    virtual void disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) = 0;
    // A serverSideEmit ([event, ...args]) to every other node of the cluster, on the
    // request channel of `nsp`, as Node's `io.serverSideEmit` sends it (no acks).
    virtual void emit_to_other_nodes(const std::string& nsp, const ordered_json& data) = 0;
    // The selected sockets of every node, this one's included (fetchSockets).
    virtual void fetch(const std::string& nsp, const selection& which, std::function<void(fetch_result)> done) = 0;
    // A broadcast with acks to the selected sockets of every node, this one's included:
    // `done` gets the first argument of every ack that came within `timeout` (partial
    // when a node or a client did not answer in time).
    virtual void broadcast_with_acks(const std::string& nsp, const ordered_json& data, const selection& to,
                                     std::chrono::milliseconds timeout, std::function<void(gathered)> done) = 0;
    // A room of `nsp` got its first member on one of this node's workers (exists) or
    // lost its last one there. Called on that worker; an adapter that subscribes per
    // room counts the workers.
    virtual void room_changed(const std::string& nsp, const std::string& room, bool exists) {
        (void)nsp;
        (void)room;
        (void)exists;
    }
    // Whether this node's own non-volatile broadcasts come back through
    // local_node::deliver_logged (a log every node reads in one order) instead of
    // being delivered locally by the caller.
    virtual bool delivers_own_broadcasts() const { return false; }
};

}  // namespace switchboard::kernel::cluster
