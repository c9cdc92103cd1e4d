#include "polling_client.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace switchboard::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

polling_client::polling_client(asio::io_context& io, const target& where, client_listener& listener,
                               std::size_t id, std::size_t shard)
    : client(listener, id, shard), target_(where), get_(io), post_(io) {}

void polling_client::start() {
    started_at_ = clock::now();
    get_.request = {http::verb::get, target_.polling_target(), 11};
    exchange(get_, [self = shared_from_this()](const error_code& ec) { self->on_open_response(ec); });
}

void polling_client::exchange(channel& c, done_fn done, bool retried) {
    c.request.set(http::field::host, target_.host);
    c.request.keep_alive(true);
    c.request.prepare_payload();
    if (c.connected) return send_request(c, std::move(done), retried);
    c.reused = false;
    c.buffer.clear();
    c.socket.async_connect(target_.endpoint, [self = shared_from_this(), &c, done = std::move(done),
                                              retried](const error_code& ec) mutable {
        if (ec) return done(ec);
        c.connected = true;
        error_code ignored;
        c.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        self->send_request(c, std::move(done), retried);
    });
}

void polling_client::send_request(channel& c, done_fn done, bool retried) {
    auto on_failure = [this, &c](done_fn& done, bool retried, const error_code& ec) {
        // An idle keep-alive connection the server closed meanwhile: once, on a new one.
        const bool stale = c.reused && !retried && phase_ != phase::closed;
        error_code ignored;
        c.socket.close(ignored);
        c.connected = false;
        if (stale) return exchange(c, std::move(done), true);
        done(ec);
    };
    http::async_write(c.socket, c.request, [self = shared_from_this(), &c, done = std::move(done), retried,
                                            on_failure](const error_code& ec, std::size_t) mutable {
        if (ec) return on_failure(done, retried, ec);
        c.response = {};
        http::async_read(c.socket, c.buffer, c.response,
                         [self, &c, done = std::move(done), retried, on_failure](const error_code& ec,
                                                                                std::size_t) mutable {
                             if (ec) return on_failure(done, retried, ec);
                             c.reused = true;
                             if (!c.response.keep_alive()) {
                                 error_code ignored;
                                 c.socket.close(ignored);
                                 c.connected = false;
                             }
                             done(ec);
                         });
    });
}

void polling_client::on_open_response(const error_code& ec) {
    if (ec) return finish("handshake: " + ec.message());
    if (get_.response.result() != http::status::ok) return finish("handshake: HTTP " + std::to_string(get_.response.result_int()));
    const std::string& body = get_.response.body();
    const auto first_end = body.find(protocol::polling_separator);
    const std::string_view first = std::string_view(body).substr(0, first_end);
    if (first.empty() || first.front() != protocol::eio_open) return finish("handshake: no open packet");
    const auto open = protocol::parse_open(first.substr(1));
    if (!open) return finish("handshake: bad open packet");
    sid_target_ = target_.polling_target() + "&sid=" + open->sid;
    phase_ = phase::joining;
    send_eio(std::string(1, protocol::eio_message) + protocol::connect_packet(target_.nsp, target_.auth));
    do_poll();
}

void polling_client::do_poll() {
    get_.request = {http::verb::get, sid_target_, 11};
    exchange(get_, [self = shared_from_this()](const error_code& ec) { self->on_poll_response(ec); });
}

void polling_client::on_poll_response(const error_code& ec) {
    if (phase_ == phase::closed) return;
    if (ec) return finish("poll: " + ec.message());
    if (get_.response.result() != http::status::ok) return finish("poll: HTTP " + std::to_string(get_.response.result_int()));
    const auto received = clock::now();
    protocol::for_each_polling_packet(get_.response.body(),
                                      [&](std::string_view packet) { on_eio_packet(packet, received); });
    if (phase_ != phase::closed) do_poll();
}

void polling_client::on_eio_packet(std::string_view packet, clock::time_point received) {
    if (packet.empty() || phase_ == phase::closed) return;
    switch (packet.front()) {
        case protocol::eio_ping:
            return send_eio(std::string_view(&protocol::eio_pong, 1));
        case protocol::eio_close:
            return finish("closed by the server");
        case protocol::eio_message:
            break;
        default:
            return;
    }
    const auto parsed = protocol::parse_sio(packet.substr(1));
    if (!parsed || parsed->nsp != target_.nsp) return;
    if (phase_ == phase::joining) {
        if (parsed->type == protocol::sio_connect) {
            phase_ = phase::ready;
            if (!before_ready_.empty()) send_eio(std::exchange(before_ready_, {}));
            tell_ready();
        } else if (parsed->type == protocol::sio_connect_error) {
            finish("connect error: " + std::string(parsed->data));
        }
        return;
    }
    tell_packet(*parsed, received);
}

void polling_client::emit(std::string sio_packet) {
    if (phase_ == phase::closed) return;
    sio_packet.insert(sio_packet.begin(), protocol::eio_message);
    if (phase_ != phase::ready) {
        if (!before_ready_.empty()) before_ready_ += protocol::polling_separator;
        before_ready_ += sio_packet;
        return;
    }
    send_eio(sio_packet);
}

void polling_client::send_eio(std::string_view packets) {
    if (!outgoing_.empty()) outgoing_ += protocol::polling_separator;
    outgoing_ += packets;
    if (!posting_) do_post();
}

void polling_client::do_post() {
    posting_ = true;
    post_.request = {http::verb::post, sid_target_, 11};
    post_.request.set(http::field::content_type, "text/plain;charset=UTF-8");
    post_.request.body() = std::exchange(outgoing_, {});
    exchange(post_, [self = shared_from_this()](const error_code& ec) { self->on_post_response(ec); });
}

void polling_client::on_post_response(const error_code& ec) {
    posting_ = false;
    if (phase_ == phase::closed) return;
    if (ec) return finish("post: " + ec.message());
    if (post_.response.result() != http::status::ok) return finish("post: HTTP " + std::to_string(post_.response.result_int()));
    if (!outgoing_.empty()) do_post();
}

void polling_client::close() {
    finish("closed");
}

void polling_client::finish(std::string_view reason) {
    if (phase_ == phase::closed) return;
    phase_ = phase::closed;
    error_code ignored;
    get_.socket.close(ignored);
    post_.socket.close(ignored);
    tell_closed(reason);
}

}  // namespace switchboard::bench
