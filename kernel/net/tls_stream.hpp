// A WebSocket's TLS layer, for code that must not compile OpenSSL's or Asio SSL's
// headers (websocket_connection.cpp is on the plain hot path; only TLS connections
// take this detour, chosen once per connection).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "kernel/net/tcp_socket.hpp"
#include "kernel/net/tls_handle.hpp"

namespace switchboard::kernel::net {

class tls_stream {
public:
    // `session` has finished its handshake on `socket` (which outlives this object).
    tls_stream(tcp_socket& socket, tls_handle session);
    ~tls_stream();
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;

    // Decrypted bytes into `into`. The socket is non-blocking: would_block when
    // neither OpenSSL nor the socket holds anything more.
    std::size_t read_some(boost::asio::mutable_buffer into, boost::system::error_code& ec);

    // Encrypts `buffers` (in order) and writes them; `done` runs on the socket's
    // executor when all is written or the write failed. One write at a time.
    void async_write(const std::vector<boost::asio::const_buffer>& buffers,
                     std::function<void(const boost::system::error_code&)> done);

    // Encrypts and writes `bytes` before returning (a short refusal on a socket still
    // in blocking mode, as the plain path writes it).
    void write_now(std::string_view bytes, boost::system::error_code& ec);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::kernel::net
