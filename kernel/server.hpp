// The running server: workers, listeners, the Engine.IO and Socket.IO layers, and
// graceful shutdown.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "kernel/config/config.hpp"

namespace switchboard::kernel {

class worker;
namespace engineio {
class server;
}
namespace socketio {
class server;
}
namespace net {
class listener;
}
namespace api {
class http_api;
}
namespace plugins {
class plugin_host;
}

class server {
public:
    // Builds the workers and the protocol layers; nothing runs or listens yet.
    explicit server(const config::settings& settings);
    ~server();

    socketio::server& socketio() noexcept { return *socketio_; }
    plugins::plugin_host& plugins() noexcept { return *plugins_; }
    worker& worker_at(std::size_t index) noexcept { return *workers_.at(index); }
    const config::settings& settings() const noexcept { return settings_; }
    std::size_t worker_count() const noexcept { return workers_.size(); }

    // Loads the deployment's plugins (throws if a required one fails), binds (throws
    // std::system_error naming the address on failure) and starts the workers.
    void start();
    // The port actually bound (useful with port 0).
    unsigned short bound_port() const;

    // Stops accepting, closes every session (clients are told and reconnect elsewhere),
    // waits for them up to the shutdown timeout, then stops the workers.
    void stop();

    // start(), then block until SIGINT or SIGTERM, then stop().
    void run_until_signal();

private:
    void install_builtin_routes();

    config::settings settings_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::unique_ptr<socketio::server> socketio_;
    std::unique_ptr<engineio::server> engineio_;
    std::unique_ptr<api::http_api> api_;
    std::unique_ptr<plugins::plugin_host> plugins_;
    std::vector<std::shared_ptr<net::listener>> listeners_;
    bool running_ = false;
};

}  // namespace switchboard::kernel
