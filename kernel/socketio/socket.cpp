#include "kernel/socketio/socket.hpp"

#include <algorithm>
#include <array>

#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/socketio/client.hpp"
#include "kernel/socketio/msgpack_parser.hpp"
#include "kernel/socketio/placeholders.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::socketio {

namespace {

// The disconnect reasons after which Node keeps a session (socket.io's
// RECOVERABLE_DISCONNECT_REASONS): the connection went, not the client's intent.
bool recoverable(std::string_view reason) {
    constexpr std::array<std::string_view, 6> reasons = {"transport error", "transport close", "forced close",
                                                         "ping timeout",    "server shutting down",
                                                         "forced server close"};
    return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

}  // namespace

socket::socket(client& owner, local_namespace& nsp, std::string id, json auth)
    : client_(owner), session_(owner.session()), nsp_(nsp), id_(std::move(id)), auth_(auth.empty() ? json() : std::move(auth)) {
    handle_ = nsp_.owner.register_socket(*this);
    if (nsp_.owner.recovery_enabled()) {
        recovery_ = std::make_unique<recovery_state>();
        recovery_->pid = make_random_id();
    }
}

const std::string& socket::pid() const noexcept {
    static const std::string none;
    return recovery_ ? recovery_->pid : none;
}

const std::optional<cluster::log_position>& socket::since() const noexcept {
    static const std::optional<cluster::log_position> none;
    return recovery_ ? recovery_->since : none;
}

const std::vector<std::string>& socket::recovered_rooms() const noexcept {
    static const std::vector<std::string> none;
    return recovery_ ? recovery_->rooms : none;
}

// The auth object is always an object (the decoder refuses anything else); most clients
// send none or an empty one, kept as null: an empty json object is a heap allocation.
const json& socket::auth() const noexcept {
    static const json empty_object = json::object();
    return auth_.is_null() ? empty_object : auth_;
}

socket::~socket() {
    if (handle_) nsp_.owner.unregister_socket(*this);
}

const std::string& socket::nsp() const noexcept { return nsp_.name; }

const net::handshake_info& socket::handshake() const noexcept { return session_.handshake(); }

engineio::session& socket::session() noexcept { return session_; }

const engineio::session& socket::session() const noexcept { return session_; }

void socket::send_packet(const packet& p, bool is_volatile) {
    if (holding()) {
        held_.push_back(held_message{to_wire(p), is_volatile, std::nullopt});
        return;
    }
    if (state_ == state::connected) client_.send_packet(p, is_volatile);
}

void socket::write(const engineio::wire_message& message, bool is_volatile) {
    if (nsp_.owner.settings().parser == config::packet_parser::msgpack && !message.empty() &&
        !message.front()->is_binary()) {
        session_.send(msgpack::from_default_format(message), is_volatile);
        return;
    }
    session_.send(message, is_volatile);
}

void socket::send(const engineio::wire_message& message, bool is_volatile) {
    if (state_ == state::closed) return;
    if (holding()) return held_.push_back(held_message{message, is_volatile, std::nullopt});
    write(message, is_volatile);
}

void socket::send_logged(const engineio::wire_message& message, const cluster::log_position& offset) {
    if (state_ == state::closed) return;
    if (recovery_ && recovery_->replayed_through && offset <= *recovery_->replayed_through) return;
    if (holding()) return held_.push_back(held_message{message, false, offset});
    write(message);
}

void socket::emit(std::string_view event, json args, bool is_volatile) {
    if (state_ == state::closed) return;
    // Logged (with an offset) once connected, as Node's socket.emit under recovery; what
    // a connect hook sends before that is not part of a session yet.
    if (state_ == state::connected && !is_volatile && nsp_.owner.recovery_enabled())
        return nsp_.owner.emit_logged(*this, event, std::move(args));
    packet p;
    p.type = packet_type::event;
    p.nsp = nsp_.name;
    args.insert(args.begin(), json(event));
    p.data = std::move(args);
    if (auto* observer = nsp_.owner.observer()) observer->on_event_sent(*this, p.data);
    send_packet(p, is_volatile);
}

std::int64_t socket::await_ack(std::chrono::milliseconds timeout, ack_callback callback,
                               text_ack_callback text_callback) {
    const std::int64_t id = next_ack_id_++;
    auto timer = std::make_unique<boost::asio::steady_timer>(session_.owner().io());
    timer->expires_after(timeout);
    // The timer is cancelled when the socket goes, so `this` is valid whenever ec is clear.
    timer->async_wait([this, id](const boost::system::error_code& ec) {
        if (!ec) complete_ack(id, std::nullopt);
    });
    pending_acks_.push_back(pending_ack{id, std::move(timer), std::move(callback), std::move(text_callback)});
    return id;
}

void socket::emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout,
                           ack_callback callback) {
    if (state_ == state::closed) {
        if (callback) callback(std::nullopt);
        return;
    }
    const std::int64_t id = await_ack(timeout, std::move(callback), {});
    packet p;
    p.type = packet_type::event;
    p.nsp = nsp_.name;
    p.id = id;
    args.insert(args.begin(), json(event));
    p.data = std::move(args);
    if (auto* observer = nsp_.owner.observer()) observer->on_event_sent(*this, p.data);
    send_packet(p);
}

