// The only translation unit that instantiates Beast's HTTP parser (it is heavy to
// compile), once over the plain socket and once over TLS; everything else sees
// net::http_request.
#include "kernel/net/http_connection.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "kernel/core/log.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"

namespace switchboard::kernel::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct http_connection::state {
    state(tcp_socket s, const asio::ip::tcp::endpoint& peer, tls_handle t)
        : socket(std::move(s)), remote_address(peer.address().to_string()), tls_session(std::move(t)) {}

    // Reads and writes go through `tls` once it exists, else straight to the socket.
    template <typename Fn>
    void with_stream(Fn&& fn) {
        if (tls) fn(*tls);
        else fn(socket);
    }

    tcp_socket socket;
    std::string remote_address;   // the client's, from accept()
    // A TLS port's connection before its handshake starts; then `tls` holds it.
    tls_handle tls_session;
    // Behind a pointer: a plain connection does not carry an idle SSL stream's bytes.
    std::unique_ptr<asio::ssl::stream<tcp_socket&>> tls;
    bool handshaking = false;
    // No maximum of its own: the parser's header and body limits bound what it holds
    // (a maximum here would cut headers short of their limit, with a 400 for a 431).
    beast::flat_buffer buffer;
    std::unique_ptr<asio::steady_timer> request_timer;
    std::unique_ptr<asio::steady_timer> write_timer;
    std::optional<http::request_parser<http::string_body>> parser;
    std::uint64_t next_request_id = 1;
    // The request waiting for its response (without its body).
    std::optional<std::pair<std::uint64_t, http_request>> awaiting;
    // A request that arrived while another one was still waiting (pipelining).
    std::optional<http_request> queued;
    std::string write_buffer;
    // A refused request's body may still be arriving: read and drop it for a moment
    // before closing (see linger()).
    std::unique_ptr<asio::steady_timer> linger_timer;
    std::unique_ptr<std::array<char, 8192>> drain_buffer;
    std::size_t drained = 0;
    bool reading = false;
    bool writing = false;
    bool close_after_write = false;
    bool closed = false;
};

namespace {

http_method to_method(http::verb verb) {
    switch (verb) {
        case http::verb::get: return http_method::get;
        case http::verb::post: return http_method::post;
        case http::verb::options: return http_method::options;
        case http::verb::head: return http_method::head;
        case http::verb::put: return http_method::put;
        case http::verb::delete_: return http_method::del;
        default: return http_method::other;
    }
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool has_token(std::string_view header_value, std::string_view token) {
    // Connection: keep-alive, Upgrade  ->  tokens, case-insensitive
    const std::string value = lower(header_value);
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto comma = value.find(',', start);
        std::string_view part = std::string_view(value).substr(start, comma - start);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (part == token) return true;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return false;
}

http_request to_request(http::request<http::string_body>&& message, const std::string& remote_address) {
    http_request request;
    request.method = to_method(message.method());
    const std::string_view target = message.target();
    const auto question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
    request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) request.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    request.keep_alive = message.keep_alive();
    request.websocket_upgrade = has_token(request.header("upgrade"), "websocket") &&
                                has_token(request.header("connection"), "upgrade");
    request.body = std::move(message.body());
    request.remote_address = remote_address;
    request.log_id = log::request_id_from(request.header("x-request-id"));
    return request;
}

// A connection we close after this response must say so: a client that keeps
// connections alive (Node's http agent, browsers) otherwise sends its next request on
// it and sees "socket hang up". Responses arrive as ready bytes from any layer.
void announce_close(std::string& response) {
    const auto headers_end = response.find("\r\n\r\n");
    if (headers_end == std::string::npos) return;
    const std::string head = lower(std::string_view(response).substr(0, headers_end + 2));
    if (head.find("\r\nconnection: close\r\n") != std::string::npos) return;
    const auto status_line_end = response.find("\r\n");
    response.insert(status_line_end + 2, "Connection: close\r\n");
}

http_request without_body(const http_request& request) {
    http_request copy;
    copy.method = request.method;
    copy.path = request.path;
    copy.query = request.query;
    copy.remote_address = request.remote_address;
    copy.log_id = request.log_id;
    return copy;
}

// Every response names its request id, so a client's report can be matched to the
// server's log lines.
void announce_request_id(std::string& response, std::string_view id) {
    const auto status_line_end = response.find("\r\n");
    if (status_line_end == std::string::npos) return;
    response.insert(status_line_end + 2, "X-Request-Id: " + std::string(id) + "\r\n");
}

int status_of(std::string_view response) {
    // "HTTP/1.1 200 OK"
    if (response.size() < 12) return 0;
    int status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (response[i] < '0' || response[i] > '9') return 0;
        status = status * 10 + (response[i] - '0');
    }
    return status;
}

}  // namespace

