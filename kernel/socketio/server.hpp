// The Socket.IO server: namespaces and their handlers, sockets per worker, broadcasts.
//
// Handlers run on the socket's worker and must not block; the SDK layer puts a
// handler pool in front of them for blocking work. Broadcasts are safe from any
// thread: the message is encoded once and every worker writes the same buffers to its
// local members.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kernel/cluster/adapter.hpp"
#include "kernel/cluster/session_store.hpp"
#include "kernel/config/config.hpp"
#include "kernel/core/deadline_queue.hpp"
#include "kernel/engineio/session.hpp"
#include "kernel/rooms/presence.hpp"
#include "kernel/rooms/room_index.hpp"
#include "kernel/socketio/socket.hpp"
#include "kernel/socketio/socket_observer.hpp"

namespace switchboard::kernel {
class worker;
}

namespace switchboard::kernel::socketio {

class server;

// Encodes a packet into its wire form: the text packet, then its attachments.
engineio::wire_message to_wire(const packet& p);
// An encoded packet as Engine.IO messages: its text, then its attachments.
engineio::wire_message to_message(const encoded_packet& encoded);
// The same in the deployment's parser: as above, or one MessagePack message.
engineio::wire_message to_wire(const packet& p, config::packet_parser parser);
// An EVENT packet of `data` ([event, ...args]; binary values become attachments).
engineio::wire_message event_message(std::string_view nsp, const cluster::ordered_json& data);

struct namespace_handlers {
    // Decides whether `s` may connect: call `decide` (on the socket's worker) with
    // nothing to accept, or with the error sent in CONNECT_ERROR ({message, data}).
    // Unset: every connection is accepted.
    std::function<void(socket& s, std::function<void(std::optional<json> error)> decide)> authorize;
    std::function<void(socket& s)> on_connection;
    // A client event; `ack_id` is no_ack_id unless the client waits for s.ack(ack_id, ...).
    std::function<void(socket& s, std::string_view event, json& args, std::int64_t ack_id)> on_event;
    // The same event as the client wrote its arguments (placeholders intact), for a layer
    // that passes them on unchanged (the plugin host).
    std::function<void(socket& s, std::string_view event, encoded_arguments args, std::int64_t ack_id)> on_event_text;
    std::function<void(socket& s, std::string_view reason)> on_disconnect;
};

struct broadcast_options {
    std::vector<std::string> rooms;    // empty: the whole namespace
    std::vector<std::string> except;   // members of these rooms are skipped
    std::uint64_t except_socket = 0;   // this socket (by handle) is skipped: the sender
    bool is_volatile = false;
};

// One worker's part of a namespace.
struct local_namespace {
    local_namespace(server& s, std::string n, const namespace_handlers& h, std::atomic<std::size_t>& connected)
        : owner(s), name(std::move(n)), handlers(h), connected_sockets(connected) {}

    server& owner;
    std::string name;
    const namespace_handlers& handlers;
    std::atomic<std::size_t>& connected_sockets;   // this namespace's, on every worker
    // Keyed by a view of the socket's own id (which stays as it is from mark_connected
    // until the socket leaves this map), not a second copy per socket.
    std::unordered_map<std::string_view, socket*> sockets;
    rooms::room_index<socket> rooms;
    // The newest logged event this worker delivered (recovery): a socket that connects
    // now gets live every event after it.
    std::optional<cluster::log_position> delivered;
};

class recovery_log;

// What /metrics shows of connection state recovery.
struct recovery_counters {
    std::atomic<std::uint64_t> recovered{0};
    std::atomic<std::uint64_t> replayed_events{0};
    // Not recovered, by why (unknown_session, expired, log_overflow...).
    void not_recovered(std::string_view why);
    std::string metrics_text() const;
    std::vector<std::pair<std::string, std::uint64_t>> not_recovered_counts() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> refused_;
};

// Decides who a connecting socket is: sets its user (or leaves it anonymous) and
// calls `done`, on the socket's worker, with nothing or the CONNECT_ERROR data.
using authenticator_fn = std::function<void(socket& s, std::function<void(std::optional<json> refusal)> done)>;

// A user's first socket connected (online = true) or last one left.
using presence_fn = std::function<void(const std::string& user_id, bool online)>;

class server final : public engineio::application, public cluster::local_node {
public:
    server(const config::settings& settings, std::vector<worker*> workers);
    ~server() override;

