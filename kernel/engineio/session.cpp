#include "kernel/engineio/session.hpp"

#include <boost/asio/post.hpp>

#include "kernel/core/log.hpp"
#include "kernel/core/traffic.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/engineio/packet_v3.hpp"
#include "kernel/engineio/server.hpp"
#include "kernel/net/http_connection.hpp"

namespace switchboard::kernel::engineio {

session::session(server& owner_server, worker& owner, std::string id, net::handshake_info handshake)
    : server_(owner_server), owner_(owner), id_(std::move(id)), handshake_(std::move(handshake)) {
    // The server let in only "3" and "4"; a v3 client reads binary payloads unless it
    // asked for base64 (b64=1, as engine.io-client does where XHR2 is missing: Node).
    if (handshake_.query_param("EIO") == "3") {
        protocol_ = 3;
        const auto b64 = handshake_.query_param("b64");
        binary_payloads_ = !b64 || b64->empty();
    }
}

session::~session() {
    if (polling_) set_poll_queue_bytes(0);
}

session::polling_state& session::polling() {
    if (!polling_) polling_ = std::make_unique<polling_state>();
    return *polling_;
}

void session::set_poll_queue_bytes(std::size_t bytes) {
    auto& st = polling();
    traffic::queued_bytes_changed(static_cast<std::int64_t>(bytes) - static_cast<std::int64_t>(st.queue_bytes));
    st.queue_bytes = bytes;
}

std::string_view session::transport_name() const noexcept {
    return transport_ == transport_kind::polling ? "polling" : "websocket";
}

void session::log_opened() const {
    SB_LOG(debug, "engineio").with("request_id", handshake_.request_id).with("transport", transport_name())
        .with("remote", handshake_.remote_address) << "session opened (Engine.IO v" << protocol_ << ")";
}

void session::start_polling(std::unique_ptr<session_handler> handler) {
    transport_ = transport_kind::polling;
    traffic::session_opened(traffic::transport::polling);
    log_opened();
    handler_ = std::move(handler);
    start_heartbeat();
    handler_->on_open();
}

void session::start_websocket(std::shared_ptr<net::websocket_connection> ws, std::string open_packet,
                              std::unique_ptr<session_handler> handler) {
    transport_ = transport_kind::websocket;
    traffic::session_opened(traffic::transport::websocket);
    log_opened();
    ws_ = std::move(ws);
    ws_->set_listener(this);
    allow_buffered_reads();
    ws_->send(wire_packet::raw(net::make_frame(net::ws_opcode::text, open_packet)));
    handler_ = std::move(handler);
    start_heartbeat();
    handler_->on_open();
}

void session::allow_buffered_reads() {
    // v4 only: the server's pings mark the intervals in which a busy client's
    // connection keeps its read buffer (websocket_connection::mark_heartbeat).
    if (protocol_ == 4) ws_->allow_buffered_reads();
}

void session::start_heartbeat() {
    if (protocol_ == 3) server_.schedule_client_silence(*this, heartbeat_);
    else server_.schedule_ping(*this, heartbeat_);
}

wire_packet_ptr session::for_websocket(const wire_packet_ptr& packet) const {
    return protocol_ == 3 && packet->is_binary() ? v3::binary_message(packet->payload()) : packet;
}

bool session::send(const wire_packet_ptr& packet, bool is_volatile) {
    if (state_ != state::open) return false;
    const bool websocket = transport_ == transport_kind::websocket;
    const std::size_t buffered = websocket ? ws_->buffered_bytes() : polling().queue_bytes;
    // Polling: a volatile packet waits for the next GET only when nothing else does;
    // a client already behind loses it.
    if (!websocket && is_volatile && !polling().poll && !polling().queue.empty()) {
        traffic::volatile_dropped();
        return false;
    }
    if (over_bound(buffered)) {
        if (is_volatile) {
            traffic::volatile_dropped();
            return false;
        }
        if (slow_close_scheduled_) return false;
    }
    traffic::packet_out(packet->payload().size());
    if (websocket) {
        ws_->send(for_websocket(packet));
        return true;
    }
    auto& st = polling();
    set_poll_queue_bytes(st.queue_bytes + packet->payload().size());
    st.queue.push_back(packet);
    if (st.poll) schedule_poll_flush();
    return true;
}

void session::end_write() {
    if (state_ == state::open && transport_ == transport_kind::websocket) ws_->end_write();
}

void session::fence() {
    if (state_ == state::open && transport_ == transport_kind::websocket) ws_->fence();
}

bool session::over_bound(std::size_t buffered) {
    const auto& limits = server_.settings();
    if (buffered <= limits.max_buffered_bytes) {
        over_bound_since_ = {};
        return false;
    }
    // A burst may go over the bound for a moment; a client that stays over it for a
    // ping timeout, or falls far behind, is not reading: drop it before it costs more.
    const auto now = steady_clock::now();
    if (over_bound_since_ == steady_clock::time_point{}) over_bound_since_ = now;
    const bool stuck = now - over_bound_since_ > limits.ping_timeout;
    const bool far_behind = buffered > 8 * limits.max_buffered_bytes;
    if ((stuck || far_behind) && !slow_close_scheduled_) {
        slow_close_scheduled_ = true;
        count_refusal(refusal::outgoing_queue);
        if (refusal_log_due(refusal::outgoing_queue)) {
            SB_LOG(warn, "engineio").with("request_id", handshake_.request_id) << "session dropped: its client reads too slowly (" << buffered
                                 << " bytes queued, bound " << limits.max_buffered_bytes << ")";
        }
        // Not from here: we may be inside a broadcast walking the socket index.
        boost::asio::post(owner_.io(), [self = shared_from_this()] { self->close("slow client"); });
    }
    return true;
}

bool session::send(const wire_message& parts, bool is_volatile) {
    if (parts.empty()) return true;
    if (!send(parts.front(), is_volatile)) return false;
    // The attachments follow their packet whatever happens: never half a message.
    for (std::size_t i = 1; i < parts.size(); ++i) send(parts[i], false);
    return true;
}

void session::schedule_poll_flush() {
    // Packets emitted by one handler run leave in one response.
    if (poll_flush_scheduled_) return;
    poll_flush_scheduled_ = true;
    boost::asio::post(owner_.io(), [self = shared_from_this()] {
        self->poll_flush_scheduled_ = false;
        self->flush_poll();
    });
}

void session::flush_poll() {
    if (!polling_ || !polling_->poll || polling_->queue.empty()) return;
    auto& st = *polling_;
    if (protocol_ == 3) {
        auto encoded = v3::encode_payload(st.queue, binary_payloads_);
        st.queue.clear();
        set_poll_queue_bytes(0);
        auto poll = std::move(st.poll);
        return respond_poll(*poll, std::move(encoded.body), encoded.binary);
    }
    std::string body;
    body.reserve(st.queue_bytes + st.queue.size() * 2);
    for (const auto& packet : st.queue) {
        if (packet->is_binary()) {
            append_to_payload(body, packet_type::message, packet->payload(), true);
        } else {
            if (!body.empty()) body.push_back('\x1e');
            body.append(packet->payload());
        }
    }
    st.queue.clear();
    set_poll_queue_bytes(0);
    auto poll = std::move(st.poll);
    respond_poll(*poll, std::move(body));
}

void session::respond_poll(pending_poll& poll, std::string body, bool binary) {
    poll.connection->respond(poll.request_id,
                             net::make_http_response(200, binary ? "application/octet-stream" : "text/plain; charset=UTF-8",
                                                     body, poll.extra_headers));
}

void session::respond_poll_control(pending_poll& poll, std::string_view packet_text) {
    respond_poll(poll, protocol_ == 3 ? v3::text_payload(packet_text) : std::string(packet_text));
}

void session::catch_up_upgrade() {
    if (!polling_ || !polling_->probe) return;
    auto self = shared_from_this();
    auto probe = polling_->probe;
    probe->read_available();
}

void session::on_poll(pending_poll poll) {
    auto& st = polling();
    if (st.poll) {
        // Two GETs at once: the reference server treats it as a broken client.
        poll.connection->respond(poll.request_id,
                                 net::make_http_response(400, "application/json",
                                                         R"({"code":3,"message":"Bad request"})", poll.extra_headers));
        SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: overlapping poll requests";
        return finish("transport error", "1");
    }
    if (state_ == state::closing) {
        // What waited for this GET: the queue and the close packet (a server close), or
        // the noop (the client's own close).
        st.poll = std::make_unique<pending_poll>(std::move(poll));
        if (st.queue.empty()) {
            auto pending = std::move(st.poll);
            respond_poll_control(*pending, "1");
        } else {
            flush_poll();
        }
        return finish("forced close", {});
    }
    st.poll = std::make_unique<pending_poll>(std::move(poll));
    if (!st.queue.empty()) return flush_poll();
    // The client pauses polling to upgrade: never leave it waiting on an empty poll.
    if (st.probe && probe_answered_) {
        auto pending = std::move(st.poll);
        respond_poll_control(*pending, "6");
    }
}

void session::on_poll_abandoned(std::uint64_t request_id) {
    if (!polling_ || !polling_->poll || polling_->poll->request_id != request_id) return;
    polling_->poll.reset();
    finish("transport close", {});
}

void session::on_post(std::string_view body, std::string_view content_type, post_answer answer) {
    auto& st = polling();
    if (st.post) {
        // A second POST while one is unanswered: as the reference ("data request
        // overlap"), a broken client.
        SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: overlapping POST requests";
        answer(400);
        return finish("transport error", "1");
    }
    const bool binary_body = content_type.starts_with("application/octet-stream");
    if (binary_body && protocol_ != 3) {
        finish("transport error", "1");
        return answer(400);
    }
    auto post = std::make_unique<held_post>();
    const auto error = protocol_ == 3 ? v3::decode_payload(body, binary_body, post->packets)
                                      : decode_payload(body, post->packets);
    if (error != decode_error::none) {
        SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: bad polling payload: " << to_string(error);
        finish("parse error", "1");
        return answer(400);
    }
    post->answer = std::move(answer);
    st.post = std::move(post);
    continue_post();
}

void session::continue_post() {
    // Only a polling session has POSTs; the state, once there, lives as long as the session.
    auto* st = polling_.get();
    if (!st) return;
    auto self = shared_from_this();
    while (st->post && read_holds_ == 0 && state_ != state::closed &&
           st->post->next < st->post->packets.size()) {
        // Moved out: a handler may close the session, and with it the held POST.
        const packet p = std::move(st->post->packets[st->post->next++]);
        on_packet(p);
    }
    if (!st->post) return;
    const bool done = st->post->next == st->post->packets.size();
    if (state_ == state::closed || (done && read_holds_ == 0)) {
        auto post = std::move(st->post);
        post->answer(200);
    }
}

void session::hold_reading() {
    if (read_holds_++ > 0) return;
    if (ws_) ws_->pause_reading();
}

void session::release_reading() {
    if (read_holds_ == 0 || --read_holds_ > 0) return;
    if (state_ == state::closed) return;
    // A POST held from before an upgrade goes first (a client that did not wait for
    // its answer before upgrading), then the WebSocket.
    continue_post();
    if (read_holds_ == 0 && transport_ == transport_kind::websocket) ws_->resume_reading();
}

void session::on_packet(const packet& p) {
    if (p.type != packet_type::pong) on_client_activity();
    switch (p.type) {
        case packet_type::message:
            traffic::packet_in(p.data.size());
            if (handler_ && !handler_closed_) handler_->on_message(p.data, p.binary);
            break;
        case packet_type::pong:
            if (protocol_ == 3) {
                // In v3 only the client pings; the reference closes on a client pong.
                SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: invalid heartbeat direction";
                return finish("transport error", "1");
            }
            on_pong();
            break;
        case packet_type::close:
            // The client leaves; a pending poll ends with a noop, as in the reference.
            if (transport_ == transport_kind::polling && !polling().poll && state_ == state::open) {
                // Its GET may still be on the way on another connection (sent with the
                // close): that one gets the noop, then the session ends, or at the pong
                // deadline if none comes.
                static const auto noop = wire_packet::text(packet_type::noop);
                polling().queue.clear();
                polling().queue.push_back(noop);
                set_poll_queue_bytes(1);
                state_ = state::closing;
                server_.schedule_pong_deadline(*this, heartbeat_);
                notify_handler_closed("transport close");
                break;
            }
            finish("transport close", "6");
            break;
        case packet_type::ping:
            if (protocol_ == 3) return on_client_ping();
            // In v4 only the server pings; the reference closes on a client ping.
            SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: invalid heartbeat direction";
            finish("transport error", "1");
            break;
        case packet_type::open:
        case packet_type::upgrade:
        case packet_type::noop:
            break;
    }
}

void session::on_pong() {
    // A pong nobody asked for changes nothing.
    if (state_ != state::open || !awaiting_pong_) return;
    awaiting_pong_ = false;
    // Pings keep their cadence, one interval after the other whenever the pongs come
    // back: a loaded client must not push them past the connect timeout (the official
    // suite's ping/pong cases need three pings within its 1000 ms).
    server_.schedule_next_ping(*this, heartbeat_, ping_due_);
}

void session::on_client_ping() {
    if (state_ != state::open) return;
    static const auto pong = wire_packet::text(packet_type::pong);
    send(pong);
    server_.schedule_client_silence(*this, heartbeat_);
}

void session::on_client_silent() {
    if (state_ == state::closed) return;
    SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: no ping from the client in time";
    finish(state_ == state::closing ? "forced close" : "ping timeout", "1");
}

void session::on_client_activity() {
    if (state_ != state::open || !awaiting_pong_ || pong_deadline_refreshed_) return;
    pong_deadline_refreshed_ = true;
    server_.schedule_pong_deadline(*this, heartbeat_);
    pong_due_ = heartbeat_.deadline;
}

bool session::expire_if_overdue() {
    if (state_ == state::open && awaiting_pong_ && steady_clock::now() >= pong_due_) on_pong_overdue();
    return state_ == state::closed;
}

void session::on_ping_due() {
    if (state_ == state::closing) return finish("forced close", {});
    if (state_ != state::open) return;
    // Behind a WebSocket fence the ping waits in order: lifting the fence here would
    // let the held frames and the ping arrive in one read. See on_pong_overdue.
    // The entry still holds when the ping was due, however late this runs.
    ping_due_ = heartbeat_.deadline;
    if (transport_ == transport_kind::websocket) ws_->mark_heartbeat();
    static const auto ping = wire_packet::text(packet_type::ping);
    send(ping);
    server_.schedule_pong_deadline(*this, heartbeat_);
    awaiting_pong_ = true;
    pong_deadline_refreshed_ = false;
    pong_due_ = ping_due_ + server_.settings().ping_timeout;
}

void session::on_pong_overdue() {
    if (state_ == state::closed) return;
    if (state_ == state::open && transport_ == transport_kind::websocket && ws_->fenced()) {
        // The ping never left: the client answers no WebSocket ping. Let everything go
        // and give it a whole pong timeout for this one.
        SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: no pong to a WebSocket ping; fence lifted";
        ws_->release_fence();
        server_.schedule_pong_deadline(*this, heartbeat_);
        pong_due_ = heartbeat_.deadline;
        return;
    }
    SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: ping timeout";
    finish(state_ == state::closing ? "forced close" : "ping timeout", "1");
}

void session::on_upgrade_websocket(std::shared_ptr<net::websocket_connection> ws) {
    if (state_ != state::open || transport_ != transport_kind::polling || polling().probe ||
        !server_.settings().allow_upgrades) {
        // Already upgraded, upgrading, or closing: the reference accepts then closes.
        ws->close(net::ws_close_code::normal, "upgrade refused");
        return;
    }
    auto& st = polling();
    st.probe = std::move(ws);
    st.probe->set_listener(this);
    probe_answered_ = false;
    server_.schedule_upgrade_deadline(*this, st.upgrade_deadline);
}

void session::on_upgrade_overdue() {
    if (!polling_ || !polling_->probe) return;
    // As the reference: the probe goes, the session goes on polling.
    SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: upgrade not completed in time";
    count_refusal(refusal::upgrade_timeout);
    auto probe = std::move(polling_->probe);
    probe_answered_ = false;
    probe->set_listener(nullptr);
    probe->close(net::ws_close_code::going_away, "upgrade timeout");
}

void session::on_ws_message(net::websocket_connection& from, bool binary, std::string_view payload) {
    auto self = shared_from_this();
    if (polling_ && polling_->probe.get() == &from) {
        auto& st = *polling_;
        if (!binary && payload == "2probe") {
            static const auto probe_answer = wire_packet::text(packet_type::pong, "probe");
            st.probe->send(probe_answer);
            probe_answered_ = true;
            // End the pending poll so the client can pause polling and upgrade.
            if (st.poll && st.queue.empty()) {
                auto pending = std::move(st.poll);
                respond_poll_control(*pending, "6");
            }
            return;
        }
        if (!binary && payload == "5") return complete_upgrade();
        SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: invalid packet during upgrade";
        auto probe = std::move(st.probe);
        st.upgrade_deadline.cancel();
        probe_answered_ = false;
        probe->set_listener(nullptr);
        probe->close(net::ws_close_code::protocol_error, "invalid upgrade packet");
        return;
    }
    if (ws_.get() != &from) return;
    if (binary && protocol_ != 3) {
        on_client_activity();
        traffic::packet_in(payload.size());
        if (handler_ && !handler_closed_) handler_->on_message(payload, true);
        return;
    }
    packet p;
    const auto error = protocol_ != 3 ? decode_text(payload, p)
                       : binary       ? v3::decode_binary_frame(payload, p)
                                      : v3::decode_text(payload, p);
    if (error != decode_error::none) {
        SB_LOG(debug, "engineio").with("request_id", handshake_.request_id) << "session: bad packet: " << to_string(error);
        return finish("parse error", {});
    }
    on_packet(p);
}

void session::complete_upgrade() {
    auto& st = *polling_;   // the probe that completes it is there
    transport_ = transport_kind::websocket;
    traffic::session_upgraded();
    st.upgrade_deadline.cancel();
    probe_answered_ = false;
    ws_ = std::move(st.probe);
    allow_buffered_reads();
    // A hold taken while polling stops the WebSocket too, right after this packet.
    if (read_holds_ > 0) ws_->pause_reading();
    if (st.poll) {
        auto pending = std::move(st.poll);
        respond_poll_control(*pending, "6");
    }
    // Whatever waited for the next poll now goes over the WebSocket, in order.
    for (const auto& packet : st.queue) ws_->send(for_websocket(packet));
    st.queue.clear();
    set_poll_queue_bytes(0);
    SB_LOG(trace, "engineio").with("request_id", handshake_.request_id) << "session upgraded to websocket";
    if (handler_ && !handler_closed_) handler_->on_upgraded();
}

void session::on_ws_closed(net::websocket_connection& from, std::string_view reason) {
    if (polling_ && polling_->probe.get() == &from) {
        polling_->probe.reset();   // a failed upgrade; polling goes on
        polling_->upgrade_deadline.cancel();
        probe_answered_ = false;
        return;
    }
    if (ws_.get() == &from) finish(reason, {});
}

void session::close(std::string_view reason) {
    if (state_ != state::open) return;
    if (transport_ == transport_kind::websocket) {
        ws_->close(net::ws_close_code::normal, reason);
        return finish(reason, {});
    }
    auto& st = polling();
    if (st.poll) {
        // Deliver what is queued, then the close packet, in the same response.
        static const auto close_packet = wire_packet::text(packet_type::close);
        st.queue.push_back(close_packet);
        set_poll_queue_bytes(st.queue_bytes + 1);
        flush_poll();
        return finish(reason, {});
    }
    // No GET to answer now: the next one gets the queue and the close packet; if none
    // comes, the heartbeat deadline ends the session.
    static const auto close_packet = wire_packet::text(packet_type::close);
    st.queue.push_back(close_packet);
    set_poll_queue_bytes(st.queue_bytes + 1);
    state_ = state::closing;
    server_.schedule_pong_deadline(*this, heartbeat_);
    notify_handler_closed(reason);
}

void session::notify_handler_closed(std::string_view reason) {
    // The handler stays alive until the session goes: we may be inside one of its calls.
    if (!handler_ || handler_closed_) return;
    handler_closed_ = true;
    handler_->on_close(reason);
}

void session::finish(std::string_view reason, std::string_view pending_poll_answer) {
    if (state_ == state::closed) return;
    auto self = shared_from_this();
    state_ = state::closed;
    SB_LOG(debug, "engineio").with("request_id", handshake_.request_id).with("transport", transport_name())
        << "session closed: " << reason;
    traffic::session_closed(transport_ == transport_kind::polling ? traffic::transport::polling
                                                                  : traffic::transport::websocket,
                            reason);
    heartbeat_.cancel();
    if (auto* st = polling_.get()) {
        st->upgrade_deadline.cancel();
        if (st->poll) {
            auto pending = std::move(st->poll);
            if (!pending_poll_answer.empty()) {
                respond_poll_control(*pending, pending_poll_answer);
            } else if (!st->queue.empty()) {
                st->poll = std::move(pending);
                flush_poll();
            } else {
                respond_poll_control(*pending, "6");
            }
        }
        if (st->probe) {
            st->probe->set_listener(nullptr);
            st->probe->close(net::ws_close_code::going_away, reason);
            st->probe.reset();
        }
    }
    if (ws_) {
        ws_->set_listener(nullptr);
        if (ws_->is_open()) ws_->close(net::ws_close_code::normal, reason);
    }
    if (auto* st = polling_.get()) {
        st->queue.clear();
        if (st->post) {
            // Its remaining packets go with the session; the client learns of the close
            // from its GET.
            auto post = std::move(st->post);
            post->answer(200);
        }
    }
    server_.remove(*this);
    notify_handler_closed(reason);
}

}  // namespace switchboard::kernel::engineio
