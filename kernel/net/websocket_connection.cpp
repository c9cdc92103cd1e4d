#include "kernel/net/websocket_connection.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/write.hpp>

#include "kernel/core/log.hpp"
#include "kernel/core/traffic.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/net/tls_stream.hpp"

namespace switchboard::kernel::net {

namespace asio = boost::asio;

namespace {

// Connections with frames queued since the worker last returned to its loop. Each
// worker thread has its own list: one post per burst instead of one per connection.
thread_local std::vector<std::shared_ptr<websocket_connection>> dirty_connections;

// Allocates each block at its exact size from operator new. Asio's default allocator
// recycles per-thread blocks of whatever size an earlier operation needed, so the wait
// an idle connection keeps pending would sit for as long as it is idle in a block sized
// for the (larger) HTTP read of its handshake.
template <typename T>
struct exact_allocator {
    using value_type = T;
    exact_allocator() = default;
    template <typename U>
    exact_allocator(const exact_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
    friend bool operator==(const exact_allocator&, const exact_allocator&) noexcept { return true; }
};
thread_local bool flush_posted = false;

void flush_dirty_connections() {
    flush_posted = false;
    auto batch = std::move(dirty_connections);
    dirty_connections.clear();
    for (auto& connection : batch) connection->flush();
    // Keep the vector's capacity on this thread for the next burst.
    batch.clear();
    if (dirty_connections.empty()) dirty_connections.swap(batch);
}

}  // namespace

websocket_connection::websocket_connection(tcp_socket socket, tls_handle tls, worker& owner,
                                           std::size_t max_message_size, std::string_view handshake_response)
    : socket_(std::move(socket)), owner_(owner), parser_(max_message_size) {
    if (tls) tls_ = std::make_unique<tls_stream>(socket_, std::move(tls));
    auto response = framed_buffer::raw(handshake_response);
    change_queued(static_cast<std::int64_t>(response->size()));
    queue_.push_back(std::move(response));
}

// What is still queued when the connection goes never leaves: out of the gauge.
websocket_connection::~websocket_connection() { traffic::queued_bytes_changed(-static_cast<std::int64_t>(queued_bytes_)); }

void websocket_connection::change_queued(std::int64_t delta) noexcept {
    queued_bytes_ = static_cast<std::size_t>(static_cast<std::int64_t>(queued_bytes_) + delta);
    traffic::queued_bytes_changed(delta);
}

void websocket_connection::start(std::string already_read) {
    // The HTTP connection set TCP_NODELAY and non-blocking mode already; reads and
    // writes without waiting need the latter.
    if (!socket_.non_blocking()) {
        boost::system::error_code ec;
        socket_.non_blocking(true, ec);
    }
    schedule_flush();
    if (!already_read.empty()) {
        std::size_t used = 0;
        if (!consume(already_read.data(), already_read.size(), used)) return;
        pending_.assign(already_read, used);
    }
    // Plaintext OpenSSL decrypted during the HTTP phase and still holds would never
    // wake the readiness wait.
    if (tls_ && !read_now()) return;
    wait_readable();
}

void websocket_connection::wait_readable() {
    if (paused_ || waiting_readable_ || closed_notified_) return;
    waiting_readable_ = true;
    if (read_buffer_) {
        socket_.async_read_some(asio::buffer(read_buffer_.get(), read_buffer_size),
                                [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                    self->on_buffered_read(ec, n);
                                });
        return;
    }
    socket_.async_wait(tcp_socket::wait_read,
                       asio::bind_allocator(exact_allocator<void>(),
                                            [self = shared_from_this()](const boost::system::error_code& ec) {
                                                self->on_readable(ec);
                                            }));
}

void websocket_connection::on_readable(const boost::system::error_code& ec) {
    waiting_readable_ = false;
    if (ec) return fail(ec == asio::error::operation_aborted ? "transport close" : "transport error");
    if (read_now()) wait_readable();
}

void websocket_connection::on_buffered_read(const boost::system::error_code& ec, std::size_t n) {
    waiting_readable_ = false;
    if (closed_notified_) return;
    // The peer's end of the stream or a reset: read_now() says the same for both.
    if (ec || n == 0) return fail("transport close");
    if (!take(read_buffer_.get(), n)) return;
    // A full buffer may have left more in the socket.
    if (n == read_buffer_size && !read_now()) return;
    if (release_read_buffer_) {
        release_read_buffer_ = false;
        read_buffer_.reset();
    }
    wait_readable();
}

void websocket_connection::mark_heartbeat() noexcept {
    release_read_buffer_ = read_buffer_ && messages_this_period_ < busy_messages;
    messages_this_period_ = 0;
}

void websocket_connection::resume_reading() {
    if (!paused_) return;
    paused_ = false;
    if (closed_notified_ || closing_) return;
    // First the messages left behind when reading paused, then the socket.
    if (!pending_.empty()) {
        std::size_t used = 0;
        std::string buffered = std::move(pending_);
        if (!consume(buffered.data(), buffered.size(), used)) return;
        pending_.assign(buffered, used);
        if (paused_) return;
    }
    // A read into read_buffer_ still pending (the pause came between reads) may hold
    // bytes already, its completion queued: reading the socket now would handle newer
    // bytes first. It delivers, and reads on.
    if (read_buffer_ && waiting_readable_) return;
    if (read_now()) wait_readable();
}

void websocket_connection::read_available() {
    // The wait for readability stays armed; it finds nothing left, or what came later.
    // (A pending buffered read delivers in order by itself: see resume_reading.)
    if (read_buffer_ && waiting_readable_) return;
    if (!closed_notified_ && !closing_) read_now();
}

bool websocket_connection::read_now() {
    if (closed_notified_) return false;
    char* scratch = owner_.scratch();
    while (!paused_) {
        boost::system::error_code read_ec;
        const auto into = asio::buffer(scratch, worker::scratch_size);
        const std::size_t n = tls_ ? tls_->read_some(into, read_ec) : socket_.read_some(into, read_ec);
        if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) break;
        if (read_ec || n == 0) {
            fail("transport close");
            return false;
        }
        if (!take(scratch, n)) return false;
        // A short plain read emptied the socket. A TLS read returns one record at a
        // time, and what OpenSSL still holds never wakes the readiness wait: read on
        // until would_block.
        if (n < worker::scratch_size && !tls_) break;
    }
    return true;
}

bool websocket_connection::take(char* data, std::size_t n) {
    std::size_t used = 0;
    if (pending_.empty()) {
        if (!consume(data, n, used)) return false;
        if (used < n) pending_.assign(data + used, n - used);
    } else {
        pending_.append(data, n);
        if (!consume(pending_.data(), pending_.size(), used)) return false;
        pending_.erase(0, used);
        // An idle connection keeps no buffer behind.
        if (pending_.empty()) std::string().swap(pending_);
    }
    return true;
}

bool websocket_connection::consume(char* data, std::size_t size, std::size_t& used) {
    auto self = shared_from_this();   // a listener may drop its reference mid-loop
    used = 0;
    // Paused by a listener: stop at this message, the rest waits in pending_.
    while (used < size && !closed_notified_ && !paused_) {
        std::size_t consumed = 0;
        ws_message message;
        const auto status = parser_.parse(data + used, size - used, consumed, message);
        switch (status) {
            case ws_parse_status::need_more:
                used += consumed;
                return true;
            case ws_parse_status::protocol_error:
                close(ws_close_code::protocol_error, "protocol error");
                return false;
            case ws_parse_status::too_big:
                count_refusal(refusal::message_size);
                close(ws_close_code::too_big, "message too big");
                return false;
            case ws_parse_status::invalid_utf8:
                close(ws_close_code::invalid_payload, "invalid UTF-8");
                return false;
            case ws_parse_status::message:
                break;
        }
        switch (message.opcode) {
            case ws_opcode::text:
            case ws_opcode::binary:
                if (messages_this_period_ < UINT8_MAX) ++messages_this_period_;
                if (!read_buffer_ && buffered_reads_allowed_ && messages_this_period_ >= busy_messages) {
                    // Taken into use at the next wait: none is pending while a read's
                    // messages are handled, or it is a wait without a buffer.
                    read_buffer_ = std::make_unique<char[]>(read_buffer_size);
                }
                // A client that carries on talking does not wait for what the fence
                // holds (and one that answers no ping, hand-written, is not stuck).
                release_fence();
                if (listener_ && !closing_)
                    listener_->on_ws_message(*this, message.opcode == ws_opcode::binary, message.payload);
                break;
            case ws_opcode::ping:
                if (!closing_ && !pong_queued_) {
                    send(framed_buffer::raw(make_frame(ws_opcode::pong, message.payload)));
                    pong_queued_ = true;
                }
                break;
            case ws_opcode::close:
                close(ws_close_code::normal, "transport close");
                return false;
            case ws_opcode::pong:
                release_fence();
                break;
            default:
                break;   // continuations carry nothing for us
        }
        used += consumed;
    }
    return !closed_notified_;
}

void websocket_connection::send(const framed_buffer_ptr& packet) {
    if (closing_) return;
    change_queued(static_cast<std::int64_t>(packet->size()));
    queue_.push_back(packet);
    schedule_flush();
}

void websocket_connection::schedule_flush() {
    if (writing_ || flush_scheduled_) return;
    flush_scheduled_ = true;
    dirty_connections.push_back(shared_from_this());
    if (!flush_posted) {
        flush_posted = true;
        asio::post(owner_.io(), &flush_dirty_connections);
    }
}

void websocket_connection::end_write() {
    // Behind a fence everything waits in order anyway.
    if (fenced_) return;
    // With a write in flight, the frames up to here take the next write and the rest
    // the one after it.
    write_boundary_ = queue_.size();
    if (!writing_) flush();
}

void websocket_connection::fence() {
    if (closing_) return;
    // Already fenced: this ping joins the held frames, and the first pong lets all of
    // them go (a client connecting to two namespaces at once waits for one pong).
    static const auto ping = framed_buffer::raw(make_frame(ws_opcode::ping, {}));
    send(ping);
    end_write();
    fenced_ = true;
}

void websocket_connection::release_fence() {
    if (!fenced_) return;
    fenced_ = false;
    if (!queue_.empty()) schedule_flush();
}

void websocket_connection::flush() {
    flush_scheduled_ = false;
    if (writing_ || queue_.empty() || !socket_.is_open()) return;
    if (fenced_ && write_boundary_ == 0) return;   // all of it waits for the pong
    writing_ = true;
    const std::size_t count =
        write_boundary_ > 0 && write_boundary_ < queue_.size() ? write_boundary_ : queue_.size();
    write_boundary_ = 0;
    pong_queued_ = false;
    // Most writes fit in the socket's send buffer: one sendmsg now, and no write
    // operation, completion handler or post behind it. Only what the kernel did not
    // take waits for writability. An error takes the asynchronous path too, whose
    // handler reports it from the loop rather than from inside a caller's send.
    std::size_t written = 0;
    if (!tls_ && write_now(count, written)) return;
    if (count == queue_.size()) {
        in_flight_.swap(queue_);
    } else {
        const auto boundary = queue_.begin() + static_cast<std::ptrdiff_t>(count);
        in_flight_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(boundary));
        queue_.erase(queue_.begin(), boundary);
    }
    buffers_.clear();
    buffers_.reserve(in_flight_.size());
    for (const auto& packet : in_flight_) {
        const auto frame = packet->frame();
        // Frames the synchronous attempt wrote whole leave no buffer; the first it wrote
        // in part leaves its rest.
        if (written >= frame.size()) {
            written -= frame.size();
            continue;
        }
        buffers_.emplace_back(frame.data() + written, frame.size() - written);
        written = 0;
    }
    if (tls_) {
        tls_->async_write(buffers_, [self = shared_from_this()](const boost::system::error_code& ec) {
            self->on_write(ec);
        });
        return;
    }
    asio::async_write(socket_, buffers_,
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                          self->on_write(ec);
                      });
}