http_connection::http_connection(tcp_socket socket, const asio::ip::tcp::endpoint& peer, tls_handle tls,
                                 worker& owner, http_router& router, const http_limits& limits)
    : owner_(owner),
      router_(router),
      limits_(limits),
      state_(std::make_unique<state>(std::move(socket), peer, std::move(tls))) {}

http_connection::~http_connection() = default;

void http_connection::start() {
    boost::system::error_code ec;
    state_->socket.set_option(asio::ip::tcp::no_delay(true), ec);
    // Set once for the connection's life (and the WebSocket it may become): asio's
    // first asynchronous operation would set it again otherwise.
    state_->socket.non_blocking(true, ec);
    if (state_->tls_session) return await_client_hello();
    do_read();
}

void http_connection::await_client_hello() {
    auto& s = *state_;
    s.handshaking = true;
    // A client that opens the connection and never finishes the handshake holds a
    // descriptor and OpenSSL's buffers: the request deadline covers the handshake too.
    s.request_timer = std::make_unique<asio::steady_timer>(s.socket.get_executor(), limits_.request_timeout);
    s.request_timer->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        auto& st = *self->state_;
        if (ec || st.closed || !st.handshaking) return;
        count_refusal(refusal::header_deadline);
        if (refusal_log_due(refusal::header_deadline)) {
            SB_LOG(info, "net") << "closing a connection from " << st.remote_address << ": its TLS handshake did not finish within " << self->limits_.request_timeout.count()
                                << " ms";
        }
        self->close();
    });
    s.socket.async_wait(tcp_socket::wait_read,
                        [self = shared_from_this()](const boost::system::error_code& ec) { self->on_first_bytes(ec); });
}

void http_connection::on_first_bytes(const boost::system::error_code& ec) {
    auto& s = *state_;
    if (s.closed) return;
    if (ec) return close();
    unsigned char first = 0;
    const auto peeked = ::recv(s.socket.native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        s.socket.async_wait(tcp_socket::wait_read,
                            [self = shared_from_this()](const boost::system::error_code& wait_ec) {
                                self->on_first_bytes(wait_ec);
                            });
        return;
    }
    if (peeked <= 0) return close();
    // Every TLS connection opens with a handshake record (content type 22). Anything
    // else is most likely plain HTTP sent to the TLS port: say so in plain HTTP, which
    // the client can read, rather than leave it guessing at a reset.
    constexpr unsigned char tls_handshake_record = 0x16;
    if (first != tls_handshake_record) {
        s.handshaking = false;
        s.tls_session.reset();
        count_refusal(refusal::plain_http_on_tls);
        return reject(400, "This port speaks HTTPS: use https:// (or wss://)");
    }
    s.tls = std::make_unique<asio::ssl::stream<tcp_socket&>>(s.socket, s.tls_session.release());
    s.tls->async_handshake(asio::ssl::stream_base::server,
                           [self = shared_from_this()](const boost::system::error_code& handshake_ec) {
                               self->on_handshake(handshake_ec);
                           });
}

void http_connection::on_handshake(const boost::system::error_code& ec) {
    auto& s = *state_;
    s.handshaking = false;
    if (s.request_timer) s.request_timer->cancel();
    if (s.closed) return;
    if (ec) {
        // An old protocol version, no shared cipher, a client that distrusts our
        // certificate: the client learns it from the alert; here it is routine.
        count_refusal(refusal::tls_handshake);
        if (refusal_log_due(refusal::tls_handshake)) SB_LOG(debug, "net") << "TLS handshake failed: " << ec.message();
        return close();
    }
    do_read();
}

void http_connection::do_read() {
    auto& s = *state_;
    if (s.closed || s.reading) return;
    s.parser.emplace();
    s.parser->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    s.parser->body_limit(limits_.max_body_bytes);
    s.reading = true;
    s.with_stream([&](auto& stream) {
        http::async_read(stream, s.buffer, *s.parser,
                         [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                             self->on_read(ec);
                         });
    });
    arm_request_deadline();
}

