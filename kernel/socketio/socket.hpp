// A Socket.IO socket: one client connected to one namespace.
//
// Lives on its session's worker; every method here must be called there. Other
// threads reach a socket through socketio::server by its handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "kernel/cluster/session_store.hpp"
#include "kernel/core/log.hpp"
#include "kernel/engineio/session.hpp"
#include "kernel/rooms/room_index.hpp"
#include "kernel/socketio/packet.hpp"

namespace switchboard::kernel::socketio {

class client;
class server;
struct local_namespace;

// Receives a client's answer to a server emit, or nothing on timeout (or when the
// socket disconnected first).
using ack_callback = std::function<void(std::optional<json> args)>;
// The same for a layer that passes arguments on as text (the client's own text).
using text_ack_callback = std::function<void(std::optional<encoded_arguments> args)>;

class socket {
public:
    socket(client& owner, local_namespace& nsp, std::string id, json auth);
    ~socket();
    socket(const socket&) = delete;
    socket& operator=(const socket&) = delete;

    const std::string& id() const noexcept { return id_; }
    const std::string& nsp() const noexcept;
    std::uint64_t handle() const noexcept { return handle_; }
    const json& auth() const noexcept;
    // The authenticated user (JWT claims or what an auth hook decided); null if anonymous.
    const json& user() const noexcept { return user_; }
    void set_user(json user) {
        user_ = std::move(user);
        user_text_.reset();
        log_context_.reset();
    }
    // The user's id (the "id" of user()), empty if anonymous.
    std::string user_id() const;
    // State a layer above keeps with the socket (the plugin host's per-socket strand).
    std::shared_ptr<void> extension;
    const net::handshake_info& handshake() const noexcept;
    // What every log line about this socket carries: its session's request id, its id,
    // namespace and user.
    // Built once (again after set_user): handlers' log lines share it.
    const std::shared_ptr<const log::context>& log_context() const;
    engineio::session& session() noexcept;
    const engineio::session& session() const noexcept;
    // A broadcast sends to thousands of sockets; it asks for each one's memory a few
    // recipients ahead, in three steps (the socket, its session, its connection), each
    // reading only what the step before brought in.
    void prefetch_for_send() const noexcept {
        __builtin_prefetch(&session_);
        __builtin_prefetch(&state_);
    }
    void prefetch_session_for_send() const noexcept { session_.prefetch_for_send(); }
    void prefetch_transport_for_send() const noexcept { session_.prefetch_transport_for_send(); }
    bool connected() const noexcept { return state_ == state::connected; }

    // Sends `event` with `args` (a JSON array; binary values become attachments).
    // While a connect hook is still deciding, emits wait and follow the CONNECT reply.
    void emit(std::string_view event, json args = json::array(), bool is_volatile = false);
    // The same, and waits up to `timeout` for the client's acknowledgement.
    void emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout, ack_callback callback);
    // The same three with arguments as text (checked with are_arguments_valid): spliced
    // into the packet as they are, so key order, numbers and escapes stay the sender's.
    void emit_text(std::string_view event, encoded_arguments args, bool is_volatile = false);
    void emit_text_with_ack(std::string_view event, encoded_arguments args, std::chrono::milliseconds timeout,
                            text_ack_callback callback);
    void ack_text(std::int64_t id, encoded_arguments args);
    // The user's JSON text, written once per user (plugins get it with every event).
    const std::string& user_text() const;
    // Sends an already encoded message (a broadcast's shared buffers).
    void send(const engineio::wire_message& message, bool is_volatile = false);

    // Answers the client's ack `id` with `args` (a JSON array, or one value).
    void ack(std::int64_t id, json args);

    void join(std::string_view room);
    void leave(std::string_view room);
    bool in_room(std::string_view room) const noexcept;
    // The rooms joined, not counting the socket's own id, in no particular order.
    using room_set = std::unordered_set<std::string, ::switchboard::kernel::rooms::string_hash, std::equal_to<>>;
    const room_set& rooms() const noexcept { return rooms_; }

    // Disconnects from this namespace: the client is told and does not reconnect. With
    // `close_connection`, closes the whole connection instead, without telling: the
    // client sees a transport close and reconnects by itself.
    void disconnect(bool close_connection = false);

