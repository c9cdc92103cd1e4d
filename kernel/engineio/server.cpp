#include "kernel/engineio/server.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>


#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/engineio/packet_v3.hpp"
#include "kernel/net/path_router.hpp"
#include "kernel/net/websocket_frame.hpp"

namespace switchboard::kernel::engineio {

namespace asio = boost::asio;

namespace {

std::string_view message_of(error_code code) {
    switch (code) {
        case error_code::unknown_transport: return "Transport unknown";
        case error_code::unknown_sid: return "Session ID unknown";
        case error_code::bad_handshake_method: return "Bad handshake method";
        case error_code::bad_request: return "Bad request";
        case error_code::forbidden: return "Forbidden";
        case error_code::unsupported_protocol_version: return "Unsupported protocol version";
    }
    return "Bad request";
}

std::int64_t unix_millis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

net::handshake_info make_handshake(net::http_request& request) {
    net::handshake_info info;
    info.query = std::move(request.query);
    info.headers = net::header_list(request.headers);
    info.remote_address = std::move(request.remote_address);
    info.request_id = std::move(request.log_id);
    info.issued_ms = unix_millis();
    return info;
}

}  // namespace

struct server::worker_state {
    worker_state(worker& w, const config::engineio_settings& s)
        : ping_due(w.deadlines(), s.ping_interval,
                   [](void* owner) { static_cast<session*>(owner)->on_ping_due(); }),
          pong_overdue(w.deadlines(), s.ping_timeout,
                       [](void* owner) { static_cast<session*>(owner)->on_pong_overdue(); }),
          upgrade_overdue(w.deadlines(), s.upgrade_timeout,
                          [](void* owner) { static_cast<session*>(owner)->on_upgrade_overdue(); }),
          client_silent(w.deadlines(), s.ping_interval + s.ping_timeout,
                        [](void* owner) { static_cast<session*>(owner)->on_client_silent(); }) {}

    // Keyed by a view of the session's own id: the entry holds the session, so the
    // id outlives its key, and the id is not stored twice per session.
    std::unordered_map<std::string_view, std::shared_ptr<session>> sessions;
    deadline_queue ping_due;
    deadline_queue pong_overdue;
    deadline_queue upgrade_overdue;
    deadline_queue client_silent;
};

server::server(const config::settings& settings, std::vector<worker*> workers, application& app)
    : settings_(settings), workers_(std::move(workers)), app_(app) {
    for (auto* w : workers_) states_.push_back(std::make_unique<worker_state>(*w, settings_.engineio));
}

server::~server() = default;

server::worker_state& server::local() {
    auto* current = worker::current();
    return *states_.at(current ? current->index() : 0);
}

server::worker_state& server::state_of(worker& w) { return *states_.at(w.index()); }

void server::schedule_ping(session& s, deadline_entry& entry) { state_of(s.owner()).ping_due.schedule(entry, &s); }

void server::schedule_next_ping(session& s, deadline_entry& entry, steady_clock::time_point previous_ping) {
    auto& queue = state_of(s.owner()).ping_due;
    queue.schedule_at(entry, &s, previous_ping + queue.duration());
}

void server::schedule_pong_deadline(session& s, deadline_entry& entry) {
    state_of(s.owner()).pong_overdue.schedule(entry, &s);
}

void server::schedule_upgrade_deadline(session& s, deadline_entry& entry) {
    state_of(s.owner()).upgrade_overdue.schedule(entry, &s);
}

void server::schedule_client_silence(session& s, deadline_entry& entry) {
    state_of(s.owner()).client_silent.schedule(entry, &s);
}

void server::remove(session& s) {
    if (state_of(s.owner()).sessions.erase(s.id())) open_sessions_.fetch_sub(1, std::memory_order_relaxed);
}

std::size_t server::local_session_count() const {
    auto* current = worker::current();
    return states_.at(current ? current->index() : 0)->sessions.size();
}

void server::close_local_sessions(std::string_view reason) {
    // A client told to go reconnects at once while the listeners still accept (the
    // drain needs them): a session opened now would hold the shutdown until its deadline.
    shutting_down_.store(true, std::memory_order_relaxed);
    auto& sessions = local().sessions;
    std::vector<std::shared_ptr<session>> all;
    all.reserve(sessions.size());
    for (auto& [id, s] : sessions) all.push_back(s);
    for (auto& s : all) s->close(reason);
}

std::string server::cors_headers(const net::http_request& request) const {
    const auto& cors = settings_.cors;
    const std::string_view origin = request.header("origin");
    if (cors.origins.empty()) return {};
    bool any = false;
    bool listed = false;
    for (const auto& allowed : cors.origins) {
        if (allowed == "*") any = true;
        else if (allowed == origin) listed = true;
    }
    std::string headers;
    if (any && !cors.credentials) {
        headers += "Access-Control-Allow-Origin: *\r\n";
    } else if ((any || listed) && !origin.empty()) {
        headers += "Access-Control-Allow-Origin: ";
        headers += origin;
        headers += "\r\nVary: Origin\r\n";
    } else {
        return {};
    }
    if (cors.credentials) headers += "Access-Control-Allow-Credentials: true\r\n";
    return headers;
}

bool server::is_preflight(const net::http_request& request) const {
    return request.method == net::http_method::options && !settings_.cors.origins.empty() &&
           !request.header("origin").empty();
}

std::string server::error_response(const net::http_request& request, error_code code) const {
    std::string body = R"({"code":)";
    body += std::to_string(static_cast<int>(code));
    body += R"(,"message":")";
    body += message_of(code);
    body += R"("})";
    const int status = code == error_code::forbidden ? 403 : 400;
    return net::make_http_response(status, "application/json", body, cors_headers(request));
}

