// The Engine.IO server: validates requests the way the reference server does, opens
// sessions, and routes each request to the worker that owns its session.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kernel/config/config.hpp"
#include "kernel/core/deadline_queue.hpp"
#include "kernel/engineio/session.hpp"
#include "kernel/net/http_connection.hpp"
#include "kernel/net/ip_limiter.hpp"

namespace switchboard::kernel {
class worker;
}

namespace switchboard::kernel::engineio {

// The reference server's error codes, sent as {"code":N,"message":"..."}.
enum class error_code : int {
    unknown_transport = 0,
    unknown_sid = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
};

class server final : public net::http_router {
public:
    server(const config::settings& settings, std::vector<worker*> workers, application& app);
    ~server();

    const config::engineio_settings& settings() const noexcept { return settings_.engineio; }
    const config::settings& all_settings() const noexcept { return settings_; }
    // Handshakes per second per address (server.max_handshakes_per_ip). Set before serving.
    void set_ip_limiter(std::shared_ptr<net::ip_limiter> limiter) { limiter_ = std::move(limiter); }

    // net::http_router, for requests on the Engine.IO path (server.path) only
    void on_http_request(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                         std::uint64_t request_id) override;
    void on_websocket_upgrade(net::http_request&& request, net::tcp_socket socket, net::tls_handle tls,
                              std::string already_read, worker& owner) override;
    void on_http_abandoned(const net::http_request& request, std::uint64_t request_id) override;

    // Closes every session on the calling worker (at shutdown), and opens no new one
    // on any worker from then on.
    void close_local_sessions(std::string_view reason);
    std::size_t local_session_count() const;
    // Sessions open on every worker (for /metrics).
    std::size_t session_count() const noexcept { return open_sessions_.load(std::memory_order_relaxed); }

    // --- for sessions, on their worker ---
    void schedule_ping(session& s, deadline_entry& entry);
    // The next ping one interval after the previous one was due.
    void schedule_next_ping(session& s, deadline_entry& entry, steady_clock::time_point previous_ping);
    void schedule_pong_deadline(session& s, deadline_entry& entry);
    void schedule_upgrade_deadline(session& s, deadline_entry& entry);
    // v3: the client's next ping is due within ping_interval + ping_timeout.
    void schedule_client_silence(session& s, deadline_entry& entry);
    void remove(session& s);

private:
    struct worker_state;
    worker_state& local();
    worker_state& state_of(worker& w);

    // An error answer, with CORS headers when the request carries an Origin.
    std::string error_response(const net::http_request& request, error_code code) const;
    std::string cors_headers(const net::http_request& request) const;
    bool is_preflight(const net::http_request& request) const;
    std::string open_packet(const std::string& sid, bool can_upgrade) const;
    // Whether a handshake's EIO names a protocol this deployment serves (4, and 3 with
    // engineio.allow_eio3).
    bool serves_protocol(const net::http_request& request) const;

    void handle_session_request(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                                std::uint64_t request_id, const std::string& sid, std::string_view transport);
    void open_polling_session(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                              std::uint64_t request_id, worker& owner);
    void accept_websocket(net::http_request&& request, net::tcp_socket socket, net::tls_handle tls,
                          std::string already_read, worker& owner, const std::string& sid);
    // False (and counted) when `address` opens sessions faster than it may.
    bool allow_handshake(const net::http_request& request);

    config::settings settings_;
    std::vector<worker*> workers_;
    application& app_;
    std::vector<std::unique_ptr<worker_state>> states_;
    std::shared_ptr<net::ip_limiter> limiter_;
    std::atomic<std::size_t> open_sessions_{0};
    std::atomic<bool> shutting_down_{false};
};

}  // namespace switchboard::kernel::engineio