bool websocket_connection::write_now(std::size_t count, std::size_t& written) {
    // The gather list lives on the thread, not in each connection: it is needed only
    // during the call.
    thread_local std::vector<asio::const_buffer> gather;
    gather.clear();
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const auto frame = queue_[i]->frame();
        gather.emplace_back(frame.data(), frame.size());
        total += frame.size();
    }
    boost::system::error_code ec;
    written = socket_.write_some(gather, ec);
    if (ec) {
        written = 0;
        return false;
    }
    if (written < total) return false;
    std::int64_t bytes = 0;
    for (std::size_t i = 0; i < count; ++i) bytes += static_cast<std::int64_t>(queue_[i]->size());
    if (count == queue_.size()) {
        queue_.clear();
    } else {
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
    }
    change_queued(-bytes);
    after_write({});
    return true;
}

void websocket_connection::on_write(const boost::system::error_code& ec) {
    std::int64_t written = 0;
    for (const auto& packet : in_flight_) written += static_cast<std::int64_t>(packet->size());
    change_queued(-written);
    // Writes that had to wait are the exception: their lists go with them.
    std::vector<framed_buffer_ptr>().swap(in_flight_);
    std::vector<asio::const_buffer>().swap(buffers_);
    after_write(ec);
}

void websocket_connection::after_write(const boost::system::error_code& ec) {
    writing_ = false;
    if (ec) return fail("transport error");
    if (!queue_.empty()) return flush();
    // An idle connection keeps no queue storage: most connections are idle most of the
    // time, and a new frame costs one small allocation.
    std::vector<framed_buffer_ptr>().swap(queue_);
    if (close_when_written_) shutdown_socket();
}

