#include "support/raw_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace switchboard::tests::integration {

namespace {

using clock_type = std::chrono::steady_clock;
namespace asio = boost::asio;
using boost::system::error_code;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string sha1(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha1(), nullptr);
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
    return out;
}

std::string describe(const error_code& ec) {
    if (ec == asio::error::timed_out) return "timed out";
    if (ec == asio::error::eof) return "connection closed by server";
    return ec.message();
}

}  // namespace

// ---------------------------------------------------------------------------
// tcp_connection

tcp_connection::tcp_connection() : socket_(io_) {}

tcp_connection::~tcp_connection() { close(); }

template <class Start>
error_code tcp_connection::run_until(Start&& start, clock_type::time_point deadline) {
    // Asio has no blocking-with-timeout calls; running the private io_context
    // until a deadline and cancelling what is left gives the same thing.
    std::optional<error_code> result;
    start([&result](const error_code& ec) { result = ec; });
    io_.restart();
    io_.run_until(deadline);
    if (!result) {
        error_code ignored;
        socket_.cancel(ignored);
        io_.restart();
        io_.run();
        return asio::error::timed_out;
    }
    return *result;
}

error_code tcp_connection::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
    close();
    buffer_.clear();
    error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
        asio::ip::tcp::resolver resolver(io_);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty()) return ec ? ec : asio::error::host_not_found;
        address = results.begin()->endpoint().address();
    }
    const asio::ip::tcp::endpoint endpoint(address, port);
    ec = run_until([&](auto done) { socket_.async_connect(endpoint, done); }, clock_type::now() + timeout);
    if (ec) {
        close();
        return ec;
    }
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    return {};
}

error_code tcp_connection::write(std::string_view bytes, std::chrono::milliseconds timeout) {
    if (!socket_.is_open()) return asio::error::not_connected;
    return run_until(
        [&](auto done) {
            asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                              [done](const error_code& ec, std::size_t) mutable { done(ec); });
        },
        clock_type::now() + timeout);
}

error_code tcp_connection::fill(clock_type::time_point deadline) {
    if (!socket_.is_open()) return asio::error::not_connected;
    std::array<char, 16384> chunk{};
    std::size_t received = 0;
    const auto ec = run_until(
        [&](auto done) {
            socket_.async_read_some(asio::buffer(chunk),
                                    [done, &received](const error_code& ec, std::size_t n) mutable {
                                        received = n;
                                        done(ec);
                                    });
        },
        deadline);
    buffer_.append(chunk.data(), received);
    return received > 0 ? error_code{} : ec;
}

void tcp_connection::close() {
    if (socket_.is_open()) {
        error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }
}

// ---------------------------------------------------------------------------
// HTTP

std::string http_response::header(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

bool http_response::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(), [&](const http_header& h) { return iequals(h.name, name); });
}

namespace {

// Waits until `connection.buffer()` holds `needed` bytes. Throws with `what`
// on timeout or EOF.
void fill_until_size(tcp_connection& connection, std::size_t needed, clock_type::time_point deadline,
                     const char* what) {
    while (connection.buffer().size() < needed) {
        const auto ec = connection.fill(deadline);
        if (ec) throw client_error(std::string("HTTP: ") + describe(ec) + " while reading " + what);
    }
}

// Waits until `delimiter` appears at or after `from`; returns its offset.
std::size_t fill_until_delimiter(tcp_connection& connection, std::string_view delimiter, std::size_t from,
                                 clock_type::time_point deadline, const char* what) {
    for (;;) {
        const auto at = connection.buffer().find(delimiter, from);
        if (at != std::string::npos) return at;
        const auto ec = connection.fill(deadline);
        if (ec) throw client_error(std::string("HTTP: ") + describe(ec) + " while reading " + what);
    }
}

std::size_t parse_size(std::string_view text, int base, const char* what) {
    std::size_t value = 0;
    text = trim(text);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc{} || end == text.data())
        throw client_error(std::string("HTTP: malformed ") + what + ": '" + std::string(text) + "'");
    return value;
}

}  // namespace