void socket::complete_ack(std::int64_t id, std::optional<json> args, std::optional<encoded_arguments> text) {
    const auto found = std::find_if(pending_acks_.begin(), pending_acks_.end(),
                                    [id](const pending_ack& a) { return a.id == id; });
    if (found == pending_acks_.end()) return;
    auto callback = std::move(found->callback);
    auto text_callback = std::move(found->text_callback);
    pending_acks_.erase(found);
    if (callback) callback(std::move(args));
    if (text_callback) text_callback(std::move(text));
}

namespace {

// A packet's arguments as text: the client's own, or (msgpack brings no text) written
// from the decoded values once.
encoded_arguments arguments_of(packet& p, const json& args) {
    if (!p.args_text.empty()) return {std::move(p.args_text), std::move(p.attachments)};
    encoded_arguments out;
    payload_work().dumps.fetch_add(1, std::memory_order_relaxed);
    detail::write_with_placeholders(args, out.text, out.attachments);
    return out;
}

}  // namespace

void socket::on_ack(packet&& p) {
    const auto found = std::find_if(pending_acks_.begin(), pending_acks_.end(),
                                    [&p](const pending_ack& a) { return a.id == p.id; });
    if (found != pending_acks_.end() && found->text_callback) {
        auto text = arguments_of(p, p.data);
        return complete_ack(p.id, std::move(p.data), std::move(text));
    }
    complete_ack(p.id, std::move(p.data));
}

void socket::on_event(packet&& p) {
    json& data = p.data;
    std::string name = data[0].is_string() ? data[0].get<std::string>() : data[0].dump();
    data.erase(data.begin());
    if (auto* observer = nsp_.owner.observer()) observer->on_event_received(*this, name, data);
    if (nsp_.handlers.on_event) nsp_.handlers.on_event(*this, name, data, p.id);
    if (nsp_.handlers.on_event_text) nsp_.handlers.on_event_text(*this, name, arguments_of(p, data), p.id);
}

namespace {

// The values of arguments text, for an observer or the cluster: parsed, attachments put
// back in place of their placeholders.
template <class Json>
Json tree_of(std::string_view event, const encoded_arguments& args) {
    payload_work().parses.fetch_add(1, std::memory_order_relaxed);
    Json tree = Json::parse(args.text, nullptr, false);
    if (!tree.is_array()) tree = Json::array();
    detail::restore_binary(tree, args.attachments);
    tree.insert(tree.begin(), Json(event));
    return tree;
}

}  // namespace

void socket::send_encoded(encoded_packet encoded, bool is_volatile) {
    auto message = to_message(encoded);
    if (holding()) return held_.push_back(held_message{std::move(message), is_volatile, std::nullopt});
    if (state_ == state::connected) write(message, is_volatile);
}