    // --- used by the client and the server ---
    void on_event(packet&& p);
    void on_ack(packet&& p);
    // Ends the socket: handlers told, rooms left, pending acks failed. No packet sent.
    void on_closed(std::string_view reason);
    // The CONNECT was accepted: the socket joins its namespace's index, and what was
    // emitted meanwhile goes out.
    void mark_connected();
    std::uint64_t broadcast_mark = 0;   // rooms::for_each_recipient's: one broadcast reaches it once

    // --- connection state recovery ---
    // The private session id the client holds (empty with recovery off).
    const std::string& pid() const noexcept;
    // Whether this socket took over a disconnected socket's session.
    bool recovered() const noexcept { return recovery_ && recovery_->recovered; }
    // Takes over `session` (before the CONNECT is accepted): its id, pid, rooms, data.
    void adopt(const cluster::saved_session& session);
    // Writes a logged event (its offset inside); held while connecting or replaying.
    void send_logged(const engineio::wire_message& message, const cluster::log_position& offset);
    // What is sent from now on waits until finish_replay (set before mark_connected).
    void begin_replay() noexcept { replaying_ = true; }
    // Sends the missed events, then what waited, but none the replay already covered.
    void finish_replay(const cluster::missed_events& missed);
    // Where this socket's replay starts without a client offset.
    const std::optional<cluster::log_position>& since() const noexcept;
    // The rooms of the session taken over (its own id first).
    const std::vector<std::string>& recovered_rooms() const noexcept;

private:
    struct pending_ack {
        std::int64_t id;
        std::unique_ptr<boost::asio::steady_timer> timer;
        ack_callback callback;
        text_ack_callback text_callback;
    };
    std::int64_t await_ack(std::chrono::milliseconds timeout, ack_callback callback, text_ack_callback text_callback);
    void send_encoded(encoded_packet encoded, bool is_volatile = false);

    void send_packet(const packet& p, bool is_volatile = false);
    void complete_ack(std::int64_t id, std::optional<json> args, std::optional<encoded_arguments> text = {});

    enum class state : std::uint8_t { connecting, connected, closed };

    client& client_;
    engineio::session& session_;   // the client's: one pointer fewer to follow per send
    local_namespace& nsp_;
    std::string id_;
    json auth_;   // null for an empty object (see auth())
    json user_;
    mutable std::optional<std::string> user_text_;
    mutable std::shared_ptr<const log::context> log_context_;
    std::uint64_t handle_ = 0;
    // A set, not a list: a client joining 50,000 rooms must not cost 50,000^2 / 2
    // comparisons on its worker.
    room_set rooms_;
    std::vector<pending_ack> pending_acks_;
    struct held_message {
        engineio::wire_message message;
        bool is_volatile = false;
        std::optional<cluster::log_position> offset;   // a logged event's
    };
    std::vector<held_message> held_;   // sent while connecting or replaying
    bool holding() const noexcept { return state_ == state::connecting || replaying_; }
    // Hands a message to the session, in the deployment's parser: what the server built
    // as text (a logged event with its offset, a replay) becomes MessagePack here when
    // the deployment uses that parser; broadcasts arrive converted already.
    void write(const engineio::wire_message& message, bool is_volatile = false);
    cluster::saved_session session_state() const;
    // A store that outlives the node keeps the session of a connected socket current.
    void keep_session_current();
    std::int64_t next_ack_id_ = 0;
    state state_ = state::connecting;
    // Connection state recovery's part, only with recovery on: most deployments run
    // without it, and every idle socket would carry these bytes.
    struct recovery_state {
        std::string pid;
        std::optional<cluster::log_position> since;
        bool recovered = false;
        std::vector<std::string> rooms;   // of the session taken over
        // The last offset the replay covered: a logged event up to it that reaches this
        // worker only after the replay (logged before the log was read, delivered after)
        // was sent already.
        std::optional<cluster::log_position> replayed_through;
    };
    std::unique_ptr<recovery_state> recovery_;
    bool replaying_ = false;
};

}  // namespace switchboard::kernel::socketio