bool server::serves_protocol(const net::http_request& request) const {
    const auto eio = request.query_param("EIO");
    return eio == "4" || (eio == "3" && settings_.engineio.allow_eio3);
}

std::string server::open_packet(const std::string& sid, bool can_upgrade) const {
    const auto& s = settings_.engineio;
    std::string text = "0{\"sid\":\"";
    text += sid;
    text += can_upgrade ? R"(","upgrades":["websocket"],)" : R"(","upgrades":[],)";
    text += "\"pingInterval\":" + std::to_string(s.ping_interval.count());
    text += ",\"pingTimeout\":" + std::to_string(s.ping_timeout.count());
    text += ",\"maxPayload\":" + std::to_string(s.max_payload);
    text += "}";
    return text;
}

void server::on_http_request(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                             std::uint64_t request_id) {
    if (is_preflight(request)) {
        std::string headers = cors_headers(request);
        const auto& cors = settings_.cors;
        headers += "Access-Control-Allow-Methods: ";
        for (std::size_t i = 0; i < cors.methods.size(); ++i) headers += (i ? "," : "") + cors.methods[i];
        headers += "\r\n";
        std::string allowed_headers;
        for (std::size_t i = 0; i < cors.allowed_headers.size(); ++i)
            allowed_headers += (i ? "," : "") + cors.allowed_headers[i];
        if (allowed_headers.empty()) allowed_headers = std::string(request.header("access-control-request-headers"));
        if (!allowed_headers.empty()) headers += "Access-Control-Allow-Headers: " + allowed_headers + "\r\n";
        if (cors.max_age.count() > 0)
            headers += "Access-Control-Max-Age: " + std::to_string(cors.max_age.count() / 1000) + "\r\n";
        connection->respond(request_id, net::make_http_response(204, {}, {}, headers));
        return;
    }
    const auto transport = request.query_param("transport");
    const bool polling_enabled = settings_.engineio.transport_polling;
    if (!transport || !((*transport == "polling" && polling_enabled) ||
                        (*transport == "websocket" && settings_.engineio.transport_websocket))) {
        connection->respond(request_id, error_response(request, error_code::unknown_transport));
        return;
    }
    if (auto sid = request.query_param("sid")) {
        handle_session_request(std::move(request), connection, request_id, *sid, *transport);
        return;
    }
    if (request.method != net::http_method::get) {
        connection->respond(request_id, error_response(request, error_code::bad_handshake_method));
        return;
    }
    if (*transport != "polling") {   // a WebSocket handshake without the upgrade headers
        connection->respond(request_id, error_response(request, error_code::bad_request));
        return;
    }
    if (!serves_protocol(request)) {
        connection->respond(request_id, error_response(request, error_code::unsupported_protocol_version));
        return;
    }
    if (request.query_param("j")) {
        // JSONP polling (engine.io-client 3.x where XHR is unavailable) is not served:
        // said in the body, so the operator of such a client sees why.
        connection->respond(request_id,
                            net::make_http_response(400, "application/json",
                                                    R"({"code":3,"message":"JSONP polling is not supported"})",
                                                    cors_headers(request)));
        return;
    }
    if (shutting_down_.load(std::memory_order_relaxed)) {
        connection->respond(request_id,
                            net::make_http_response(503, "text/plain; charset=UTF-8", "Server shutting down",
                                                    cors_headers(request), false),
                            true);
        return;
    }
    if (!allow_handshake(request)) {
        connection->respond(request_id, net::make_http_response(429, "application/json",
                                                                R"({"code":4,"message":"Too many handshakes"})",
                                                                cors_headers(request) + "Retry-After: 1\r\n"));
        return;
    }
    open_polling_session(std::move(request), connection, request_id, connection->owner());
}

