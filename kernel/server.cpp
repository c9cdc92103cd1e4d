#include "kernel/server.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "kernel/admin/admin_namespace.hpp"
#include "kernel/api/demo_routes.hpp"
#include "kernel/api/http_api.hpp"
#include "kernel/api/server_api.hpp"
#include "kernel/auth/authenticator.hpp"
#include "kernel/cluster/redis_adapter.hpp"
#include "kernel/cluster/sharded_adapter.hpp"
#include "kernel/cluster/streams_adapter.hpp"
#include "kernel/cluster/redis_presence.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"
#include "kernel/core/prometheus_text.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/shutdown_watchdog.hpp"
#include "kernel/core/traffic.hpp"
#include "kernel/core/usable_cpus.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/engineio/server.hpp"
#include "kernel/core/address_range.hpp"
#include "kernel/net/listener.hpp"
#include "kernel/net/path_router.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/socketio/connect_refusals.hpp"
#include "kernel/socketio/server.hpp"
#include "kernel/store/database.hpp"
#include "kernel/store/migrations.hpp"

namespace switchboard::kernel {

namespace asio = boost::asio;

namespace {

std::size_t worker_count_for(unsigned configured) {
    std::size_t count = configured ? configured : usable_cpus();
    return std::min(count, max_workers);
}

// Runs `fn` on every worker and waits for all of them.
template <class Fn>
void on_every_worker(const std::vector<std::unique_ptr<worker>>& workers, Fn fn) {
    std::vector<std::future<void>> done;
    for (auto& w : workers) {
        auto task = std::make_shared<std::packaged_task<void()>>([&fn, &w] { fn(*w); });
        done.push_back(task->get_future());
        w->post([task] { (*task)(); });
    }
    for (auto& f : done) f.get();
}

std::string namespace_metrics_text(const std::vector<std::pair<std::string, std::size_t>>& counts) {
    std::string out;
    prometheus::append_family(out, "switchboard_socketio_sockets", "gauge",
                              "Socket.IO sockets connected now, by namespace.");
    for (const auto& [name, count] : counts)
        prometheus::append_sample(out, "switchboard_socketio_sockets", "namespace=\"" + escape_label_value(name) + "\"",
                                  count);
    return out;
}

}  // namespace

namespace {

std::string directory_of(const std::string& config_file) {
    namespace fs = std::filesystem;
    return config_file.empty() ? fs::current_path().string() : fs::absolute(config_file).parent_path().string();
}

}  // namespace

server::server(const config::settings& settings)
    : settings_(settings),
      deployment_dir_(directory_of(settings.source_file)),
      authenticator_(std::make_unique<auth::authenticator>(settings.auth, deployment_dir_)) {
    const std::size_t count = worker_count_for(settings_.server.workers);
    std::vector<worker*> raw;
    for (std::size_t i = 0; i < count; ++i) {
        workers_.push_back(std::make_unique<worker>(i));
        raw.push_back(workers_.back().get());
    }
    socketio_ = std::make_unique<socketio::server>(settings_, raw);
    engineio_ = std::make_unique<engineio::server>(settings_, raw, *socketio_);
    api_ = std::make_unique<api::http_api>();
    // What the plugin host needs of the kernel, and nothing else (it is a layer below).
    plugins_ = std::make_unique<plugins::plugin_host>(
        plugins::host_environment{*socketio_, raw, [this]() -> store::database& { return database(); },
                                  deployment_dir_},
        settings_);
    server_api_ = std::make_unique<api::server_api>(
        settings_.api, *socketio_,
        [host = plugins_.get()](std::string topic, std::string payload) { host->publish(topic, std::move(payload)); });
    api_->set_server_api(server_api_.get());
    if (settings_.cluster.adapter == "redis") {
        auto cluster_settings = adapter_settings<cluster::redis_adapter_settings>();
        const auto url = cluster_settings.url;
        cluster_ = std::make_unique<cluster::redis_adapter>(std::move(cluster_settings), *socketio_);
        socketio_->set_adapter(cluster_.get());
        install_cluster_presence(url);
    }
    if (settings_.cluster.adapter == "redis-sharded") {
        auto sharded = adapter_settings<cluster::sharded_adapter_settings>();
        const auto url = sharded.url;
        sharded_ = std::make_unique<cluster::sharded_adapter>(std::move(sharded), *socketio_);
        socketio_->set_adapter(sharded_.get());
        install_cluster_presence(url);
    }
    if (settings_.cluster.adapter == "redis-streams") install_streams_cluster();
    router_ = std::make_unique<net::path_router>(*api_);
    router_->mount(settings_.server.path, *engineio_);
    if (settings_.admin.enabled) {
        admin_ = std::make_unique<admin::admin_namespace>(
            settings_.admin,
            admin::admin_environment{
                *socketio_, *workers_.front(),
                [pool = &plugins_->pool()](std::function<void()> task) { pool->post(std::move(task), nullptr, "admin login"); },
                [engine = engineio_.get()] { return engine->session_count(); }});
    }
    install_builtin_routes();
    install_authentication();
}

std::string server::cluster_url() const {
    const auto& name = settings_.cluster.url_env;
    if (name.empty()) return settings_.cluster.url;
    const char* url = std::getenv(name.c_str());
    if (!url || !*url) throw std::runtime_error("cluster.url_env names " + name + ", which is not set");
    return url;
}

void server::install_cluster_presence(const std::string& url) {
    cluster::redis_presence_settings presence_settings{url, settings_.cluster.key, settings_.cluster.heartbeat,
                                                      settings_.cluster.node_timeout};
    presence_ = std::make_unique<cluster::redis_presence>(
        std::move(presence_settings), socketio_->local_presence(),
        [this](const std::string& user_id, bool online) { plugins_->notify_presence(user_id, online); });
    socketio_->local_presence().on_count([presence = presence_.get()](const std::string& user_id, std::uint32_t sockets) {
        presence->local_changed(user_id, sockets);
    });
    socketio_->set_cluster_presence(presence_.get());
}

void server::install_streams_cluster() {
    auto streams = adapter_settings<cluster::streams_adapter_settings>();
    streams.max_len = settings_.socketio.recovery.log_size;
    streams.max_disconnection_duration = settings_.socketio.recovery.max_disconnection_duration;
    streams_ = std::make_unique<cluster::streams_adapter>(std::move(streams), *socketio_);
    socketio_->set_adapter(streams_.get());
    // The stream is the log and Redis keeps the sessions: a client recovers on any node.
    if (settings_.socketio.recovery.enabled) socketio_->set_session_store(streams_.get());
}

bool server::anonymous_allowed(std::string_view nsp) const {
    for (const auto& n : settings_.socketio.namespaces)
        if (n.name == nsp) return n.anonymous;
    return false;
}

void server::install_authentication() {
    // Plugins' auth hooks decide first; without a decision, the JWT does.
    socketio_->set_authenticator([this](socketio::socket& s, std::function<void(std::optional<nlohmann::json>)> done) {
        // The Admin UI logs in with its own credentials, which its namespace checks.
        if (admin_ && s.nsp() == settings_.admin.namespace_name) return done(std::nullopt);
        plugins_->run_auth_hooks(s, [this, handle = s.handle(), done = std::move(done)](
                                        std::optional<plugins::auth_decision> decision) mutable {
            socketio_->with_socket(handle, [this, decision = std::move(decision),
                                            done = std::move(done)](socketio::socket* s) mutable {
                if (!s) return;
                if (decision && decision->refusal) return done(std::move(decision->refusal));
                if (decision && decision->user) {
                    s->set_user(auth::authenticator::user_from_claims(std::move(*decision->user)));
                    return done(std::nullopt);
                }
                auto outcome = authenticator_->check(s->auth(), s->handshake(), anonymous_allowed(s->nsp()));
                if (outcome.refusal) {
                    SB_LOG(info, "auth").with(*s->log_context()) << "refused " << s->handshake().remote_address << ": "
                                         << outcome.reason;
                    return done(std::move(outcome.refusal));
                }
                if (outcome.user) s->set_user(std::move(*outcome.user));
                done(std::nullopt);
            });
        });
    });
    // Another node's serverSideEmit reaches this node's plugins on the bus, in the
    // order that node sent them (a plugin's "end" must not overtake its "start").
    socketio_->set_server_side_emit_listener([this](const std::string& event, std::string args_json) {
        plugins_->publish_in_order("serverSideEmit:" + event, std::move(args_json));
    });
    socketio_->set_presence_listener(
        [this](const std::string& user_id, bool online) { plugins_->notify_presence(user_id, online); });
    if (!authenticator_->has_keys())
        SB_LOG(info, "auth") << "no JWT key configured: only anonymous namespaces and auth hooks admit clients";
}

store::database& server::database() {
    std::lock_guard lock(database_mutex_);
    // A relative SQLite path is relative to where the server runs, as shells expect.
    if (!database_) database_ = std::make_unique<store::database>(settings_.database, std::string());
    return *database_;
}

const store::database* server::open_database() {
    std::lock_guard lock(database_mutex_);
    return database_.get();
}

std::vector<std::string> server::migration_components() const {
    std::vector<std::string> components{"kernel"};
    for (const auto& plugin : settings_.plugins) {
        components.push_back(plugin.name);
        for (const auto& extra : plugin.migrations)
            if (std::find(components.begin(), components.end(), extra) == components.end()) components.push_back(extra);
    }
    return components;
}

std::string server::migrations_root() const {
    namespace fs = std::filesystem;
    if (!settings_.database.migrations_dir.empty()) {
        fs::path root(settings_.database.migrations_dir);
        return (root.is_relative() ? fs::path(deployment_dir_) / root : root).string();
    }
    return platform_migrations_root();
}

std::string server::platform_migrations_root() const {
    namespace fs = std::filesystem;
    // Next to the deployment, then next to this binary (bin/ of a relocated install, or
    // build/ of a checkout: a YAML anywhere still finds the platform's migrations), then
    // the install prefix.
    std::error_code ec;
    const fs::path binary_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    const fs::path candidates[] = {
        fs::path(deployment_dir_) / "migrations",
        fs::path(deployment_dir_).parent_path() / "migrations",
        binary_dir.parent_path() / "migrations",
        binary_dir.parent_path() / "share" / "switchboard" / "migrations",
        fs::path(SWITCHBOARD_INSTALL_PREFIX) / "share" / "switchboard" / "migrations",
    };
    for (const auto& candidate : candidates)
        if (!candidate.empty() && fs::is_directory(candidate, ec)) return candidate.string();
    return candidates[0].string();
}

void server::check_migration_paths() const {
    // A configured path that is not there would leave the tables missing and fail every
    // event with "no such table": stop the start instead, naming the path.
    namespace fs = std::filesystem;
    const fs::path root = migrations_root();
    std::error_code ec;
    if (!settings_.database.migrations_dir.empty() && !fs::is_directory(root, ec))
        throw std::runtime_error("database.migrations_dir: " + root.string() + " is not a directory");
    for (const auto& plugin : settings_.plugins)
        for (const auto& component : plugin.migrations)
            if (!fs::is_directory(root / component, ec))
                throw std::runtime_error("plugin " + plugin.name + ": migrations component '" + component + "': " +
                                         (root / component).string() +
                                         " is not a directory (set database.migrations_dir to the platform's migrations)");
    // A migrations_dir of the deployment's own that lacks an enabled plugin's migrations,
    // which the platform ships: that plugin's tables would never be made.
    if (settings_.database.migrations_dir.empty()) return;
    const fs::path platform = platform_migrations_root();
    if (fs::equivalent(platform, root, ec)) return;
    for (const auto& plugin : settings_.plugins)
        if (!fs::is_directory(root / plugin.name, ec) && fs::is_directory(platform / plugin.name, ec))
            throw std::runtime_error("plugin " + plugin.name + ": its migrations are in " + (platform / plugin.name).string() +
                                     ", not in database.migrations_dir " + root.string() +
                                     " (copy them there, or point migrations_dir at the platform's)");
}

void server::reload() {
    SB_LOG(info, "server") << "reloading";
    if (tls_) {
        // Sessions already open keep their certificate; new handshakes get the new one.
        if (const auto error = tls_->reload(); error.empty())
            SB_LOG(info, "server") << "TLS certificate reloaded from " << settings_.server.tls.cert_file;
        else
            SB_LOG(error, "server") << "TLS certificate not reloaded (still serving the previous one): " << error;
    }
    plugins_->reload_all();
}

void server::install_builtin_routes() {
    // /metrics tells who is connected and what was refused; a deployment that exposes
    // the port publicly lists who may read it (its monitoring) in server.monitoring_allow.
    std::vector<address_range> allowed;
    for (const auto& entry : settings_.server.monitoring_allow)
        if (auto range = address_range::parse(entry)) allowed.push_back(*range);
    auto refused = [allowed](const net::http_request& request, const api::http_api::responder& respond) {
        if (address_allowed(allowed, request.remote_address)) return false;
        count_refusal(refusal::monitoring_access);
        respond(net::make_http_response(403, "application/json", R"({"code":"forbidden","message":"Forbidden"})"));
        return true;
    };
    api_->add("GET", "/healthz", [refused](net::http_request&& request, api::http_api::responder respond) {
        if (refused(request, respond)) return;
        respond(net::make_http_response(200, "application/json", R"({"status":"ok"})"));
    });
    api_->add("GET", "/metrics", [this, refused](net::http_request&& request, api::http_api::responder respond) {
        if (refused(request, respond)) return;
        std::string body;
        prometheus::append_single(body, "switchboard_sessions", "gauge", "Engine.IO sessions open now.",
                                  engineio_->session_count());
        prometheus::append_single(body, "switchboard_sockets", "gauge",
                                  "Socket.IO sockets connected now, in every namespace.",
                                  socketio_->connected_sockets.load(std::memory_order_relaxed));
        body += traffic::metrics_text();
        body += namespace_metrics_text(socketio_->connected_sockets_by_namespace());
        socketio::append_connect_refusal_metrics(body);
        body += refusals_metrics_text();
        body += plugins_->metrics_text();
        body += socketio::payload_metrics_text();
        if (const auto* db = open_database()) body += db->metrics_text();
        if (cluster_) body += cluster_->metrics_text();
        if (streams_) body += streams_->metrics_text();
        if (sharded_) body += sharded_->metrics_text();
        if (settings_.socketio.recovery.enabled) body += socketio_->recovery_metrics().metrics_text();
        respond(net::make_http_response(200, "text/plain; version=0.0.4", body));
    });
    api_->add("GET", "/status", [this, refused](net::http_request&& request, api::http_api::responder respond) {
        if (refused(request, respond)) return;
        describe_status([respond = std::move(respond)](std::string json) {
            respond(net::make_http_response(200, "application/json", json));
        });
    });
    install_web_routes();
}

void server::install_web_routes() {
    // web/ (the demo page, the browser client bundle) is copied next to the binary at
    // build time and installed under share/switchboard, as the migrations are.
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path binary_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    std::vector<std::string> roots;
    if (!binary_dir.empty()) {
        roots.push_back((binary_dir / "web").string());
        roots.push_back((binary_dir.parent_path() / "share" / "switchboard" / "web").string());
    }
    roots.push_back((fs::path(SWITCHBOARD_INSTALL_PREFIX) / "share" / "switchboard" / "web").string());
    boost::system::error_code address_error;
    const auto address = asio::ip::make_address(settings_.server.host, address_error);
    api::install_demo_routes(*api_, api::demo_environment{settings_, authenticator_->secret(), std::move(roots),
                                                          !address_error && address.is_loopback()});
}

server::~server() {
    if (running_) stop();
}

void server::start() {
    // First: a missing or mismatched certificate must stop start-up before anything runs.
    if (settings_.server.tls.enabled())
        tls_ = std::make_shared<net::tls_context>(settings_.server.tls, deployment_dir_);
    // Migrations first: plugins may query their tables as they load.
    if (settings_.database.migrate) check_migration_paths();
    if (settings_.database.migrate &&
        !store::find_migrations(migrations_root(), migration_components(), store::dialect::sqlite).empty()) {
        auto report = store::migrate(database(), migrations_root(), migration_components());
        SB_LOG(info, "store") << "migrations: " << report.applied.size() << " applied, " << report.up_to_date
                              << " up to date (" << database().display_url() << ")";
    }
    plugins_->load_all();
    plugins_->install_routes([this](const std::string& method, const std::string& path,
                                    plugins::plugin_host::http_handler handler) {
        return api_->add(method, path, std::move(handler));
    });
    if (admin_) admin_->install();   // after the plugins, which set every namespace's handlers
    // The cluster before the first client: a broadcast must never find it half started.
    if (cluster_) cluster_->start();
    if (streams_) streams_->start();
    if (sharded_) sharded_->start();
    if (presence_) presence_->start();
    const auto address = asio::ip::make_address(settings_.server.host);
    asio::ip::tcp::endpoint endpoint(address, settings_.server.port);
    net::http_limits limits;
    limits.max_body_bytes = settings_.engineio.max_payload;
    limits.request_timeout = settings_.server.header_timeout;
    limits.write_timeout = settings_.server.close_timeout;
    limits.max_header_bytes = 16 * 1024;
    std::shared_ptr<net::ip_limiter> limiter;
    if (settings_.server.max_connections_per_ip || settings_.server.max_handshakes_per_ip) {
        limiter = std::make_shared<net::ip_limiter>(settings_.server.max_connections_per_ip,
                                                    settings_.server.max_handshakes_per_ip);
        engineio_->set_ip_limiter(limiter);
    }
    port_claim_ = net::claim_port(endpoint);
    for (auto& w : workers_) {
        listeners_.push_back(std::make_shared<net::listener>(*w, endpoint, *router_, limits));
        listeners_.back()->set_ip_limiter(limiter);
        if (tls_) listeners_.back()->set_tls(tls_);
        // With port 0, every worker must share the port the first one got.
        endpoint = listeners_.front()->local_endpoint();
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        workers_[i]->start();
        workers_[i]->post([this, i, l = listeners_[i]] {
            plugins_->worker_started(i);
            l->start();
        });
    }
    if (admin_) admin_->start();
    running_ = true;
    SB_LOG(info, "server") << "listening on " << (tls_ ? "https://" : "") << settings_.server.host << ":"
                           << bound_port() << settings_.server.path << " with " << workers_.size() << " worker(s)";
}

unsigned short server::bound_port() const {
    return listeners_.empty() ? 0 : listeners_.front()->local_endpoint().port();
}

void server::stop() {
    if (!running_) return;
    running_ = false;
    SB_LOG(info, "server") << "shutting down";
    if (admin_) admin_->stop();
    // Sessions get the shutdown timeout to drain; the rest (the last writes, joining
    // the handler threads, unloading plugins) a moment more. A handler that never
    // returns must not keep the process alive after that.
    shutdown_watchdog watchdog(settings_.server.shutdown_timeout + std::chrono::seconds(1),
                               [pool = &plugins_->pool()] { return pool->running(); });
    // The listeners keep accepting while sessions drain: a polling client told to go
    // between two GETs fetches its close packet over a new connection (Node's client
    // opens one per request), and new handshakes are answered 503 meanwhile.
    on_every_worker(workers_, [this](worker&) { engineio_->close_local_sessions("server shutting down"); });
    // Clients were told; give their transports the shutdown timeout to drain.
    const auto deadline = std::chrono::steady_clock::now() + settings_.server.shutdown_timeout;
    for (;;) {
        std::atomic<std::size_t> remaining{0};
        on_every_worker(workers_, [&](worker&) { remaining += engineio_->local_session_count(); });
        if (remaining == 0 || std::chrono::steady_clock::now() >= deadline) {
            if (remaining) SB_LOG(warn, "server") << remaining << " session(s) still open at the shutdown deadline";
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    on_every_worker(workers_, [this](worker& w) { listeners_[w.index()]->stop(); });
    // Let the last close frames and responses leave.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    on_every_worker(workers_, [this](worker& w) { plugins_->worker_stopping(w.index()); });
    for (auto& w : workers_) w->stop();
    for (auto& w : workers_) w->join();
    // Presence first: the last sessions' offline transitions still reach the cluster.
    if (presence_) presence_->stop();
    if (cluster_) cluster_->stop();
    if (streams_) streams_->stop();
    if (sharded_) sharded_->stop();
    listeners_.clear();
    port_claim_ = {};
    plugins_->unload_all();
    SB_LOG(info, "server") << "stopped";
}

void server::run_until_signal(const std::string& pid_file) {
    asio::io_context signals_io;
    asio::signal_set signals(signals_io, SIGINT, SIGTERM, SIGHUP);
    start();
    if (!pid_file.empty()) write_pid_file(pid_file);
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                              int signal_number) {
        if (ec) return;
        if (signal_number == SIGHUP) {
            reload();
            signals.async_wait(on_signal);
            return;
        }
        SB_LOG(info, "server") << "received signal " << signal_number;
    };
    signals.async_wait(on_signal);
    signals_io.run();
    stop();
    if (!pid_file.empty()) std::filesystem::remove(pid_file);
}

void server::write_pid_file(const std::string& pid_file) {
    std::error_code ec;
    const std::filesystem::path path(pid_file);
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path);
    out << ::getpid() << "\n";
    if (!out) SB_LOG(warn, "server") << "cannot write the pid file " << pid_file;
}

}  // namespace switchboard::kernel