void websocket_connection::close(ws_close_code code, std::string_view reason) {
    if (closing_) return;
    closing_ = true;
    fenced_ = false;   // what is queued leaves before the close frame, pong or not
    close_when_written_ = true;
    auto frame = framed_buffer::raw(make_close_frame(code));
    change_queued(static_cast<std::int64_t>(frame->size()));
    queue_.push_back(std::move(frame));
    if (!writing_) flush();
    // A close frame written at once has already shut the socket: no deadline to keep.
    if (socket_.is_open()) start_close_deadline();
    notify_closed(reason);
}

void websocket_connection::start_close_deadline() {
    close_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), close_timeout_);
    close_timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || !self->socket_.is_open()) return;
        count_refusal(refusal::write_deadline);
        if (refusal_log_due(refusal::write_deadline)) {
            SB_LOG(info, "net") << "closing a WebSocket whose peer did not read its last " << self->queued_bytes_
                            << " bytes within " << self->close_timeout_.count() << " ms";
        }
        // Cancels the write in flight; its handler releases what was queued.
        self->shutdown_socket();
    });
}

void websocket_connection::fail(std::string_view reason) {
    closing_ = true;
    shutdown_socket();
    // Nothing queued can leave any more: give its memory back now, not when the last
    // reference to this connection goes.
    std::int64_t dropped = 0;
    for (const auto& packet : queue_) dropped += static_cast<std::int64_t>(packet->size());
    change_queued(-dropped);
    std::vector<framed_buffer_ptr>().swap(queue_);
    std::string().swap(pending_);
    notify_closed(reason);
}

void websocket_connection::notify_closed(std::string_view reason) {
    if (closed_notified_) return;
    closed_notified_ = true;
    if (auto* listener = std::exchange(listener_, nullptr)) listener->on_ws_closed(*this, reason);
}

void websocket_connection::shutdown_socket() {
    if (close_timer_) close_timer_->cancel();
    boost::system::error_code ec;
    socket_.shutdown(tcp_socket::shutdown_both, ec);
    socket_.close(ec);
}

}  // namespace switchboard::kernel::net
