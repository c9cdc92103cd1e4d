#include "kernel/socketio/client.hpp"

#include "kernel/core/log.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/random_id.hpp"
#include "kernel/net/http_message.hpp"
#include "kernel/socketio/connect_refusals.hpp"
#include "kernel/socketio/msgpack_parser.hpp"
#include "kernel/socketio/server.hpp"
#include "kernel/socketio/socket.hpp"

namespace switchboard::kernel::socketio {

namespace {

decoder_limits limits_of(const config::socketio_settings& settings) {
    decoder_limits limits;
    limits.max_attachments = settings.max_attachments;
    limits.max_attachment_bytes = settings.max_attachment_bytes;
    limits.max_amplification = settings.max_decode_amplification;
    return limits;
}

// Socket.IO v4 clients (socket.io-client 2.x, over Engine.IO v3) write the query of a
// namespace into its name ("/admin?token=abc") where v5 clients send an auth payload;
// as Node's server does for them, the query becomes the auth object (string values).
json auth_from_namespace(std::string& nsp) {
    json auth = json::object();
    const auto question = nsp.find('?');
    if (question == std::string::npos) return auth;
    for (auto& [name, value] : net::parse_query(std::string_view(nsp).substr(question + 1)))
        auth[name] = std::move(value);
    nsp.resize(question);
    return auth;
}

// The error a refused v4 client gets: Node sends it `err.data || err.message`, not the
// {message, data} object v5 clients get.
json legacy_refusal(json error) {
    if (!error.is_object()) return error;
    if (const auto data = error.find("data"); data != error.end() && !data->is_null() && *data != false &&
                                              *data != 0 && *data != "")
        return std::move(*data);
    if (const auto message = error.find("message"); message != error.end()) return std::move(*message);
    return error;
}

}  // namespace

client::client(server& owner, engineio::session& session)
    : server_(owner), session_(session), decoder_(limits_of(owner.settings())) {
    server_.connect_timeouts().schedule(connect_deadline_, this);
}

client::~client() = default;

void client::send_packet(const packet& p, bool is_volatile) {
    session_.send(to_wire(p, server_.settings().parser), is_volatile);
}

void client::on_message(std::string_view data, bool binary) {
    if (server_.settings().parser == config::packet_parser::msgpack) return on_msgpack_message(data, binary);
    std::optional<packet> complete;
    const auto error = binary ? decoder_.add_binary(data, complete) : decoder_.add_text(data, complete);
    if (error == decode_error::attachments_too_large || error == decode_error::decoded_too_large) {
        return refuse(error == decode_error::decoded_too_large ? refusal::decoded_size : refusal::pending_attachments,
                      to_string(error));
    }
    if (error != decode_error::none) return close_for(to_string(error));
    if (complete) return on_packet(std::move(*complete));
    // Attachments are held only for a namespace the client has joined: before that (no
    // token checked yet) a client gets nothing buffered. The reference would close the
    // connection for this packet anyway, once complete; we do before the bytes arrive.
    if (decoder_.awaiting_attachments()) {
        const socket* s = find(decoder_.pending_namespace());
        if (!s || !s->connected()) {
            decoder_.reset();
            return refuse(refusal::pending_attachments, "attachments announced for a namespace the client has not joined");
        }
    }
}

void client::on_msgpack_message(std::string_view data, bool binary) {
    // As Node's server with this parser: a message that is not one packet closes the
    // connection (a client built without `parser: msgpackParser` sends text).
    if (!binary) return close_for("a text message, but this deployment uses the msgpack parser");
    packet p;
    if (const auto error = msgpack::decode(data, p); error != decode_error::none) return close_for(to_string(error));
    on_packet(std::move(p));
}

void client::refuse(refusal bound, std::string_view reason) {
    count_refusal(bound);
    // A bound a client hit on purpose, or a limit set too low: either way the operator
    // should see it, with the address (once a second at most: the counter has the rest).
    if (refusal_log_due(bound)) {
        SB_LOG(info, "socketio").with("request_id", session_.handshake().request_id) << "closing session from "
                             << session_.handshake().remote_address << ": " << reason;
    }
    session_.close("parse error");
}

void client::close_for(std::string_view reason) {
    SB_LOG(debug, "socketio").with("request_id", session_.handshake().request_id) << "closing session: " << reason;
    session_.close("parse error");
}

socket* client::find(std::string_view nsp) noexcept {
    for (auto& s : sockets_)
        if (s->nsp() == nsp) return s.get();
    return nullptr;
}

void client::on_packet(packet&& p) {
    if (p.type == packet_type::connect) return on_connect(std::move(p));
    socket* s = find(p.nsp);
    // As the reference (4.8): a packet for a namespace this client has not joined, or
    // not finished joining, is a protocol violation.
    if (!s || !s->connected()) return close_for("packet for a namespace the client has not joined");
    switch (p.type) {
        case packet_type::event:
        case packet_type::binary_event:
            s->on_event(std::move(p));
            break;
        case packet_type::ack:
        case packet_type::binary_ack:
            s->on_ack(std::move(p));
            break;
        case packet_type::disconnect:
            s->on_closed("client namespace disconnect");
            remove(*s);
            break;
        default:
            close_for("unexpected packet type from a client");
            break;
    }
}

void client::on_open() {
    // A v4 client never sends CONNECT for "/": as Node's server, join it for the client.
    if (session_.protocol() != 3) return;
    packet connect;
    connect.type = packet_type::connect;
    on_connect(std::move(connect));
}

void client::on_connect(packet&& p) {
    const bool legacy = session_.protocol() == 3;
    if (legacy) p.data = auth_from_namespace(p.nsp);
    local_namespace* nsp = server_.find_namespace(p.nsp);
    if (!nsp) {
        packet refusal;
        refusal.type = packet_type::connect_error;
        refusal.nsp = p.nsp;
        refusal.data = json{{"message", "Invalid namespace"}};
        count_connect_refusal(refusal.data);
        SB_LOG(debug, "socketio").with("request_id", session_.handshake().request_id).with("namespace", p.nsp)
            << "CONNECT refused: no such namespace";
        return send_packet(refusal);
    }
    if (find(p.nsp)) return close_for("second CONNECT to the same namespace");
    json auth = p.has_data() ? std::move(p.data) : json::object();
    // A v4 client makes its socket id itself, from the Engine.IO id: the server's agrees.
    std::string id = !legacy ? make_random_id() : p.nsp == "/" ? session_.id() : p.nsp + "#" + session_.id();
    auto owned = std::make_unique<socket>(*this, *nsp, std::move(id), std::move(auth));
    socket& s = *owned;
    sockets_.push_back(std::move(owned));
    const std::uint64_t handle = s.handle();
    // The decisions may come after the client left: each step finds the socket again.
    auto refuse = [this, legacy](socket& s, json error) {
        packet refusal;
        refusal.type = packet_type::connect_error;
        refusal.nsp = s.nsp();
        count_connect_refusal(error);
        SB_LOG(debug, "socketio").with(*s.log_context()).with("code", connect_refusal_code(error)) << "CONNECT refused";
        refusal.data = legacy ? legacy_refusal(std::move(error)) : std::move(error);
        send_packet(refusal);
        s.on_closed("connection refused");
        remove(s);
    };
    auto accept = [this](socket& s) {
        packet reply;
        reply.type = packet_type::connect;
        reply.nsp = s.nsp();
        // A v4 client's CONNECT reply carries nothing.
        if (session_.protocol() != 3) {
            reply.data = json{{"sid", s.id()}};
            if (!s.pid().empty()) reply.data["pid"] = s.pid();
        }
        send_packet(reply);
        // A client awaits this answer before it listens for events: what the connect
        // hooks emit leaves only once it has read the answer (Node's server writes them
        // separately, which a loaded client can still read as one).
        session_.fence();
        connect_deadline_.cancel();
        // A recovered socket is live from here, and what it missed before follows the
        // CONNECT reply ahead of everything sent to it from now on.
        if (s.recovered()) s.begin_replay();
        s.mark_connected();
        const auto* nsp = server_.find_namespace(s.nsp());
        if (nsp && nsp->handlers.on_connection) nsp->handlers.on_connection(s);
        if (s.recovered()) replay(s);
    };
    auto authorize = [this, handle, refuse, accept](std::optional<json> refusal) {
        server_.with_socket(handle, [this, refuse, accept, refusal = std::move(refusal)](socket* s) mutable {
            if (!s) return;
            if (refusal) return refuse(*s, std::move(*refusal));
            // In the user's room while connect hooks decide: what they send the user then
            // is held with the socket's other early emits and follows the CONNECT reply.
            if (const std::string user = s->user_id(); !user.empty()) s->join("user:" + user);
            const auto* nsp = server_.find_namespace(s->nsp());
            if (!nsp || !nsp->handlers.authorize) return accept(*s);
            const std::uint64_t handle = s->handle();
            nsp->handlers.authorize(*s, [this, handle, refuse, accept](std::optional<json> error) {
                server_.with_socket(handle, [refuse, accept, error = std::move(error)](socket* s) mutable {
                    if (!s) return;
                    if (error) return refuse(*s, std::move(*error));
                    accept(*s);
                });
            });
        });
    };
    auto authenticate = [this, authorize](socket& s) mutable {
        if (const auto& authenticate = server_.authenticator()) {
            authenticate(s, std::move(authorize));
        } else {
            authorize(std::nullopt);
        }
    };
    const auto pid = s.auth().find("pid");
    if (!server_.recovery_enabled() || pid == s.auth().end() || !pid->is_string()) return authenticate(s);
    // A client coming back: {pid, offset} in its auth (socket.io-client 4.6+).
    std::optional<cluster::log_position> from;
    if (const auto offset = s.auth().find("offset"); offset != s.auth().end()) {
        if (offset->is_string()) from = cluster::log_position::parse(offset->get<std::string>());
        if (!from) {
            server_.recovery_metrics().not_recovered("bad_offset");
            return authenticate(s);
        }
    }
    server_.sessions().claim(
        s.nsp(), pid->get<std::string>(), from,
        [this, handle, authenticate, authorize](std::optional<cluster::saved_session> session,
                                                std::string_view why_not) mutable {
            server_.with_socket(handle, [this, session = std::move(session), why = std::string(why_not),
                                         authenticate, authorize](socket* s) mutable {
                if (!s) {   // the client left meanwhile: the session stays for its next try
                    if (session) server_.sessions().save(*session, false);
                    return;
                }
                if (!session) {
                    server_.recovery_metrics().not_recovered(why);
                    return authenticate(*s);
                }
                s->adopt(*session);
                if (server_.settings().recovery.skip_auth_hooks) return authorize(std::nullopt);
                authenticate(*s);
            });
        });
}

void client::replay(socket& s) {
    // The rooms the session had: what rooms joined since then got is not "missed".
    server_.sessions().missed(s.nsp(), s.since().value_or(cluster::log_position{}), s.recovered_rooms(), [this, handle = s.handle()](
                                                                      std::optional<cluster::missed_events> missed) {
        server_.with_socket(handle, [this, missed = std::move(missed)](socket* s) {
            if (!s) return;
            if (!missed) {
                // The log moved past the offset between the claim and now: no partial
                // replay. The client reconnects, and connects fresh then.
                server_.recovery_metrics().not_recovered("log_overflow");
                SB_LOG(debug, "socketio").with("request_id", session_.handshake().request_id) << "session: missed events left the log";
                session_.close("forced server close");
                return;
            }
            server_.recovery_metrics().recovered.fetch_add(1, std::memory_order_relaxed);
            s->finish_replay(*missed);
        });
    });
}

void client::remove(socket& s) {
    for (auto it = sockets_.begin(); it != sockets_.end(); ++it) {
        if (it->get() == &s) {
            sockets_.erase(it);
            return;
        }
    }
}

void client::on_close(std::string_view reason) {
    if (closed_) return;
    closed_ = true;
    connect_deadline_.cancel();
    auto sockets = std::move(sockets_);
    sockets_.clear();
    for (auto& s : sockets) s->on_closed(reason);
}

void client::on_upgraded() {
    if (auto* observer = server_.observer())
        for (auto& s : sockets_)
            if (s->connected()) observer->on_transport_changed(*s);
}

void client::on_connect_timeout() {
    for (auto& s : sockets_)
        if (s->connected()) return;
    SB_LOG(debug, "socketio").with("request_id", session_.handshake().request_id) << "session: no namespace joined in time";
    count_refusal(refusal::connect_deadline);
    session_.close("connect timeout");
}

}  // namespace switchboard::kernel::socketio
