// The Socket.IO Admin UI's namespace (@socket.io/admin-ui 0.5.x), spoken as its own
// server side does, so the hosted UI (admin.socket.io) or a self-hosted copy shows
// this server:
//
// - login: CONNECT auth {username, password} checked against a bcrypt hash, answered
//   with a `session` id the UI presents instead when it reconnects;
// - on connection: `config` (the features this node offers) and, in development mode,
//   `all_sockets` (every node's, through the cluster);
// - every 2 s: `server_stats` for this node, broadcast through the cluster, so a UI on
//   any node lists every node;
// - in development mode: socket_connected/updated/disconnected, room_joined/left,
//   event_received/sent, as they happen;
// - the UI's commands emit, join, leave and _disconnect (refused when readonly).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "kernel/admin/admin_sessions.hpp"
#include "kernel/config/config.hpp"
#include "kernel/core/traffic.hpp"
#include "kernel/socketio/socket_observer.hpp"

namespace switchboard::kernel {
class worker;
}
namespace switchboard::kernel::socketio {
class server;
}

namespace switchboard::kernel::admin {

// What the admin namespace needs of the server around it.
struct admin_environment {
    socketio::server& io;
    worker& timer_worker;                                    // runs the server_stats timer
    std::function<void(std::function<void()>)> run_blocking;   // bcrypt runs there, off the workers
    std::function<std::size_t()> session_count;              // Engine.IO sessions open now
};

class admin_namespace final : public socketio::socket_observer {
public:
    admin_namespace(const config::admin_settings& settings, admin_environment environment);
    ~admin_namespace() override;

    // Installs the namespace's handlers (and, in development mode, the observer).
    // Call before serving, after anything else sets namespace handlers.
    void install();
    // Starts and stops the server_stats timer (stop before the workers stop).
    void start();
    void stop();

    // --- socketio::socket_observer (development mode) ---
    void on_connected(socketio::socket& s) override;
    void on_transport_changed(socketio::socket& s) override;
    void on_disconnected(socketio::socket& s, std::string_view reason) override;
    void on_joined(socketio::socket& s, std::string_view room) override;
    void on_left(socketio::socket& s, std::string_view room) override;
    void on_event_received(socketio::socket& s, std::string_view event, const socketio::json& args) override;
    void on_event_sent(socketio::socket& s, const socketio::json& event_and_args) override;
    void describe(const socketio::socket& s, cluster::ordered_json& data) override;

private:
    bool development() const noexcept { return settings_.mode == "development"; }
    void authorize(socketio::socket& s, std::function<void(std::optional<socketio::json>)> decide);
    void on_admin_connected(socketio::socket& s);
    void on_command(socketio::socket& s, std::string_view command, socketio::json& args, std::int64_t ack_id);
    void send_all_sockets(std::uint64_t handle);
    socketio::json server_stats();
    void schedule_stats();
    // Sends `event` with `args` to every admin socket, on every node.
    void tell_admins(std::string_view event, socketio::json args);

    config::admin_settings settings_;
    admin_environment env_;
    admin_sessions sessions_;
    std::string hostname_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::atomic<int> logins_in_progress_{0};
    // The totals at the last server_stats: aggregatedEvents reports what changed since.
    traffic::totals reported_{};
    std::unique_ptr<boost::asio::steady_timer> stats_timer_;
};

}  // namespace switchboard::kernel::admin
