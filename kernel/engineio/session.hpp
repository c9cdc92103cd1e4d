// An Engine.IO session: one client, whichever transport it currently uses.
//
// Lives on one worker for its whole life. Owns the heartbeat (v4: server pings, a missing
// pong closes the session; v3: the client pings, a silent client is closed), the long-polling state (at most one pending GET, the
// packets waiting for it), the WebSocket (or the probe of an upgrade in progress), and
// the application handler above it (Socket.IO).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/core/deadline_queue.hpp"
#include "kernel/engineio/wire_packet.hpp"
#include "kernel/net/handshake_info.hpp"
#include "kernel/net/http_message.hpp"
#include "kernel/net/websocket_connection.hpp"

namespace switchboard::kernel {
class worker;
}
namespace switchboard::kernel::net {
class http_connection;
}

namespace switchboard::kernel::engineio {

class server;
class session;


// The layer above Engine.IO (Socket.IO), one per session. Called on the session's worker.
class session_handler {
public:
    virtual ~session_handler() = default;
    // A `message` packet: text, or binary bytes. Valid during the call only.
    virtual void on_message(std::string_view data, bool binary) = 0;
    // The session is closed; `reason` is the reference server's reason string
    // ("transport close", "ping timeout", "forced close", "parse error"...).
    virtual void on_close(std::string_view reason) = 0;
    // The session's open packet is on its way: the handler may send now.
    virtual void on_open() {}
    // The session now uses its WebSocket (an upgrade completed).
    virtual void on_upgraded() {}
};

// Creates the handler of each new session.
class application {
public:
    virtual ~application() = default;
    virtual std::unique_ptr<session_handler> on_session_open(session& s) = 0;
};

// A GET that waits for packets, possibly on a connection owned by another worker.
struct pending_poll {
    std::shared_ptr<net::http_connection> connection;
    std::uint64_t request_id = 0;
    std::string extra_headers;   // CORS headers for this request
};

class session final : public std::enable_shared_from_this<session>, private net::websocket_listener {
public:
    enum class transport_kind : std::uint8_t { polling, websocket };

    session(server& owner_server, worker& owner, std::string id, net::handshake_info handshake);
    ~session();

    const std::string& id() const noexcept { return id_; }
    worker& owner() noexcept { return owner_; }
    const net::handshake_info& handshake() const noexcept { return handshake_; }
    transport_kind transport() const noexcept { return transport_; }
    std::string_view transport_name() const noexcept;
    bool upgrading() const noexcept { return polling_ && polling_->probe != nullptr; }
    bool is_open() const noexcept { return state_ == state::open; }
    // The Engine.IO protocol revision the client speaks: 4, or 3 (engineio.allow_eio3).
    int protocol() const noexcept { return protocol_; }
    // For a broadcast walking many sessions: the lines send() reads, then (a step
    // later, once they have arrived) the WebSocket connection's.
    void prefetch_for_send() const noexcept {
        __builtin_prefetch(this);
        __builtin_prefetch(&state_);
        __builtin_prefetch(&ws_);
    }
    void prefetch_transport_for_send() const noexcept {
        if (transport_ == transport_kind::websocket && ws_) ws_->prefetch_for_send();
    }

    // Sends every part of a message. A volatile message is dropped, whole, when the
    // transport cannot take it now (over the buffer bound, or polling with no GET
    // waiting). Returns false when dropped.
    bool send(const wire_message& parts, bool is_volatile = false);
    bool send(const wire_packet_ptr& packet, bool is_volatile = false);

    // What was sent so far leaves before anything sent later, in a write of its own
    // (WebSocket; a poll response carries whatever is queued when it is answered).
    void end_write();
    // The same, and what is sent later leaves only once the client has read what was
    // sent so far (WebSocket: see websocket_connection::fence). For a client that never
    // answers it, the pong deadline lifts the fence (and grants a new deadline).
    void fence();

    // Closes from the server side: queued packets are flushed first; a polling client
    // gets a `close` packet. The handler is told with `reason`.
    void close(std::string_view reason);

    // --- called by engineio::server on the session's worker ---

    // Starts the session on its first transport: a polling session's open packet is
    // the handshake GET's response (sent by the server); a WebSocket session sends it.
    void start_polling(std::unique_ptr<session_handler> handler);
    void start_websocket(std::shared_ptr<net::websocket_connection> ws, std::string open_packet,
                         std::unique_ptr<session_handler> handler);

    // Before an HTTP request of this session: an upgrade's WebSocket may already carry
    // the packet that completes it, sent before the request on another connection.
    void catch_up_upgrade();
    void on_poll(pending_poll poll);
    // A POST body. `answer` gets the HTTP status to answer (200 "ok", or 400 on bad
    // input): at once, or, while reading is held, once the body's packets are all
    // handled and the hold is gone (the client sends its next POST only then).
    using post_answer = std::function<void(int status)>;
    void on_post(std::string_view body, std::string_view content_type, post_answer answer);
    void on_poll_abandoned(std::uint64_t request_id);
    // A WebSocket with this session's sid: an upgrade probe, or refused.
    void on_upgrade_websocket(std::shared_ptr<net::websocket_connection> ws);

