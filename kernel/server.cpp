#include "kernel/server.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "kernel/api/http_api.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/engineio/server.hpp"
#include "kernel/net/listener.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel {

namespace asio = boost::asio;

namespace {

std::size_t worker_count_for(unsigned configured) {
    std::size_t count = configured ? configured : std::max(1u, std::thread::hardware_concurrency());
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

}  // namespace

server::server(const config::settings& settings) : settings_(settings) {
    const std::size_t count = worker_count_for(settings_.server.workers);
    std::vector<worker*> raw;
    for (std::size_t i = 0; i < count; ++i) {
        workers_.push_back(std::make_unique<worker>(i));
        raw.push_back(workers_.back().get());
    }
    socketio_ = std::make_unique<socketio::server>(settings_, raw);
    engineio_ = std::make_unique<engineio::server>(settings_, raw, *socketio_);
    api_ = std::make_unique<api::http_api>();
    plugins_ = std::make_unique<plugins::plugin_host>(*this, settings_);
    engineio_->set_fallback([api = api_.get()](net::http_request&& request,
                                               const std::shared_ptr<net::http_connection>& connection,
                                               std::uint64_t request_id) {
        api->handle(std::move(request), connection, request_id);
    });
    install_builtin_routes();
}

void server::install_builtin_routes() {
    api_->add("GET", "/healthz", [](net::http_request&&, api::http_api::responder respond) {
        respond(net::make_http_response(200, "application/json", R"({"status":"ok"})"));
    });
    api_->add("GET", "/metrics", [this](net::http_request&&, api::http_api::responder respond) {
        std::string body;
        body += "# TYPE switchboard_sessions gauge\nswitchboard_sessions " + std::to_string(engineio_->session_count()) + "\n";
        body += "# TYPE switchboard_sockets gauge\nswitchboard_sockets " +
                std::to_string(socketio_->connected_sockets.load(std::memory_order_relaxed)) + "\n";
        body += plugins_->metrics_text();
        respond(net::make_http_response(200, "text/plain; version=0.0.4", body));
    });
}

server::~server() {
    if (running_) stop();
}

void server::start() {
    plugins_->load_all();
    plugins_->install_routes(*api_);
    const auto address = asio::ip::make_address(settings_.server.host);
    asio::ip::tcp::endpoint endpoint(address, settings_.server.port);
    net::http_limits limits;
    limits.max_body_bytes = settings_.engineio.max_payload;
    for (auto& w : workers_) {
        listeners_.push_back(std::make_shared<net::listener>(*w, endpoint, *engineio_, limits));
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
    running_ = true;
    SB_LOG(info, "server") << "listening on " << settings_.server.host << ":" << bound_port() << settings_.server.path
                           << " with " << workers_.size() << " worker(s)";
}

unsigned short server::bound_port() const {
    return listeners_.empty() ? 0 : listeners_.front()->local_endpoint().port();
}

void server::stop() {
    if (!running_) return;
    running_ = false;
    SB_LOG(info, "server") << "shutting down";
    on_every_worker(workers_, [this](worker& w) {
        listeners_[w.index()]->stop();
        engineio_->close_local_sessions("server shutting down");
    });
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
    // Let the last close frames and responses leave.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    on_every_worker(workers_, [this](worker& w) { plugins_->worker_stopping(w.index()); });
    for (auto& w : workers_) w->stop();
    for (auto& w : workers_) w->join();
    listeners_.clear();
    plugins_->unload_all();
    SB_LOG(info, "server") << "stopped";
}

void server::run_until_signal() {
    asio::io_context signals_io;
    asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    start();
    signals.async_wait([](const boost::system::error_code&, int signal_number) {
        SB_LOG(info, "server") << "received signal " << signal_number;
    });
    signals_io.run();
    stop();
}

}  // namespace switchboard::kernel