    // Whether `nsp` is one of the deployment's namespaces.
    bool has_namespace(std::string_view nsp) const { return handlers_.count(std::string(nsp)) != 0; }
    // Registers the handlers of a configured namespace. Call before serving.
    void set_handlers(std::string_view nsp, namespace_handlers handlers);
    // Call before serving. Unset: everyone is accepted, anonymous.
    void set_authenticator(authenticator_fn fn) { authenticate_ = std::move(fn); }
    void set_presence_listener(presence_fn fn) { presence_listener_ = std::move(fn); }
    // Receives another node's serverSideEmit: the event and its arguments (a JSON array).
    using server_side_emit_fn = std::function<void(const std::string& event, std::string args_json)>;
    void set_server_side_emit_listener(server_side_emit_fn fn) { server_side_emit_listener_ = std::move(fn); }
    // A serverSideEmit of `event` with `args` (a JSON array) to the other nodes, on the
    // main namespace; nothing without a cluster. Returns whether it left for one.
    bool emit_to_other_nodes(const std::string& event, const nlohmann::json& args);
    const authenticator_fn& authenticator() const noexcept { return authenticate_; }

    // Users online as the deployment sees them: this node's registry, or the cluster's
    // (an authenticated socket is in room user:<id>).
    const rooms::presence_view& presence() const noexcept {
        return cluster_presence_ ? *cluster_presence_ : static_cast<const rooms::presence_view&>(presence_);
    }
    // This node's own sockets per user, across workers.
    rooms::presence& local_presence() noexcept { return presence_; }
    // Set before serving: who is online comes from the cluster, which then reports the
    // transitions to the presence listener itself (exactly one node reports each).
    void set_cluster_presence(const rooms::presence_view* view) noexcept { cluster_presence_ = view; }
    // Called by sockets as their user's sockets come and go.
    void user_connected(const std::string& user_id);
    void user_disconnected(const std::string& user_id);
    const config::socketio_settings& settings() const noexcept { return settings_; }

    std::unique_ptr<engineio::session_handler> on_session_open(engineio::session& session) override;

    // Sends to the namespace, or its rooms, on every worker. Safe from any thread.
    void broadcast(std::string_view nsp, const broadcast_options& options, std::string_view event, json args);
    void broadcast(std::string_view nsp, const broadcast_options& options,
                   std::shared_ptr<const engineio::wire_message> message);

    // Sends `event` with `args_json`, the text of a JSON array already validated by the
    // caller, spliced into the packet as it is (key order and numbers as written).
    void broadcast_text(std::string_view nsp, const broadcast_options& options, std::string_view event,
                        std::string_view args_json);
    // The same with attachments named by the text's placeholders (a plugin's emit).
    void broadcast_text(std::string_view nsp, const broadcast_options& options, std::string_view event,
                        encoded_arguments args);

    // Sends `event` with `args_json` (a JSON array, validated by the caller) to the
    // selected sockets of every node and gathers the first argument of each ack that
    // comes within `timeout`; partial when a client or a node did not answer in time.
    // Safe from any thread.
    void broadcast_with_acks(std::string_view nsp, const broadcast_options& options, std::string_view event,
                             std::string_view args_json, std::chrono::milliseconds timeout,
                             std::function<void(cluster::gathered)> done);

    // Runs `fn` on every socket `options` selects (rooms, except, as a broadcast), on
    // each socket's own worker, then `done` once with how many there were, from the
    // last worker to finish. Safe from any thread. This node's sockets only.
    void for_each_selected(std::string_view nsp, const broadcast_options& options, std::function<void(socket&)> fn,
                           std::function<void(std::size_t count)> done);

