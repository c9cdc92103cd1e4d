// The running server: workers, listeners, the Engine.IO and Socket.IO layers, and
// graceful shutdown.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "kernel/config/config.hpp"
#include "kernel/net/port_claim.hpp"

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
class path_router;
class tls_context;
}
namespace api {
class http_api;
class server_api;
}
namespace plugins {
class plugin_host;
}
namespace auth {
class authenticator;
}
namespace store {
class database;
}
namespace cluster {
class redis_adapter;
class streams_adapter;
class sharded_adapter;
class redis_presence;
}
namespace admin {
class admin_namespace;
}

class server {
public:
    // Builds the workers and the protocol layers; nothing runs or listens yet.
    explicit server(const config::settings& settings);
    ~server();

    socketio::server& socketio() noexcept { return *socketio_; }
    plugins::plugin_host& plugins() noexcept { return *plugins_; }
    worker& worker_at(std::size_t index) noexcept { return *workers_.at(index); }
    auth::authenticator& authenticator() noexcept { return *authenticator_; }

    // The deployment's database, opened on first use (or at start when migrations are
    // due). Throws std::runtime_error naming the URL when it cannot be opened.
    store::database& database();
    // The components whose migrations run: the kernel's, then each enabled plugin's.
    std::vector<std::string> migration_components() const;
    // Where migrations are read from (the config's migrations_dir, resolved).
    std::string migrations_root() const;
    // The platform's own migrations: next to the deployment, next to the binary, or
    // under the install prefix.
    std::string platform_migrations_root() const;
    // Throws naming the path when database.migrations_dir or a plugin entry's
    // `migrations` component names a folder that does not exist, or when a configured
    // migrations_dir lacks an enabled plugin's migrations that the platform ships.
    void check_migration_paths() const;
    // The config file's directory: relative paths in the config start there.
    const std::string& deployment_dir() const noexcept { return deployment_dir_; }

    // Re-reads what can change without a restart: plugins' on_reload (Lua scripts...).
    void reload();
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

    // start(), then block until SIGINT or SIGTERM, then stop(). SIGHUP reloads.
    // `pid_file` (if not empty) holds the process id while running, for `switchboard reload`.
    void run_until_signal(const std::string& pid_file = {});

private:
    void install_builtin_routes();
    // The /status document (server_status.cpp), given to `done` from a worker.
    // The database if something opened it already (null otherwise): /metrics must
    // not open one.
    const store::database* open_database();
    void describe_status(std::function<void(std::string json)> done);
    // The browser client bundle, the demo page and its login (kernel/api/demo_routes.hpp).
    void install_web_routes();
    void install_authentication();
    static void write_pid_file(const std::string& pid_file);
    // cluster.adapter: redis-streams (kernel/cluster/streams_adapter).
    void install_streams_cluster();
    // The Redis URL of the cluster section (url, or the variable url_env names).
    std::string cluster_url() const;
    // What every cluster adapter's settings share, read from the deployment once.
    template <class Settings>
    Settings adapter_settings() const {
        Settings out;
        out.url = cluster_url();
        out.key = settings_.cluster.key;
        out.requests_timeout = settings_.cluster.requests_timeout;
        out.namespaces.clear();
        for (const auto& nsp : settings_.socketio.namespaces) out.namespaces.push_back(nsp.name);
        return out;
    }
    // Who is online across the nodes (kernel/cluster/redis_presence), with the pub/sub
    // adapters.
    void install_cluster_presence(const std::string& url);
    bool anonymous_allowed(std::string_view nsp) const;

    config::settings settings_;
    std::string deployment_dir_;
    std::unique_ptr<auth::authenticator> authenticator_;
    std::mutex database_mutex_;
    std::unique_ptr<store::database> database_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::unique_ptr<socketio::server> socketio_;
    std::unique_ptr<engineio::server> engineio_;
    std::unique_ptr<api::http_api> api_;
    std::unique_ptr<api::server_api> server_api_;
    // What the listeners hand every request to: the Engine.IO path to engineio_, the
    // rest to api_.
    std::unique_ptr<net::path_router> router_;
    std::unique_ptr<cluster::redis_adapter> cluster_;   // null: this node alone
    std::unique_ptr<cluster::streams_adapter> streams_;   // cluster.adapter: redis-streams
    std::unique_ptr<cluster::sharded_adapter> sharded_;   // cluster.adapter: redis-sharded
    std::unique_ptr<plugins::plugin_host> plugins_;
    // Who is online across the cluster (null: this node alone). After plugins_: it
    // reports transitions to them until it stops.
    std::unique_ptr<cluster::redis_presence> presence_;
    // The Admin UI's namespace (null: admin.enabled is off). After plugins_: it goes
    // first, once the handler pool it uses for logins is done.
    std::unique_ptr<admin::admin_namespace> admin_;
    // Held while listening: a second server on this port fails to start.
    net::port_claim port_claim_;
    std::vector<std::shared_ptr<net::listener>> listeners_;
    // server.tls: the certificate every listener serves, reloaded on SIGHUP.
    std::shared_ptr<net::tls_context> tls_;
    bool running_ = false;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace switchboard::kernel
