// A Socket.IO client over a WebSocket, connecting with transport=websocket directly, as
// socket.io-client does with transports: ["websocket"].
//
// Boost.Beast does the opening handshake, the reading and the closing handshake. Data
// frames are written by the client itself, so that every packet emitted while handling
// one event (a sender's burst) leaves in a single write, the way a server gathers its
// queued frames. That is safe because Beast writes nothing else on its own while the
// stream is open: it would answer a WebSocket-level ping, which neither server sends
// (Engine.IO pings are data frames).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "client.hpp"

namespace switchboard::bench {

class ws_client final : public client, public std::enable_shared_from_this<ws_client> {
public:
    // `where` and `listener` must outlive the client.
    ws_client(boost::asio::io_context& io, const target& where, client_listener& listener, std::size_t id,
              std::size_t shard);

    void start() override;
    void emit(std::string sio_packet) override;
    void close() override;

private:
    enum class phase : std::uint8_t { connecting, opening, joining, ready, closed };

    void on_connect(const boost::system::error_code& ec);
    void on_handshake(const boost::system::error_code& ec);
    void do_read();
    void on_read(const boost::system::error_code& ec);
    void on_eio_packet(std::string_view packet, clock::time_point received);
    void send_eio(std::string_view packet);
    void do_write();
    void on_write(const boost::system::error_code& ec);
    void do_close();
    void finish(std::string_view reason);

    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    const target& target_;
    boost::beast::flat_buffer buffer_;
    std::string outgoing_;                    // masked frames for the next write
    std::string in_flight_;                   // the frames being written
    std::vector<std::string> before_ready_;   // Socket.IO packets emitted too early
    std::uint64_t mask_state_;                // masking keys: xorshift, seeded per client
    phase phase_ = phase::connecting;
    bool writing_ = false;
    bool write_posted_ = false;
    bool close_wanted_ = false;
    bool close_sent_ = false;
};

}  // namespace switchboard::bench