void server::open_polling_session(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                                  std::uint64_t request_id, worker& owner) {
    std::string headers = cors_headers(request);
    std::string sid = make_session_id(owner.index());
    auto s = std::make_shared<session>(*this, owner, sid, make_handshake(request));
    state_of(owner).sessions.emplace(s->id(), s);
    open_sessions_.fetch_add(1, std::memory_order_relaxed);
    const bool can_upgrade = settings_.engineio.transport_websocket && settings_.engineio.allow_upgrades;
    std::string open = open_packet(sid, can_upgrade);
    if (s->protocol() == 3) open = v3::text_payload(open);
    connection->respond(request_id, net::make_http_response(200, "text/plain; charset=UTF-8", open, headers));
    s->start_polling(app_.on_session_open(*s));
}

void server::handle_session_request(net::http_request&& request,
                                    const std::shared_ptr<net::http_connection>& connection, std::uint64_t request_id,
                                    const std::string& sid, std::string_view transport) {
    const auto owner_index = worker_of_session_id(sid);
    if (!owner_index || *owner_index >= workers_.size()) {
        connection->respond(request_id, error_response(request, error_code::unknown_sid));
        return;
    }
    worker& owner = *workers_[*owner_index];
    // The session's worker answers; the connection stays where it is.
    owner.dispatch([this, &owner, request = std::move(request), connection, request_id, sid,
                    transport = std::string(transport)]() mutable {
        auto& sessions = state_of(owner).sessions;
        const auto found = sessions.find(sid);
        if (found == sessions.end()) {
            connection->respond(request_id, error_response(request, error_code::unknown_sid));
            return;
        }
        auto s = found->second;
        s->catch_up_upgrade();
        if (request.method == net::http_method::get && s->expire_if_overdue()) {
            connection->respond(request_id, error_response(request, error_code::unknown_sid));
            return;
        }
        if (s->transport_name() != transport) {
            connection->respond(request_id, error_response(request, error_code::bad_request));
            return;
        }
        if (request.method == net::http_method::get) {
            s->on_poll(pending_poll{connection, request_id, cors_headers(request)});
        } else if (request.method == net::http_method::post) {
            // Answered later when the session holds reading (backpressure).
            s->on_post(request.body, request.header("content-type"),
                       [connection, request_id, ok = net::make_http_response(200, "text/html", "ok", cors_headers(request)),
                        bad = error_response(request, error_code::bad_request)](int status) {
                           connection->respond(request_id, status == 200 ? ok : bad);
                       });
        } else {
            connection->respond(request_id, net::make_http_response(500, {}, {}, cors_headers(request)));
        }
    });
}

void server::on_http_abandoned(const net::http_request& request, std::uint64_t request_id) {
    const auto sid = request.query_param("sid");
    if (!sid || request.method != net::http_method::get) return;
    const auto owner_index = worker_of_session_id(*sid);
    if (!owner_index || *owner_index >= workers_.size()) return;
    worker& owner = *workers_[*owner_index];
    owner.dispatch([this, &owner, sid = *sid, request_id] {
        auto& sessions = state_of(owner).sessions;
        const auto found = sessions.find(sid);
        if (found != sessions.end()) found->second->on_poll_abandoned(request_id);
    });
}

bool server::allow_handshake(const net::http_request& request) {
    if (!limiter_ || limiter_->allow_handshake(request.remote_address)) return true;
    count_refusal(refusal::per_ip_handshakes);
    SB_LOG(debug, "engineio").with("request_id", request.log_id)
        << "refusing a handshake from " << request.remote_address << ": over its rate";
    return false;
}

