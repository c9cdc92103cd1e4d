#include "ws_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/error.hpp>

namespace switchboard::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

// A final text frame, masked as RFC 6455 requires of clients.
void append_text_frame(std::string& out, std::string_view payload, std::uint32_t mask) {
    const std::size_t size = payload.size();
    out += static_cast<char>(0x81);
    if (size < 126) {
        out += static_cast<char>(0x80 | size);
    } else if (size <= 0xffff) {
        out += static_cast<char>(0x80 | 126);
        out += static_cast<char>(size >> 8);
        out += static_cast<char>(size & 0xff);
    } else {
        out += static_cast<char>(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xff);
    }
    const unsigned char key[4] = {static_cast<unsigned char>(mask >> 24), static_cast<unsigned char>(mask >> 16),
                                  static_cast<unsigned char>(mask >> 8), static_cast<unsigned char>(mask)};
    out.append(reinterpret_cast<const char*>(key), 4);
    const std::size_t start = out.size();
    out.append(payload);
    for (std::size_t i = 0; i < size; ++i) out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
}

}  // namespace

ws_client::ws_client(asio::io_context& io, const target& where, client_listener& listener, std::size_t id,
                     std::size_t shard)
    : client(listener, id, shard), ws_(io), target_(where), mask_state_(0x9e3779b97f4a7c15ull ^ (id + 1)) {
    // Bounds the opening and closing handshakes only: an open stream arms no timer.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(1 << 20);
    // Beast masks only the closing frame; no need for a cryptographic generator.
    ws_.secure_prng(false);
}

void ws_client::start() {
    started_at_ = clock::now();
    ws_.next_layer().async_connect(target_.endpoint,
                                   [self = shared_from_this()](const error_code& ec) { self->on_connect(ec); });
}

void ws_client::on_connect(const error_code& ec) {
    if (ec) return finish("connect: " + ec.message());
    error_code ignored;
    ws_.next_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
    ws_.async_handshake(target_.host, target_.websocket_target(),
                        [self = shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
}

void ws_client::on_handshake(const error_code& ec) {
    if (ec) return finish("websocket handshake: " + ec.message());
    phase_ = phase::opening;
    do_read();
}

void ws_client::do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read(ec); });
}

void ws_client::on_read(const error_code& ec) {
    if (ec) {
        if (ec == websocket::error::closed) return finish("closed");
        return finish("read: " + ec.message());
    }
    const auto received = clock::now();
    const auto data = buffer_.cdata();
    on_eio_packet(std::string_view(static_cast<const char*>(data.data()), data.size()), received);
    buffer_.consume(buffer_.size());
    if (phase_ != phase::closed) do_read();
}

void ws_client::on_eio_packet(std::string_view packet, clock::time_point received) {
    if (packet.empty()) return;
    switch (packet.front()) {
        case protocol::eio_open:
            if (phase_ != phase::opening) return;
            phase_ = phase::joining;
            send_eio(std::string(1, protocol::eio_message) + protocol::connect_packet(target_.nsp, target_.auth));
            return;
        case protocol::eio_ping:
            send_eio(std::string_view(&protocol::eio_pong, 1));
            return;
        case protocol::eio_close:
            return close();
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
            for (auto& early : before_ready_) send_eio(std::string(1, protocol::eio_message) + early);
            before_ready_.clear();
            tell_ready();
        } else if (parsed->type == protocol::sio_connect_error) {
            finish("connect error: " + std::string(parsed->data));
        }
        return;
    }
    if (phase_ == phase::ready) tell_packet(*parsed, received);
}

void ws_client::emit(std::string sio_packet) {
    if (phase_ == phase::closed) return;
    if (phase_ != phase::ready) {
        before_ready_.push_back(std::move(sio_packet));
        return;
    }
    sio_packet.insert(sio_packet.begin(), protocol::eio_message);
    send_eio(sio_packet);
}

void ws_client::send_eio(std::string_view packet) {
    if (close_wanted_ || phase_ == phase::closed) return;
    // Masking keys need no strength on loopback, only variety.
    mask_state_ ^= mask_state_ << 13;
    mask_state_ ^= mask_state_ >> 7;
    mask_state_ ^= mask_state_ << 17;
    append_text_frame(outgoing_, packet, static_cast<std::uint32_t>(mask_state_));
    if (writing_ || write_posted_) return;
    // Written once the current handler returns: what it emits goes out together.
    write_posted_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
        self->write_posted_ = false;
        if (self->writing_) return;
        if (!self->outgoing_.empty()) return self->do_write();
        if (self->close_wanted_) self->do_close();
    });
}

void ws_client::do_write() {
    if (outgoing_.empty() || phase_ == phase::closed) return;
    writing_ = true;
    in_flight_.swap(outgoing_);
    outgoing_.clear();
    asio::async_write(ws_.next_layer(), asio::buffer(in_flight_),
                      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_write(ec); });
}

void ws_client::on_write(const error_code& ec) {
    writing_ = false;
    in_flight_.clear();
    if (ec) return finish("write: " + ec.message());
    if (!outgoing_.empty()) return do_write();
    if (close_wanted_ && !write_posted_) do_close();
}

void ws_client::close() {
    if (phase_ == phase::closed) return;
    if (phase_ == phase::connecting) {
        // No WebSocket yet to close politely.
        error_code ignored;
        ws_.next_layer().close(ignored);
        return;
    }
    close_wanted_ = true;
    if (!writing_ && !write_posted_) do_close();
}

void ws_client::do_close() {
    if (close_sent_ || phase_ == phase::closed) return;
    close_sent_ = true;
    close_wanted_ = true;
    // The pending read ends with websocket::error::closed once the server answers.
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](const error_code&) {});
}

void ws_client::finish(std::string_view reason) {
    if (phase_ == phase::closed) return;
    phase_ = phase::closed;
    error_code ignored;
    ws_.next_layer().close(ignored);
    tell_closed(reason);
}

}  // namespace switchboard::bench
