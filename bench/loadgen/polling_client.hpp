// A Socket.IO client over HTTP long-polling only (socket.io-client with
// transports: ["polling"]). Like a browser it keeps two keep-alive connections: one
// holds the pending GET, the other carries POSTs, so sending never waits for a poll.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "client.hpp"

namespace switchboard::bench {

class polling_client final : public client, public std::enable_shared_from_this<polling_client> {
public:
    // `where` and `listener` must outlive the client.
    polling_client(boost::asio::io_context& io, const target& where, client_listener& listener, std::size_t id,
                   std::size_t shard);

    void start() override;
    void emit(std::string sio_packet) override;
    void close() override;

private:
    enum class phase : std::uint8_t { opening, joining, ready, closed };

    // One keep-alive HTTP connection, one request at a time.
    struct channel {
        explicit channel(boost::asio::io_context& io) : socket(io) {}
        boost::asio::ip::tcp::socket socket;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> request;
        boost::beast::http::response<boost::beast::http::string_body> response;
        bool connected = false;
        bool reused = false;   // served a request before: the server may have dropped it
    };
    using done_fn = std::function<void(const boost::system::error_code&)>;

    void exchange(channel& c, done_fn done, bool retried = false);
    void send_request(channel& c, done_fn done, bool retried);
    void on_open_response(const boost::system::error_code& ec);
    void do_poll();
    void on_poll_response(const boost::system::error_code& ec);
    void on_eio_packet(std::string_view packet, clock::time_point received);
    void send_eio(std::string_view packet);
    void do_post();
    void on_post_response(const boost::system::error_code& ec);
    void finish(std::string_view reason);

    const target& target_;
    channel get_;
    channel post_;
    std::string sid_target_;   // polling target with this session's sid
    std::string outgoing_;     // Engine.IO packets for the next POST, separated by \x1e
    std::string before_ready_; // Socket.IO packets emitted before the CONNECT answer
    phase phase_ = phase::opening;
    bool posting_ = false;
};

}  // namespace switchboard::bench