    // The cluster through which broadcasts and socket operations reach the other nodes
    // (null: this node alone). Set before serving; it must outlive the server's use.
    void set_adapter(cluster::adapter* adapter) noexcept { adapter_ = adapter; }

    // Socket operations over every node: this node applies its part (`done` gets its
    // count) and the adapter tells the others. Safe from any thread.
    void sockets_join(std::string_view nsp, const broadcast_options& which, std::vector<std::string> rooms,
                      std::function<void(std::size_t local_count)> done);
    void sockets_leave(std::string_view nsp, const broadcast_options& which, std::vector<std::string> rooms,
                       std::function<void(std::size_t local_count)> done);
    void disconnect_sockets(std::string_view nsp, const broadcast_options& which, bool close,
                            std::function<void(std::size_t local_count)> done);
    // The selected sockets of every node ({id, handshake, rooms, data} each), with how
    // many nodes answered and whether one did not in time.
    void fetch_sockets(std::string_view nsp, const broadcast_options& which,
                       std::function<void(cluster::fetch_result)> done);

    // `s` as fetchSockets describes it ({id, handshake, rooms, data}). On its worker.
    cluster::ordered_json description_of(const socket& s) const;

    // --- cluster::local_node: what the other nodes ask of this one ---
    void deliver(const std::string& nsp, const cluster::ordered_json& data, const cluster::selection& to,
                 bool is_volatile) override;
    void join(const std::string& nsp, const cluster::selection& which, std::vector<std::string> rooms) override;
    void leave(const std::string& nsp, const cluster::selection& which, std::vector<std::string> rooms) override;
    void disconnect(const std::string& nsp, const cluster::selection& which, bool close) override;
    void describe(const std::string& nsp, const cluster::selection& which,
                  std::function<void(cluster::ordered_json)> done) override;
    void room_names(const std::string& nsp, std::function<void(std::vector<std::string>)> done) override;
    void server_side_emit(const std::string& nsp, const cluster::ordered_json& data) override;
    void deliver_with_acks(const std::string& nsp, const cluster::ordered_json& data, const cluster::selection& to,
                           std::chrono::milliseconds timeout, std::function<void(std::size_t)> counted,
                           std::function<void(std::optional<cluster::ordered_json>)> acked) override;

    // Runs `fn(socket*)` on the worker of the socket with `handle` (null if it is
    // gone). Safe from any thread.
    void with_socket(std::uint64_t handle, std::function<void(socket*)> fn);

    // --- connection state recovery (socketio.recovery) ---
    bool recovery_enabled() const noexcept { return settings_.recovery.enabled; }
    // Where sessions and the event log live: this node's memory unless the cluster
    // keeps them (set before serving; it must outlive the server's use).
    cluster::session_store& sessions() noexcept { return *sessions_; }
    void set_session_store(cluster::session_store* store) noexcept;
    recovery_counters& recovery_metrics() noexcept { return recovery_counters_; }
    // An event for one connected socket, logged with an offset (called on its worker).
    void emit_logged(socket& s, std::string_view event, json args);
    // The same for an event already encoded: `message` builds its packet, `tree` its
    // values for the cluster's log (each called at most once, only when needed).
    void emit_logged(socket& s, const std::function<engineio::wire_message()>& message,
                     const std::function<cluster::ordered_json()>& tree);
    // A logged event (with its offset) read from the cluster's log, delivered here in
    // the order of the log; the cluster calls it in that order, from one thread.
    void deliver_logged(const std::string& nsp, const cluster::ordered_json& data, const cluster::selection& to,
                        const cluster::log_position& offset) override;
    // Called by sockets as they connect and go. Kept only where a logged broadcast
    // must name the sender by id (recovery on, or a cluster that logs broadcasts):
    // otherwise every socket would pay an entry and a lock for nothing.
    void remember_id(std::uint64_t handle, const std::string& id, bool recoverable);
    void forget_id(std::uint64_t handle, bool recoverable);