void server::on_websocket_upgrade(net::http_request&& request, net::tcp_socket socket, net::tls_handle tls,
                                  std::string already_read, worker& owner) {
    const auto transport = request.query_param("transport");
    if (!transport || !settings_.engineio.transport_websocket ||
        (*transport != "websocket" && *transport != "polling")) {
        return net::refuse_upgrade(socket, tls, message_of(error_code::unknown_transport));
    }
    if (*transport != "websocket") return net::refuse_upgrade(socket, tls, "invalid transport");
    // Exactly one version header, and it says 13 (a repeated header is a list, as Node reads it).
    const auto versions = std::count_if(request.headers.begin(), request.headers.end(),
                                        [](const auto& h) { return h.first == "sec-websocket-version"; });
    if (versions != 1 || request.header("sec-websocket-version") != "13" || request.header("sec-websocket-key").empty())
        return net::refuse_upgrade(socket, tls, message_of(error_code::bad_request));
    const auto sid = request.query_param("sid");
    if (!sid) {
        if (!serves_protocol(request))
            return net::refuse_upgrade(socket, tls, message_of(error_code::unsupported_protocol_version));
        if (shutting_down_.load(std::memory_order_relaxed)) return net::refuse_upgrade(socket, tls, "Server shutting down");
        if (!allow_handshake(request)) return net::refuse_upgrade(socket, tls, "Too many handshakes", 429);
        return accept_websocket(std::move(request), std::move(socket), std::move(tls), std::move(already_read), owner,
                                {});
    }
    const auto owner_index = worker_of_session_id(*sid);
    if (!owner_index || *owner_index >= workers_.size())
        return net::refuse_upgrade(socket, tls, message_of(error_code::unknown_sid));
    worker& session_owner = *workers_[*owner_index];
    if (&session_owner == &owner)
        return accept_websocket(std::move(request), std::move(socket), std::move(tls), std::move(already_read), owner,
                                *sid);
    // Move the socket to the session's worker: a session never leaves its worker. The
    // TLS session (no Asio object around it now) moves with the descriptor.
    const auto protocol = socket.local_endpoint().protocol();
    boost::system::error_code ec;
    const int fd = socket.release(ec);
    if (ec) return;
    session_owner.post([this, &session_owner, protocol, fd, request = std::move(request), tls = std::move(tls),
                        already_read = std::move(already_read), sid = *sid]() mutable {
        net::tcp_socket moved(session_owner.io());
        boost::system::error_code assign_ec;
        moved.assign(protocol, fd, assign_ec);
        if (assign_ec) {
            ::close(fd);
            return;
        }
        accept_websocket(std::move(request), std::move(moved), std::move(tls), std::move(already_read), session_owner,
                         sid);
    });
}

void server::accept_websocket(net::http_request&& request, net::tcp_socket socket, net::tls_handle tls,
                              std::string already_read, worker& owner, const std::string& sid) {
    std::shared_ptr<session> existing;
    if (!sid.empty()) {
        auto& sessions = state_of(owner).sessions;
        const auto found = sessions.find(sid);
        if (found == sessions.end()) return net::refuse_upgrade(socket, tls, message_of(error_code::unknown_sid));
        existing = found->second;
    }
    std::string response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
    response += net::websocket_accept_key(request.header("sec-websocket-key"));
    response += "\r\n\r\n";
    auto ws = std::make_shared<net::websocket_connection>(std::move(socket), std::move(tls), owner,
                                                          settings_.engineio.max_payload, response);
    ws->set_close_timeout(settings_.server.close_timeout);
    ws->hold(std::move(request.connection_token));
    if (existing) {
        existing->on_upgrade_websocket(ws);
    } else {
        std::string new_sid = make_session_id(owner.index());
        auto s = std::make_shared<session>(*this, owner, new_sid, make_handshake(request));
        state_of(owner).sessions.emplace(s->id(), s);
        open_sessions_.fetch_add(1, std::memory_order_relaxed);
        s->start_websocket(ws, open_packet(new_sid, false), app_.on_session_open(*s));
    }
    ws->start(std::move(already_read));
}

}  // namespace switchboard::kernel::engineio