void http_connection::arm_request_deadline() {
    auto& s = *state_;
    if (s.closed || !s.reading || s.awaiting || s.writing) return;
    if (!s.request_timer) s.request_timer = std::make_unique<asio::steady_timer>(s.socket.get_executor());
    s.request_timer->expires_after(limits_.request_timeout);
    s.request_timer->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->on_request_deadline();
    });
}

void http_connection::on_request_deadline() {
    auto& s = *state_;
    // The timer may have fired just as the request completed or a response began.
    if (s.closed || !s.reading || s.awaiting || s.writing) return;
    if (s.parser && s.parser->got_some()) {
        count_refusal(refusal::header_deadline);
        if (refusal_log_due(refusal::header_deadline)) {
            SB_LOG(info, "net") << "closing a connection from " << s.remote_address << ": its request did not arrive within " << limits_.request_timeout.count() << " ms";
        }
    }
    close();
}

void http_connection::on_read(const boost::system::error_code& ec) {
    auto& s = *state_;
    s.reading = false;
    if (s.request_timer) s.request_timer->cancel();
    if (s.closed) return;
    if (ec) {
        if (ec == http::error::body_limit) {
            count_refusal(refusal::body_size);
            return reject(413, "Payload Too Large");
        }
        if (ec == http::error::header_limit) {
            count_refusal(refusal::header_size);
            return reject(431, "Request Header Fields Too Large");
        }
        if (ec.category() == make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
            ec != http::error::partial_message)
            return reject(400, "Bad Request");
        // The peer went away.
        return close();
    }
    // Only chunked is implemented. Anything else would be read as a request without a
    // body and its bytes as the next request: smuggling behind a lenient proxy.
    if (const auto coding = s.parser->get()[http::field::transfer_encoding]; !coding.empty()) {
        std::string_view value = coding;
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        if (lower(value) != "chunked") {
            count_refusal(refusal::transfer_encoding);
            return reject(501, "Not Implemented");
        }
    }
    http_request request = to_request(s.parser->release(), s.remote_address);
    s.parser.reset();
    if (request.websocket_upgrade) {
        request.connection_token = std::move(token_);
        if (s.awaiting || s.writing) return reject(400, "Bad Request");
        tls_handle tls;
        if (s.tls) {
            // The TLS session goes with the socket; Asio's stream around it stays. Bytes
            // it holds still encrypted would be lost, but a client sends nothing before
            // the 101 it waits for: one that does is refused.
            SSL* ssl = s.tls->native_handle();
            if (BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0) return reject(400, "Bad Request");
            SSL_up_ref(ssl);
            tls.reset(ssl);
            s.tls.reset();
        }
        s.closed = true;
        // The request deadline's pending wait holds this connection: without the cancel
        // every upgraded connection's HTTP state would stay for header_timeout.
        if (s.request_timer) s.request_timer->cancel();
        std::string already_read(static_cast<const char*>(s.buffer.data().data()), s.buffer.size());
        s.buffer.consume(s.buffer.size());
        router_.on_websocket_upgrade(std::move(request), std::move(s.socket), std::move(tls), std::move(already_read),
                                     owner_);
        return;
    }
    if (s.awaiting || s.writing) {
        s.queued = std::move(request);
        return;
    }
    s.queued = std::move(request);
    dispatch_request();
}

void http_connection::dispatch_request() {
    auto& s = *state_;
    http_request request = std::move(*s.queued);
    s.queued.reset();
    const std::uint64_t id = s.next_request_id++;
    s.awaiting.emplace(id, without_body(request));
    const bool keep_alive = request.keep_alive;
    if (!keep_alive) s.close_after_write = true;
    router_.on_http_request(std::move(request), shared_from_this(), id);
    // Keep reading while the response is pending, to notice a client that leaves.
    if (keep_alive) do_read();
}

void http_connection::respond(std::uint64_t request_id, std::string raw_response, bool close_after) {
    asio::dispatch(state_->socket.get_executor(),
                   [self = shared_from_this(), request_id, raw = std::move(raw_response), close_after]() mutable {
                       self->write_response(request_id, std::move(raw), close_after);
                   });
}