void socket::emit_text(std::string_view event, encoded_arguments args, bool is_volatile) {
    if (state_ == state::closed) return;
    if (state_ == state::connected && !is_volatile && nsp_.owner.recovery_enabled()) {
        return nsp_.owner.emit_logged(
            *this, [&] { return to_message(encode_arguments(nsp_.name, no_ack_id, event, args)); },
            [&] { return tree_of<cluster::ordered_json>(event, args); });
    }
    if (auto* observer = nsp_.owner.observer()) observer->on_event_sent(*this, tree_of<json>(event, args));
    send_encoded(encode_arguments(nsp_.name, no_ack_id, event, std::move(args)), is_volatile);
}

void socket::emit_text_with_ack(std::string_view event, encoded_arguments args, std::chrono::milliseconds timeout,
                                text_ack_callback callback) {
    if (state_ == state::closed) {
        if (callback) callback(std::nullopt);
        return;
    }
    const std::int64_t id = await_ack(timeout, {}, std::move(callback));
    if (auto* observer = nsp_.owner.observer()) observer->on_event_sent(*this, tree_of<json>(event, args));
    send_encoded(encode_arguments(nsp_.name, id, event, std::move(args)));
}

void socket::ack_text(std::int64_t id, encoded_arguments args) {
    if (state_ != state::connected) return;
    send_encoded(encode_arguments(nsp_.name, id, {}, std::move(args)));
    // As ack(): the answer leaves first, in a write of its own.
    session_.end_write();
}

const std::string& socket::user_text() const {
    if (!user_text_) user_text_ = user_.dump(-1, ' ', false, json::error_handler_t::replace);
    return *user_text_;
}

void socket::ack(std::int64_t id, json args) {
    if (state_ != state::connected) return;
    packet reply;
    reply.type = packet_type::ack;
    reply.nsp = nsp_.name;
    reply.id = id;
    reply.data = args.is_array() ? std::move(args) : json::array({std::move(args)});
    send_packet(reply);
    // The client awaits this answer and may only then listen for what the same handler
    // emits next: the answer leaves first, in a write of its own (as Node sends it).
    session_.end_write();
}

std::string socket::user_id() const {
    if (!user_.is_object()) return {};
    const auto id = user_.find("id");
    if (id == user_.end()) return {};
    return id->is_string() ? id->get<std::string>() : id->dump();
}

void socket::adopt(const cluster::saved_session& session) {
    id_ = session.sid;
    if (!recovery_) recovery_ = std::make_unique<recovery_state>();
    recovery_->pid = session.pid;
    recovery_->since = session.since;
    recovery_->recovered = true;
    recovery_->rooms = session.rooms;
    for (const auto& room : session.rooms) join(room);
    if (session.data.is_object() && session.data.contains("user") && !session.data["user"].is_null())
        user_ = json(session.data["user"]);
        user_text_.reset();
}

cluster::saved_session socket::session_state() const {
    cluster::saved_session out;
    out.nsp = nsp_.name;
    out.sid = id_;
    out.pid = pid();
    out.rooms.reserve(rooms_.size() + 1);
    out.rooms.push_back(id_);
    for (const auto& room : rooms_) out.rooms.push_back(room);
    if (!user_.is_null()) out.data["user"] = cluster::ordered_json(user_);
    out.since = since();
    return out;
}

void socket::keep_session_current() {
    if (state_ != state::connected || pid().empty()) return;
    auto& sessions = nsp_.owner.sessions();
    if (sessions.outlives_node()) sessions.save(session_state(), true);
}

void socket::finish_replay(const cluster::missed_events& missed) {
    if (!replaying_ || state_ != state::connected) return;
    replaying_ = false;
    if (recovery_) recovery_->replayed_through = missed.end;
    for (const auto& event : missed.events) {
        if (event.message) {
            write(*event.message);
        } else {
            write(event_message(nsp_.name, event.data));
        }
    }
    nsp_.owner.recovery_metrics().replayed_events.fetch_add(missed.events.size(), std::memory_order_relaxed);
    auto held = std::move(held_);
    held_.clear();
    // What the replay covered arrived live meanwhile too: only what follows it goes.
    for (auto& h : held)
        if (!h.offset || *h.offset > missed.end) write(h.message, h.is_volatile);
}

const std::shared_ptr<const log::context>& socket::log_context() const {
    if (!log_context_) {
        auto fields = std::make_shared<log::context>();
        fields->add("request_id", handshake().request_id).add("socket", id_).add("namespace", nsp()).add("user", user_id());
        log_context_ = std::move(fields);
    }
    return log_context_;
}