http_response read_http_response(tcp_connection& connection, std::chrono::milliseconds timeout) {
    const auto deadline = clock_type::now() + timeout;
    auto& buffer = connection.buffer();
    const auto head_end = fill_until_delimiter(connection, "\r\n\r\n", 0, deadline, "the response head");

    http_response response;
    std::string_view head(buffer.data(), head_end);
    const auto line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    const auto first_space = status_line.find(' ');
    if (status_line.substr(0, 5) != "HTTP/" || first_space == std::string_view::npos)
        throw client_error("HTTP: malformed status line: '" + std::string(status_line) + "'");
    const auto rest = status_line.substr(first_space + 1);
    response.status = static_cast<int>(parse_size(rest.substr(0, 3), 10, "status code"));
    response.reason = rest.size() > 4 ? std::string(rest.substr(4)) : std::string();

    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        auto next = head.find("\r\n", pos);
        if (next == std::string_view::npos) next = head.size();
        const auto line = head.substr(pos, next - pos);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos)
            response.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
        pos = next + 2;
    }
    buffer.erase(0, head_end + 4);

    const bool bodiless = response.status / 100 == 1 || response.status == 204 || response.status == 304;
    if (bodiless) return response;

    if (iequals(response.header("Transfer-Encoding"), "chunked")) {
        for (;;) {
            const auto size_end = fill_until_delimiter(connection, "\r\n", 0, deadline, "a chunk size");
            auto size_text = std::string_view(buffer).substr(0, size_end);
            if (const auto semicolon = size_text.find(';'); semicolon != std::string_view::npos)
                size_text = size_text.substr(0, semicolon);
            const auto size = parse_size(size_text, 16, "chunk size");
            buffer.erase(0, size_end + 2);
            if (size == 0) {
                // Trailers (none expected) end with an empty line.
                const auto trailer_end = fill_until_delimiter(connection, "\r\n", 0, deadline, "the last chunk");
                buffer.erase(0, trailer_end + 2);
                return response;
            }
            fill_until_size(connection, size + 2, deadline, "a chunk");
            response.body.append(buffer, 0, size);
            buffer.erase(0, size + 2);
        }
    }
    if (response.has_header("Content-Length")) {
        const auto length = parse_size(response.header("Content-Length"), 10, "Content-Length");
        fill_until_size(connection, length, deadline, "the body");
        response.body.assign(buffer, 0, length);
        buffer.erase(0, length);
        return response;
    }
    // Neither length nor chunks: the body runs to EOF.
    for (;;) {
        const auto ec = connection.fill(deadline);
        if (ec == asio::error::timed_out) throw client_error("HTTP: timed out reading an EOF-delimited body");
        if (ec) break;
    }
    response.body = std::move(buffer);
    buffer.clear();
    connection.close();
    return response;
}