void http_connection::write_response(std::uint64_t request_id, std::string raw_response, bool close_after) {
    auto& s = *state_;
    if (s.closed || !s.awaiting || s.awaiting->first != request_id) return;
    const http_request& request = s.awaiting->second;
    SB_LOG(debug, "http").with("request_id", request.log_id).with("remote", request.remote_address)
        << to_string(request.method) << " " << request.path << " " << status_of(raw_response) << " ("
        << raw_response.size() << " bytes)";
    announce_request_id(raw_response, request.log_id);
    s.awaiting.reset();
    s.close_after_write = s.close_after_write || close_after;
    s.write_buffer = std::move(raw_response);
    if (s.close_after_write) announce_close(s.write_buffer);
    s.writing = true;
    s.with_stream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(s.write_buffer),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              self->on_write(ec);
                          });
    });
    arm_write_deadline();
}

void http_connection::arm_write_deadline() {
    auto& s = *state_;
    if (!s.write_timer) s.write_timer = std::make_unique<asio::steady_timer>(s.socket.get_executor());
    s.write_timer->expires_after(limits_.write_timeout);
    s.write_timer->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        auto& st = *self->state_;
        if (ec || st.closed || !st.writing) return;
        count_refusal(refusal::write_deadline);
        if (refusal_log_due(refusal::write_deadline)) {
            SB_LOG(info, "net") << "closing an HTTP connection whose peer did not read its " << st.write_buffer.size()
                            << "-byte response within " << self->limits_.write_timeout.count() << " ms";
        }
        // Cancels the write; its handler finds the connection closed.
        self->close();
    });
}

void http_connection::on_write(const boost::system::error_code& ec) {
    auto& s = *state_;
    s.writing = false;
    if (s.write_timer) s.write_timer->cancel();
    std::string().swap(s.write_buffer);
    if (ec || s.close_after_write) return close();
    if (s.queued) return dispatch_request();
    do_read();
    // A read may have been going on during the response (to notice a client leaving):
    // from now on it waits for the next request, under the deadline.
    arm_request_deadline();
}

void http_connection::abandon_pending() {
    auto& s = *state_;
    if (!s.awaiting) return;
    auto [id, request] = std::move(*s.awaiting);
    s.awaiting.reset();
    router_.on_http_abandoned(request, id);
}

void http_connection::reject(int status, std::string_view message) {
    auto& s = *state_;
    abandon_pending();
    if (s.writing) return close();
    s.close_after_write = true;
    s.write_buffer = make_http_response(status, "text/plain; charset=UTF-8", message, {}, false);
    s.writing = true;
    s.with_stream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(s.write_buffer),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              auto& st = *self->state_;
                              st.writing = false;
                              if (st.write_timer) st.write_timer->cancel();
                              if (ec) return self->close();
                              self->linger();
                          });
    });
    arm_write_deadline();
}

void http_connection::linger() {
    // Closing while the client still sends the body we refused would reset the
    // connection before it reads our answer (it sees EPIPE, not the 413). Stop writing,
    // drop what arrives for a bounded time and amount, then close.
    auto& s = *state_;
    boost::system::error_code ec;
    s.socket.shutdown(tcp_socket::shutdown_send, ec);
    s.linger_timer = std::make_unique<asio::steady_timer>(s.socket.get_executor(), std::chrono::seconds(2));
    s.linger_timer->async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
        if (!wait_ec) self->close();
    });
    s.drain_buffer = std::make_unique<std::array<char, 8192>>();
    drain();
}

void http_connection::drain() {
    auto& s = *state_;
    if (s.closed) return;
    s.socket.async_read_some(asio::buffer(*s.drain_buffer),
                             [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                 auto& st = *self->state_;
                                 st.drained += n;
                                 if (ec || st.drained > 2 * self->limits_.max_body_bytes + (1u << 20))
                                     return self->close();
                                 self->drain();
                             });
}

void http_connection::close() {
    auto& s = *state_;
    if (s.closed) return;
    abandon_pending();
    s.closed = true;
    if (s.linger_timer) s.linger_timer->cancel();
    if (s.request_timer) s.request_timer->cancel();
    if (s.write_timer) s.write_timer->cancel();
    boost::system::error_code ec;
    s.socket.shutdown(tcp_socket::shutdown_both, ec);
    s.socket.close(ec);
}

}  // namespace switchboard::kernel::net