void socket::mark_connected() {
    state_ = state::connected;
    SB_LOG(debug, "socketio").with(*log_context()) << "socket connected" << (recovered() ? " (recovered)" : "");
    nsp_.sockets.emplace(id_, this);
    nsp_.owner.connected_sockets.fetch_add(1, std::memory_order_relaxed);
    nsp_.connected_sockets.fetch_add(1, std::memory_order_relaxed);
    // Also without recovery: a broadcast through the cluster's log that skips this
    // socket names it by id (redis-streams).
    nsp_.owner.remember_id(handle_, id_, !pid().empty());
    if (!pid().empty() && !recovery_->recovered) recovery_->since = nsp_.delivered;
    // "Send to this user on every device" is a room emit (user:<id>, joined when the
    // user was known); presence counts accepted sockets only.
    if (const std::string user = user_id(); !user.empty()) {
        join("user:" + user);
        nsp_.owner.user_connected(user);
    }
    keep_session_current();
    if (auto* observer = nsp_.owner.observer()) observer->on_connected(*this);
    if (replaying_) return;   // what waited follows the missed events
    for (auto& h : held_) write(h.message, h.is_volatile);
    held_.clear();
    held_.shrink_to_fit();
}

void socket::join(std::string_view room) {
    if (room == id_ || in_room(room)) return;
    rooms_.emplace(room);
    nsp_.rooms.join(room, this);
    if (auto* observer = nsp_.owner.observer()) observer->on_joined(*this, room);
    keep_session_current();
}

void socket::leave(std::string_view room) {
    const auto found = rooms_.find(room);
    if (found == rooms_.end()) return;
    nsp_.rooms.leave(room, this);
    if (auto* observer = nsp_.owner.observer()) observer->on_left(*this, room);
    rooms_.erase(found);
    keep_session_current();
}

bool socket::in_room(std::string_view room) const noexcept {
    return room == id_ || rooms_.find(room) != rooms_.end();
}

void socket::disconnect(bool close_connection) {
    if (state_ != state::connected) return;
    if (close_connection) {
        // No namespace DISCONNECT: the client sees its transport close and reconnects by
        // itself (a DISCONNECT would tell it the server wants it gone for good).
        session_.close("forced server close");
        return;
    }
    packet p;
    p.type = packet_type::disconnect;
    p.nsp = nsp_.name;
    send_packet(p);
    on_closed("server namespace disconnect");
    client_.remove(*this);   // destroys this socket
}

void socket::on_closed(std::string_view reason) {
    if (state_ == state::closed) return;
    const bool was_connected = state_ == state::connected;
    state_ = state::closed;
    if (was_connected) {
        SB_LOG(debug, "socketio").with(*log_context()) << "socket disconnected: " << reason;
        nsp_.owner.connected_sockets.fetch_sub(1, std::memory_order_relaxed);
        nsp_.connected_sockets.fetch_sub(1, std::memory_order_relaxed);
        if (const std::string user = user_id(); !user.empty()) nsp_.owner.user_disconnected(user);
        nsp_.owner.forget_id(handle_, !pid().empty());
        if (!pid().empty()) {
            if (recoverable(reason)) nsp_.owner.sessions().save(session_state(), false);
            else nsp_.owner.sessions().forget(pid());
        }
    }
    held_.clear();
    auto* observer = was_connected ? nsp_.owner.observer() : nullptr;
    for (const auto& room : rooms_) {
        nsp_.rooms.leave(room, this);
        if (observer) observer->on_left(*this, room);
    }
    rooms_.clear();
    nsp_.sockets.erase(id_);
    auto acks = std::move(pending_acks_);
    pending_acks_.clear();
    for (auto& pending : acks) {
        if (pending.callback) pending.callback(std::nullopt);
        if (pending.text_callback) pending.text_callback(std::nullopt);
    }
    if (was_connected && nsp_.handlers.on_disconnect) nsp_.handlers.on_disconnect(*this, reason);
    if (observer) observer->on_disconnected(*this, reason);
}

}  // namespace switchboard::kernel::socketio