    // --- on a worker thread ---
    local_namespace* find_namespace(std::string_view name);
    std::uint64_t register_socket(socket& s);
    void unregister_socket(const socket& s);
    deadline_queue& connect_timeouts();
    std::size_t local_socket_count() const;
    // Sockets connected on every worker (for /metrics), kept by the sockets.
    std::atomic<std::size_t> connected_sockets{0};
    // The same per namespace, in the configured order. Safe from any thread.
    std::vector<std::pair<std::string, std::size_t>> connected_sockets_by_namespace() const;
    // Rooms of each configured namespace on this node (its sockets' own id rooms
    // aside), then `done` once from a worker. Safe from any thread.
    void room_counts(std::function<void(std::vector<std::pair<std::string, std::size_t>>)> done);

    // The instrument told of every socket's changes (null: none). Set before serving.
    void set_observer(socket_observer* observer) noexcept { observer_ = observer; }
    socket_observer* observer() const noexcept { return observer_; }

private:
    struct worker_state;
    worker_state& local() const;
    void deliver_local(std::string_view nsp, const broadcast_options& options,
                       const engineio::wire_message& message);
    // Calls `fn(socket*)` once for each local socket `options` selects.
    template <class Fn>
    void select_local(std::string_view nsp, const broadcast_options& options, Fn&& fn);
    // Runs `fn(worker index)` on every worker, then `done` once, after the last.
    void on_every_worker(std::function<void(std::size_t)> fn, std::function<void()> done);
    // Applies `local_part` to this node's selected sockets and `cluster_part` (given its
    // completion) to the others'; `done` gets the local count once both are done.
    void apply_everywhere(std::string_view nsp, const broadcast_options& which, std::function<void(socket&)> local_part,
                          const std::function<void(cluster::adapter::sent_fn)>& cluster_part,
                          std::function<void(std::size_t)> done);
    // Hands a broadcast this node made to the other nodes.
    void publish_to_cluster(std::string_view nsp, const broadcast_options& options, const cluster::ordered_json& data);
    // This node's part of a broadcast: logged with an offset when recovery is on (and
    // the event is not volatile), then written to the selected local sockets.
    void fan_out(std::string_view nsp, const broadcast_options& options,
                 std::shared_ptr<const engineio::wire_message> message);
    // Queues a logged event on every worker (or only `only_worker`); callers queue in
    // log order, and each worker writes its queue in that order.
    void queue_logged(std::string_view nsp, const broadcast_options& options,
                      std::shared_ptr<const engineio::wire_message> message, const cluster::log_position& offset,
                      std::optional<std::size_t> only_worker = std::nullopt);
    void drain_logged(std::size_t worker_index);
    // Whether the cluster delivers this node's own non-volatile broadcasts (from its log).
    bool cluster_logs_broadcasts() const noexcept { return adapter_ && adapter_->delivers_own_broadcasts(); }
    // The sender's socket id for the log (which knows ids, not handles).
    broadcast_options with_sender_as_room(const broadcast_options& options) const;

    config::socketio_settings settings_;
    std::string path_;   // where clients connect, for what fetchSockets reports
    std::vector<worker*> workers_;
    std::unordered_map<std::string, namespace_handlers> handlers_;
    std::vector<std::unique_ptr<worker_state>> states_;
    authenticator_fn authenticate_;
    presence_fn presence_listener_;
    server_side_emit_fn server_side_emit_listener_;
    rooms::presence presence_;
    const rooms::presence_view* cluster_presence_ = nullptr;
    cluster::adapter* adapter_ = nullptr;
    socket_observer* observer_ = nullptr;
    // Node-based: each counter keeps its address while the map is read.
    std::unordered_map<std::string, std::atomic<std::size_t>> namespace_sockets_;
    std::unique_ptr<recovery_log> local_log_;        // recovery on, this node alone (or pub/sub)
    cluster::session_store* sessions_ = nullptr;
    recovery_counters recovery_counters_;
    // Socket ids by handle, while recovery is on: an event's `except_socket` goes into
    // the log as the socket's id.
    mutable std::mutex ids_mutex_;
    std::unordered_map<std::uint64_t, std::string> ids_by_handle_;
};

}  // namespace switchboard::kernel::socketio