    // Backpressure from the layers above (pooled handlers behind): while a hold is on,
    // nothing more is read from the client. The WebSocket stops at the message where
    // the hold began (the rest stays in the socket and the kernel's buffers); a polling
    // POST's remaining packets wait and its answer is held. Holds are counted: each
    // namespace's socket of the session may hold, and reading resumes when the last
    // one is released. Pongs are not read while held either, so a hold longer than
    // pingInterval + pingTimeout still times the client out. On the session's worker.
    void hold_reading();
    void release_reading();
    bool reading_held() const noexcept { return read_holds_ > 0; }

    // Heartbeat and timeout expiries (see server's deadline queues).
    void on_ping_due();
    void on_pong_overdue();
    // Times the session out now if its pong was due by now, counted from when the ping
    // was due: a worker whose timer runs late must not keep alive a session its client
    // has already waited out. True when the session is closed.
    bool expire_if_overdue();
    // The upgrade probe did not complete within engineio.upgrade_timeout.
    void on_upgrade_overdue();
    // v3: the client sent no ping for ping_interval + ping_timeout.
    void on_client_silent();

private:
    enum class state : std::uint8_t { open, closing, closed };

    void on_ws_message(net::websocket_connection& from, bool binary, std::string_view payload) override;
    void on_ws_closed(net::websocket_connection& from, std::string_view reason) override;

    void log_opened() const;
    void on_packet(const packet& p);
    // True when `buffered` is over the bound; schedules the close of a client that
    // stays over it.
    bool over_bound(std::size_t buffered);
    void on_pong();
    void start_heartbeat();
    // The WebSocket transport may read into a buffer of its own while the client is busy.
    void allow_buffered_reads();
    // A v3 client's ping: answered, and it proves the client alive.
    void on_client_ping();
    // A packet as the current transport carries it (v3 binary frames start with the type).
    wire_packet_ptr for_websocket(const wire_packet_ptr& packet) const;
    // Any other packet while a pong is awaited: as Node's engine.io, it earns the
    // client one more pong timeout (once per ping), since it proves the client is there.
    void on_client_activity();
    void complete_upgrade();
    void respond_poll(pending_poll& poll, std::string body, bool binary = false);
    // Answers a poll with one control packet ("6", "1"), in the session's payload format.
    void respond_poll_control(pending_poll& poll, std::string_view packet_text);
    // Handles the held POST's packets while reading is not held; answers it when done.
    void continue_post();
    void schedule_poll_flush();
    void flush_poll();
    // Ends the session: no more transport, handler told, removed from the server.
    void finish(std::string_view reason, std::string_view pending_poll_answer);
    void notify_handler_closed(std::string_view reason);

    server& server_;
    worker& owner_;
    std::string id_;
    net::handshake_info handshake_;
    std::unique_ptr<session_handler> handler_;
    transport_kind transport_ = transport_kind::polling;
    int protocol_ = 4;
    // v3 polling: the client reads binary payloads (it did not ask for b64).
    bool binary_payloads_ = false;
    state state_ = state::open;
    bool poll_flush_scheduled_ = false;
    bool handler_closed_ = false;
    bool slow_close_scheduled_ = false;
    bool awaiting_pong_ = false;
    bool pong_deadline_refreshed_ = false;
    steady_clock::time_point ping_due_{};   // when the last ping was due
    steady_clock::time_point pong_due_{};
    steady_clock::time_point over_bound_since_{};
    std::shared_ptr<net::websocket_connection> ws_;      // the WebSocket transport
    void set_poll_queue_bytes(std::size_t bytes);
    deadline_entry heartbeat_;
    // The probe's "2probe" was answered: the client pauses polling now, so a GET is
    // answered at once with a noop. Not before: the client would poll in a busy loop.
    bool probe_answered_ = false;
    unsigned read_holds_ = 0;
    // A POST whose packets are not all handled yet, or whose answer waits for the hold
    // to go.
    struct held_post {
        std::vector<packet> packets;
        std::size_t next = 0;
        post_answer answer;
    };
    // What only long-polling needs: the state of a session that opened by polling (and
    // kept when it upgrades). A session that opened on WebSocket never has it: ~90
    // bytes less per WebSocket session. Created by polling(), on first use.
    struct polling_state {
        std::shared_ptr<net::websocket_connection> probe;   // an upgrade in progress
        std::unique_ptr<pending_poll> poll;                  // the GET waiting for packets
        std::vector<wire_packet_ptr> queue;                 // packets for the next GET
        std::size_t queue_bytes = 0;   // also counted in traffic's outgoing queue gauge
        deadline_entry upgrade_deadline;
        std::unique_ptr<held_post> post;
    };
    std::unique_ptr<polling_state> polling_;
    polling_state& polling();
};

}  // namespace switchboard::kernel::engineio
