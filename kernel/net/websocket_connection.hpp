// A WebSocket connection after the handshake: reads client frames, writes server frames.
//
// Reads wait for readability and then read into the worker's scratch buffer, so an
// idle connection holds no read buffer. Writes are corked: frames queued while the
// current handler runs leave together in one gathered write when the worker gets back
// to its loop, and frames queued during a write go out in the next one. A caller may
// end a write early (end_write): what is queued leaves at once and what follows goes in
// a later write, as Node's server sends a reply before anything queued after it; or
// fence it: what follows waits until the client has read what came before.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/net/framed_buffer.hpp"
#include "kernel/net/tcp_socket.hpp"
#include "kernel/net/tls_handle.hpp"
#include "kernel/net/websocket_frame.hpp"

namespace switchboard::kernel {
class worker;
}

namespace switchboard::kernel::net {

class websocket_connection;
class tls_stream;

// Receives what a connection reads. Called on the connection's worker thread.
class websocket_listener {
public:
    // A complete text or binary message; `payload` is valid during the call only.
    virtual void on_ws_message(websocket_connection& from, bool binary, std::string_view payload) = 0;
    // The connection is gone (peer close, error, or local close). Called once.
    virtual void on_ws_closed(websocket_connection& from, std::string_view reason) = 0;

protected:
    ~websocket_listener() = default;
};

class websocket_connection : public std::enable_shared_from_this<websocket_connection> {
public:
    // `handshake_response` (the 101) is queued first, before anything sent later.
    // `tls`: the connection's TLS state when it came over TLS (null: plain).
    websocket_connection(tcp_socket socket, tls_handle tls, worker& owner,
                         std::size_t max_message_size, std::string_view handshake_response);
    ~websocket_connection();

    // Parses `already_read`, then reads. Set the listener first.
    void start(std::string already_read);

    void set_listener(websocket_listener* listener) noexcept { listener_ = listener; }
    // How long close() waits for its last bytes to be written before closing anyway.
    void set_close_timeout(std::chrono::milliseconds timeout) noexcept { close_timeout_ = timeout; }
    // Keeps `token` as long as this connection lives (see http_request::connection_token).
    void hold(std::shared_ptr<void> token) { token_ = std::move(token); }

    // Queues a frame. Ignored once the connection is closing.
    void send(const framed_buffer_ptr& packet);

    // Sends a close frame, then closes the socket once it is written. The listener is
    // told with `reason`.
    void close(ws_close_code code, std::string_view reason);

    // Bytes queued and not yet written: the backpressure measure.
    std::size_t buffered_bytes() const noexcept { return queued_bytes_; }
    // Asks the CPU for the lines a send writes (the object's start, where its shared
    // count and descriptor are, the queue and the write flags). A broadcast calls it a
    // few recipients ahead: at ten thousand connections these lines are out of the
    // cache, and waiting on them one connection at a time was most of its user time.
    void prefetch_for_send() const noexcept {
        __builtin_prefetch(this, 1);
        __builtin_prefetch(&queue_, 1);
        __builtin_prefetch(&flush_scheduled_, 1);
    }
    bool is_open() const noexcept { return !closing_; }
    worker& owner() noexcept { return owner_; }

    // Ends the current write here: what is queued leaves now (or right after the write
    // in flight), and frames queued from now on go in a later write.
    void end_write();

    // Ends the current write with a WebSocket ping, and holds every frame queued after
    // it until the client's pong: a client reads the ping with what preceded it, so what
    // follows can never arrive in the same read. For a reply a client awaits before it
    // starts listening for more (Node's `ws` fires the events of one read in one tick,
    // before the awaiting code resumes). Separate writes alone do not ensure it: a
    // client that is slow to wake reads both writes at once. RFC 6455 clients must
    // answer pings; any message from the client lifts the fence too, and
    // release_fence() is the fallback for one that stays silent.
    void fence();
    // Lets held frames go (the fence's pong came, or its caller gives up waiting).
    void release_fence();
    bool fenced() const noexcept { return fenced_; }

    // Lets the connection read into a buffer of its own while its client is busy (see
    // read_buffer_). For the session's own WebSocket, not an upgrade probe: a probe's
    // read_available() reads the socket directly, and bytes already in a buffer whose
    // completion is still queued would be handled after newer ones.
    void allow_buffered_reads() noexcept { buffered_reads_allowed_ = !tls_; }
    // Once per heartbeat interval: a connection whose client sent fewer than
    // busy_messages messages since the last mark gives its read buffer back at its next
    // read (the heartbeat's own reply, as a rule), and waits without one again.
    void mark_heartbeat() noexcept;