http_client::http_client(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

void http_client::send(std::string_view method, std::string_view target, std::string_view body,
                       const std::vector<http_header>& headers) {
    if (!connection_.is_open()) {
        if (const auto ec = connection_.connect(host_, port_))
            throw client_error("HTTP: cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + describe(ec));
    }
    std::string request;
    request.reserve(256 + body.size());
    request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
    for (const auto& h : headers) request.append(h.name).append(": ").append(h.value).append("\r\n");
    const bool has_body_method = method == "POST" || method == "PUT" || method == "PATCH";
    if (!body.empty() || has_body_method)
        request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    request.append("\r\n").append(body);
    if (const auto ec = connection_.write(request))
        throw client_error("HTTP: cannot send " + std::string(method) + " " + std::string(target) + ": " +
                           describe(ec));
}

http_response http_client::receive(std::chrono::milliseconds timeout) {
    auto response = read_http_response(connection_, timeout);
    if (iequals(response.header("Connection"), "close")) connection_.close();
    return response;
}

std::optional<http_response> http_client::try_receive(std::chrono::milliseconds timeout) {
    const auto deadline = clock_type::now() + timeout;
    // Distinguish "closed without an answer" from a real response by peeking.
    while (connection_.buffer().empty()) {
        const auto ec = connection_.fill(deadline);
        if (ec == asio::error::timed_out) throw client_error("HTTP: timed out waiting for a response");
        if (ec) {
            connection_.close();
            return std::nullopt;
        }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    return receive(std::max(left, std::chrono::milliseconds(1)));
}

http_response http_client::request(std::string_view method, std::string_view target, std::string_view body,
                                   const std::vector<http_header>& headers) {
    if (connection_.is_open()) {
        // A server may close an idle keep-alive connection at any time; like any
        // HTTP client, retry once on a fresh connection if nothing came back.
        bool sent = true;
        try {
            send(method, target, body, headers);
        } catch (const client_error&) {
            sent = false;
        }
        if (sent) {
            if (auto response = try_receive()) return std::move(*response);
        }
        connection_.close();
    }
    send(method, target, body, headers);
    return receive();
}

http_response http_client::get(std::string_view target, const std::vector<http_header>& headers) {
    return request("GET", target, {}, headers);
}

http_response http_client::post(std::string_view target, std::string_view body,
                                const std::vector<http_header>& headers) {
    return request("POST", target, body, headers);
}

void http_client::abort() { connection_.close(); }

// ---------------------------------------------------------------------------
// WebSocket

std::string encode_ws_frame(std::uint8_t opcode, std::string_view payload, bool fin, bool masked, std::uint8_t rsv) {
    std::string frame;
    frame.reserve(payload.size() + 14);
    frame.push_back(static_cast<char>((fin ? 0x80 : 0x00) | ((rsv & 0x7) << 4) | (opcode & 0x0F)));
    const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
    if (payload.size() < 126) {
        frame.push_back(static_cast<char>(mask_bit | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        frame.push_back(static_cast<char>(mask_bit | 126));
        frame.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
        frame.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        frame.push_back(static_cast<char>(mask_bit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF));
    }
    if (!masked) return frame.append(payload);
    const auto key = random_bytes(4);
    frame.append(key);
    const auto start = frame.size();
    frame.append(payload);
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame[start + i] = static_cast<char>(frame[start + i] ^ key[i % 4]);
    return frame;
}

websocket_client::websocket_client(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

http_response websocket_client::handshake(std::string_view target, const std::vector<http_header>& headers) {
    open_ = false;
    handshake_error_.clear();
    if (const auto ec = connection_.connect(host_, port_))
        throw client_error("WebSocket: cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + describe(ec));
    const auto key = base64(random_bytes(16));
    std::string request;
    request.append("GET ").append(target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
    request.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    request.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
    request.append("Sec-WebSocket-Version: 13\r\n");
    for (const auto& h : headers) request.append(h.name).append(": ").append(h.value).append("\r\n");
    request.append("\r\n");
    if (const auto ec = connection_.write(request))
        throw client_error("WebSocket: cannot send the upgrade: " + describe(ec));

    // A refused upgrade may carry a body; a 101 never does.
    auto response = read_http_response(connection_, default_timeout);
    if (response.status != 101) {
        handshake_error_ = "status " + std::to_string(response.status) + " (" + response.body + ")";
        connection_.close();
        return response;
    }
    const auto expected = base64(sha1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    if (response.header("Sec-WebSocket-Accept") != expected) {
        handshake_error_ = "bad Sec-WebSocket-Accept '" + response.header("Sec-WebSocket-Accept") + "'";
        connection_.close();
        return response;
    }
    open_ = true;
    return response;
}

void websocket_client::send_frame(std::uint8_t opcode, std::string_view payload, bool fin, bool masked,
                                  std::uint8_t rsv) {
    if (const auto ec = connection_.write(encode_ws_frame(opcode, payload, fin, masked, rsv)))
        throw client_error("WebSocket: cannot send a frame: " + describe(ec));
}

void websocket_client::send_text(std::string_view text) { send_frame(opcode::text, text); }
void websocket_client::send_binary(std::string_view bytes) { send_frame(opcode::binary, bytes); }
void websocket_client::send_ping(std::string_view payload) { send_frame(opcode::ping, payload); }

void websocket_client::send_close(std::optional<std::uint16_t> code, std::string_view reason) {
    std::string payload;
    if (code) {
        payload.push_back(static_cast<char>(*code >> 8));
        payload.push_back(static_cast<char>(*code & 0xFF));
        payload.append(reason);
    }
    send_frame(opcode::close, payload);
}

void websocket_client::send_raw(std::string_view bytes) { (void)connection_.write(bytes); }

std::optional<ws_frame> websocket_client::parse_frame() {
    const auto& b = connection_.buffer();
    if (b.size() < 2) return std::nullopt;
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(b[i]); };
    ws_frame frame;
    frame.fin = (byte(0) & 0x80) != 0;
    frame.rsv = static_cast<std::uint8_t>((byte(0) >> 4) & 0x7);
    frame.opcode = byte(0) & 0x0F;
    frame.masked = (byte(1) & 0x80) != 0;
    std::uint64_t length = byte(1) & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
        if (b.size() < 4) return std::nullopt;
        length = (std::uint64_t{byte(2)} << 8) | byte(3);
        header = 4;
    } else if (length == 127) {
        if (b.size() < 10) return std::nullopt;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
        header = 10;
    }
    // Not a frame any server would send (e.g. HTTP text after a 101): the
    // stream is unusable, which the caller sees as a closed connection.
    if (length > (std::uint64_t{1} << 31)) {
        connection_.close();
        connection_.buffer().clear();
        return std::nullopt;
    }
    const std::size_t key_at = header;
    if (frame.masked) header += 4;
    if (b.size() < header + length) return std::nullopt;
    frame.payload = b.substr(header, static_cast<std::size_t>(length));
    if (frame.masked)
        for (std::size_t i = 0; i < frame.payload.size(); ++i)
            frame.payload[i] = static_cast<char>(frame.payload[i] ^ b[key_at + i % 4]);
    connection_.buffer().erase(0, header + static_cast<std::size_t>(length));
    return frame;
}

std::optional<ws_frame> websocket_client::read_frame(std::chrono::milliseconds timeout) {
    const auto deadline = clock_type::now() + timeout;
    for (;;) {
        if (auto frame = parse_frame()) return frame;
        const auto ec = connection_.fill(deadline);
        if (ec == asio::error::timed_out)
            throw client_error("WebSocket: no frame within " + std::to_string(timeout.count()) + " ms");
        if (ec) return std::nullopt;
    }
}

ws_message websocket_client::read_message(std::chrono::milliseconds timeout) {
    const auto deadline = clock_type::now() + timeout;
    ws_message message;
    bool in_message = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        std::optional<ws_frame> frame;
        try {
            frame = read_frame(std::max(left, std::chrono::milliseconds(0)));
        } catch (const client_error&) {
            throw client_error("WebSocket: no message within " + std::to_string(timeout.count()) + " ms");
        }
        if (!frame) throw client_error("WebSocket: connection closed (EOF) while waiting for a message");
        switch (frame->opcode) {
        case opcode::ping:
            send_frame(opcode::pong, frame->payload);
            continue;
        case opcode::pong:
            continue;
        case opcode::close: {
            std::string code = "no status";
            if (frame->payload.size() >= 2)
                code = std::to_string((static_cast<std::uint8_t>(frame->payload[0]) << 8) |
                                      static_cast<std::uint8_t>(frame->payload[1]));
            send_raw(encode_ws_frame(opcode::close, frame->payload.substr(0, 2)));
            connection_.close();
            throw client_error("WebSocket: server closed the connection (code " + code +
                               ") while waiting for a message");
        }
        case opcode::text:
        case opcode::binary:
            if (in_message) throw client_error("WebSocket: new data frame inside a fragmented message");
            in_message = true;
            message.binary = frame->opcode == opcode::binary;
            break;
        case opcode::continuation:
            if (!in_message) throw client_error("WebSocket: continuation frame without a message");
            break;
        default:
            throw client_error("WebSocket: server sent reserved opcode " + std::to_string(frame->opcode));
        }
        message.data += frame->payload;
        if (frame->fin) return message;
    }
}

std::string websocket_client::read_text(std::chrono::milliseconds timeout) {
    auto message = read_message(timeout);
    if (message.binary) throw client_error("WebSocket: expected a text message, got binary");
    return std::move(message.data);
}

ws_close websocket_client::wait_closed(std::chrono::milliseconds timeout, bool answer_engineio_pings) {
    const auto deadline = clock_type::now() + timeout;
    ws_close result;
    ws_message partial;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        std::optional<ws_frame> frame;
        try {
            frame = read_frame(std::max(left, std::chrono::milliseconds(0)));
        } catch (const client_error&) {
            return result;  // still open
        }
        if (!frame) {
            result.closed = true;
            connection_.close();
            return result;
        }
        if (frame->opcode == opcode::close) {
            result.closed = true;
            result.close_frame = true;
            if (frame->payload.size() >= 2) {
                result.code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(frame->payload[0]) << 8) |
                                                         static_cast<std::uint8_t>(frame->payload[1]));
                result.reason = frame->payload.substr(2);
            }
            send_raw(encode_ws_frame(opcode::close, frame->payload.substr(0, 2)));
            connection_.close();
            return result;
        }
        if (frame->opcode == opcode::ping) {
            send_raw(encode_ws_frame(opcode::pong, frame->payload));
            continue;
        }
        if (frame->opcode == opcode::text || frame->opcode == opcode::binary)
            partial = {frame->opcode == opcode::binary, {}};
        if (frame->opcode <= opcode::binary) {
            partial.data += frame->payload;
            if (!frame->fin) continue;
            if (answer_engineio_pings && !partial.binary && partial.data == "2") {
                send_raw(encode_ws_frame(opcode::text, "3"));
                continue;
            }
            result.messages.push_back(std::move(partial));
            partial = {};
        }
    }
}

}  // namespace switchboard::tests::integration
