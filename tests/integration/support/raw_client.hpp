#pragma once

// A deliberately small, blocking wire-level client for the integration suite.
//
// It speaks just enough HTTP/1.1 and RFC 6455 to put exact bytes on the wire,
// including bytes no real client would send, and to read back exactly what the
// server answered. Every read has a deadline so a misbehaving server fails a
// test instead of hanging it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::tests::integration {

inline constexpr std::chrono::milliseconds default_timeout{3000};

// Thrown when the server does not answer in time or breaks the connection
// where the test expected an answer; gtest reports the message.
class client_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One TCP connection with a receive buffer; the building block of both clients.
class tcp_connection {
public:
    tcp_connection();
    tcp_connection(const tcp_connection&) = delete;
    tcp_connection& operator=(const tcp_connection&) = delete;
    ~tcp_connection();

    boost::system::error_code connect(const std::string& host, std::uint16_t port,
                                      std::chrono::milliseconds timeout = default_timeout);
    boost::system::error_code write(std::string_view bytes,
                                    std::chrono::milliseconds timeout = default_timeout);
    // Appends whatever arrives next to buffer(); timed_out, eof or a reset otherwise.
    boost::system::error_code fill(std::chrono::steady_clock::time_point deadline);

    std::string& buffer() { return buffer_; }
    bool is_open() const { return socket_.is_open(); }
    void close();

private:
    template <class Start>
    boost::system::error_code run_until(Start&& start, std::chrono::steady_clock::time_point deadline);

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    std::string buffer_;
};

struct http_header {
    std::string name;
    std::string value;
};

struct http_response {
    int status = 0;
    std::string reason;
    std::vector<http_header> headers;
    std::string body;

    // Case-insensitive lookup; empty when absent.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

// Reads one HTTP/1.1 response (Content-Length, chunked, or until EOF) from
// `connection`. Bodies of 1xx/204/304 responses are empty by definition.
http_response read_http_response(tcp_connection& connection,
                                 std::chrono::milliseconds timeout = default_timeout);

// An HTTP/1.1 client on one keep-alive connection. A request can be sent and
// its response collected later, so a test can leave a long-poll pending while
// another client acts.
class http_client {
public:
    http_client(std::string host, std::uint16_t port);

    http_response get(std::string_view target, const std::vector<http_header>& headers = {});
    http_response post(std::string_view target, std::string_view body,
                       const std::vector<http_header>& headers = {});
    http_response request(std::string_view method, std::string_view target, std::string_view body = {},
                          const std::vector<http_header>& headers = {});

    // Sends without waiting; a body is always framed with Content-Length.
    void send(std::string_view method, std::string_view target, std::string_view body = {},
              const std::vector<http_header>& headers = {});
    http_response receive(std::chrono::milliseconds timeout = default_timeout);
    // nullopt when the server closed the connection instead of answering.
    std::optional<http_response> try_receive(std::chrono::milliseconds timeout = default_timeout);

    // Drops the connection mid-request (e.g. to abandon a pending long-poll).
    void abort();

private:
    std::string host_;
    std::uint16_t port_;
    tcp_connection connection_;
};

// Opcodes as plain bytes: tests also send the reserved ones.
namespace opcode {
inline constexpr std::uint8_t continuation = 0x0;
inline constexpr std::uint8_t text = 0x1;
inline constexpr std::uint8_t binary = 0x2;
inline constexpr std::uint8_t close = 0x8;
inline constexpr std::uint8_t ping = 0x9;
inline constexpr std::uint8_t pong = 0xA;
}  // namespace opcode

struct ws_frame {
    bool fin = true;
    std::uint8_t rsv = 0;  // the three RSV bits, as bits 2..0
    std::uint8_t opcode = 0;
    bool masked = false;
    std::string payload;
};

// One complete data message (fragments already joined).
struct ws_message {
    bool binary = false;
    std::string data;

    bool operator==(const ws_message&) const = default;
};

// How the server ended a WebSocket connection.
struct ws_close {
    bool closed = false;                 // a close frame or EOF/reset was seen in time
    bool close_frame = false;            // the server sent a close frame (not only EOF)
    std::optional<std::uint16_t> code;   // status code in the close frame, if it carried one
    std::string reason;
    std::vector<ws_message> messages;    // data messages received before the close
};

// Builds one client frame. Masked with a random key unless `masked` is false.
std::string encode_ws_frame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true,
                            std::uint8_t rsv = 0);

class websocket_client {
public:
    websocket_client(std::string host, std::uint16_t port);

    // Sends the upgrade request for `target` and returns the server's answer.
    // The connection is open only if that was a 101 with the right
    // Sec-WebSocket-Accept; handshake_error() says what was wrong otherwise.
    http_response handshake(std::string_view target, const std::vector<http_header>& headers = {});
    bool is_open() const { return open_; }
    // Why the last handshake was not accepted ("" when it was).
    const std::string& handshake_error() const { return handshake_error_; }

    void send_text(std::string_view text);
    void send_binary(std::string_view bytes);
    void send_ping(std::string_view payload = {});
    void send_close(std::optional<std::uint16_t> code = 1000, std::string_view reason = {});
    void send_frame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true,
                    std::uint8_t rsv = 0);
    // Writes bytes as they are; errors are ignored because a server may already
    // have dropped a connection that is being fed garbage.
    void send_raw(std::string_view bytes);

    // The next frame of any kind; nullopt on EOF/reset. Throws client_error on timeout.
    std::optional<ws_frame> read_frame(std::chrono::milliseconds timeout = default_timeout);
    // The next data message; answers server pings. Throws client_error when the
    // connection closes or nothing arrives in time.
    ws_message read_message(std::chrono::milliseconds timeout = default_timeout);
    // read_message() that also requires a text message.
    std::string read_text(std::chrono::milliseconds timeout = default_timeout);
    // Reads until the server closes. With `answer_engineio_pings`, Engine.IO
    // pings ("2") are answered with pongs ("3") so a heartbeat cannot be the
    // reason for the close.
    ws_close wait_closed(std::chrono::milliseconds timeout = default_timeout, bool answer_engineio_pings = false);

private:
    std::optional<ws_frame> parse_frame();

    std::string host_;
    std::uint16_t port_;
    tcp_connection connection_;
    bool open_ = false;
    std::string handshake_error_;
};

}  // namespace switchboard::tests::integration
