// One HTTP/1.1 connection: parses requests with Beast and hands them to a router.
//
// A long-polling GET may be answered much later and from another worker, so a
// response is sent with respond(), which is safe from any thread. While a response is
// pending the connection keeps reading: the client closing the connection then tells
// the router the request was abandoned (the reference server closes the session).
// A WebSocket upgrade request ends the HTTP life of the connection: the socket and any
// bytes already read are handed over.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "kernel/net/http_message.hpp"
#include "kernel/net/tcp_socket.hpp"
#include "kernel/net/tls_handle.hpp"

namespace switchboard::kernel {
class worker;
}

namespace switchboard::kernel::net {

class http_connection;

// Answers requests. Called on the connection's worker thread.
class http_router {
public:
    // A complete request. Answer it, now or later, with `connection->respond(id, ...)`.
    virtual void on_http_request(http_request&& request, const std::shared_ptr<http_connection>& connection,
                                 std::uint64_t request_id) = 0;
    // An upgrade request: the router now owns the socket, and its TLS state when the
    // connection is over TLS (`tls` null: plain). `already_read` is plaintext.
    virtual void on_websocket_upgrade(http_request&& request, tcp_socket socket, tls_handle tls,
                                      std::string already_read, worker& owner) = 0;
    // The client went away while request `request_id` (which had `request` as its
    // parsed form) was still waiting for its response.
    virtual void on_http_abandoned(const http_request& request, std::uint64_t request_id) = 0;

protected:
    ~http_router() = default;
};

struct http_limits {
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1'000'000;
    // A request must arrive whole within this once the server waits for one (slowloris,
    // and idle keep-alive connections); on a TLS port the handshake too. Not while a response is pending: a long-polling
    // client then legitimately sends nothing.
    std::chrono::milliseconds request_timeout{10'000};
    // A response must be written within this: a peer that keeps its receive window
    // shut would otherwise hold the connection and the response's bytes forever.
    std::chrono::milliseconds write_timeout{5'000};
};

class http_connection : public std::enable_shared_from_this<http_connection> {
public:
    // `peer`: the client's address, as accept() reported it. `tls`: a fresh TLS session
    // to handshake before the first request (null: plain HTTP).
    http_connection(tcp_socket socket, const boost::asio::ip::tcp::endpoint& peer, tls_handle tls,
                    worker& owner, http_router& router, const http_limits& limits);
    ~http_connection();

    void start();
    // Keeps `token` as long as this connection (or the WebSocket it becomes) lives.
    void hold(std::shared_ptr<void> token) { token_ = std::move(token); }

    // Sends `raw_response` (complete bytes) for `request_id`; closes the connection
    // afterwards when `close_after`. Safe from any thread.
    void respond(std::uint64_t request_id, std::string raw_response, bool close_after = false);

    worker& owner() noexcept { return owner_; }

private:
    struct state;

    // TLS: waits for the client's first byte, then handshakes (or answers a plain
    // HTTP request with a plain refusal), all within the request deadline.
    void await_client_hello();
    void on_first_bytes(const boost::system::error_code& ec);
    void on_handshake(const boost::system::error_code& ec);
    void do_read();
    void on_read(const boost::system::error_code& ec);
    // Starts the request deadline when the connection waits for a request and owes no
    // response.
    void arm_request_deadline();
    void on_request_deadline();
    // Starts the write deadline of the response being written.
    void arm_write_deadline();
    void dispatch_request();
    void write_response(std::uint64_t request_id, std::string raw_response, bool close_after);
    void on_write(const boost::system::error_code& ec);
    void reject(int status, std::string_view message);
    // Tells the router that the request waiting for its response will never get it.
    void abandon_pending();
    // After a refusal: stop writing, drop what the client still sends, then close.
    void linger();
    void drain();
    void close();

    worker& owner_;
    http_router& router_;
    http_limits limits_;
    std::unique_ptr<state> state_;   // Beast types stay in the .cpp
    std::shared_ptr<void> token_;
};

}  // namespace switchboard::kernel::net