    // Reads and handles what the client already sent, now rather than when the worker
    // next polls: for a caller that must see it before deciding (a request racing the
    // last packet of an upgrade on another connection).
    void read_available();

    // Backpressure: stops reading after the message being handled (what follows stays
    // buffered, here and in the kernel, so the client's TCP window closes), and
    // resumes where it stopped. Neither pings nor a peer's close are seen while paused.
    void pause_reading() noexcept { paused_ = true; }
    void resume_reading();
    bool reading_paused() const noexcept { return paused_; }

    // Writes what is queued since the last flush, up to the write boundary (called by
    // the worker's corker).
    void flush();

private:
    // Waits for readability unless paused, closed, or already waiting.
    void wait_readable();
    void on_readable(const boost::system::error_code& ec);
    // A read into read_buffer_ completed.
    void on_buffered_read(const boost::system::error_code& ec, std::size_t n);
    // Handles [data, data+n) read from the socket after whatever pending_ holds; false
    // once the connection is closed.
    bool take(char* data, std::size_t n);
    // Reads until the socket has nothing more; false once the connection is closed.
    bool read_now();
    // Parses [data, data+size); returns false once the connection is closed.
    bool consume(char* data, std::size_t size, std::size_t& used);
    // Writes the first `count` queued frames without waiting. True when all of them
    // left (after_write has run); false when some must wait for the socket (`written`:
    // the bytes that did leave) or on error (`written` 0).
    bool write_now(std::size_t count, std::size_t& written);
    // An asynchronous write of in_flight_ finished.
    void on_write(const boost::system::error_code& ec);
    void after_write(const boost::system::error_code& ec);
    void schedule_flush();
    void fail(std::string_view reason);
    void notify_closed(std::string_view reason);
    void shutdown_socket();
    // A peer that keeps its receive window shut never lets a write finish: close()
    // must not wait for it forever (the queue it holds may be megabytes).
    void start_close_deadline();

    tcp_socket socket_;
    // Set for a connection over TLS: reads and writes go through it (the socket
    // underneath still does the waiting and closing). Null on the plain path.
    std::unique_ptr<tls_stream> tls_;
    worker& owner_;
    websocket_listener* listener_ = nullptr;
    ws_frame_parser parser_;
    std::string pending_;                                  // an incomplete frame's bytes
    std::vector<framed_buffer_ptr> queue_;         // waiting for the next write
    std::vector<framed_buffer_ptr> in_flight_;     // being written, when a write had to wait
    std::vector<boost::asio::const_buffer> buffers_;   // what of in_flight_ is still to go
    std::size_t queued_bytes_ = 0;   // also counted in traffic's outgoing queue gauge
    void change_queued(std::int64_t delta) noexcept;
    std::size_t write_boundary_ = 0;   // frames at the front of queue_ that leave alone
    bool fenced_ = false;              // frames after the boundary wait for a pong
    std::unique_ptr<boost::asio::steady_timer> close_timer_;   // only while closing
    std::chrono::milliseconds close_timeout_{5'000};
    std::shared_ptr<void> token_;
    bool writing_ = false;
    // A pong is queued and not yet written: a client that pings without reading gets
    // one pong for all its pings (RFC 6455 5.5.3 allows answering the latest only), so
    // its pings cannot grow the queue.
    bool pong_queued_ = false;
    bool flush_scheduled_ = false;
    bool closing_ = false;          // no more frames are accepted
    bool close_when_written_ = false;
    bool closed_notified_ = false;
    bool paused_ = false;
    bool waiting_readable_ = false;

    // Two ways to wait for the client. Asio's wait for readability (async_wait) holds
    // no buffer, but its reactor re-arms the descriptor (epoll_ctl) for every wait: a
    // system call per incoming message on top of the read. A read into a buffer
    // (async_read_some) needs no re-arm (the reactor's registration is edge-triggered)
    // but the buffer must be the connection's own for as long as the read is pending.
    // So an idle connection waits without a buffer, and one whose client sent
    // busy_messages messages within a heartbeat interval reads into read_buffer_
    // until an interval passes with fewer (mark_heartbeat).
    static constexpr std::size_t read_buffer_size = 1024;
    static constexpr std::uint8_t busy_messages = 4;
    std::unique_ptr<char[]> read_buffer_;
    std::uint8_t messages_this_period_ = 0;   // text and binary, saturating
    bool buffered_reads_allowed_ = false;
    bool release_read_buffer_ = false;        // at the next read: the client went quiet
};

}  // namespace switchboard::kernel::net
