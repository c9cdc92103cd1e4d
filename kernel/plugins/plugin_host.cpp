#include "kernel/plugins/plugin_host.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <thread>

#include <future>

#include "kernel/core/log.hpp"
#include "kernel/core/prometheus_text.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/net/http_message.hpp"
#include "kernel/plugins/config_schema.hpp"
#include "kernel/plugins/plugin_library.hpp"
#include "kernel/server.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

unsigned pool_size(unsigned configured) {
    // Pooled handlers may block on the database: more threads than cores.
    return configured ? configured : 4 * std::max(1u, std::thread::hardware_concurrency());
}

switchboard_str_t view(std::string_view text) { return {text.data(), text.size()}; }

json query_object(std::string_view query) {
    json out = json::object();
    for (auto& [name, value] : net::parse_query(query)) out[name] = std::move(value);
    return out;
}

std::size_t encoded_size(const socketio::encoded_arguments& args) {
    std::size_t total = args.text.size();
    for (const auto& bytes : args.attachments) total += bytes.size();
    return total;
}

// Request headers as the JSON object plugins read. One rule with the kernel (which reads
// the first of a repeated header, as http_request::header does) and with Node: for a
// header that cannot be a list (Authorization above all) the first one wins; Cookie
// values are joined with "; ", other repeated headers with ", ".
template <typename Headers>   // a request's, or a session's handshake's (net::header_list)
json headers_object(const Headers& headers) {
    static constexpr std::string_view single[] = {
        "authorization", "content-type", "content-length", "user-agent", "referer", "host", "origin",
        "proxy-authorization", "if-modified-since", "if-unmodified-since", "from", "location", "max-forwards",
        "age", "expires", "last-modified", "etag", "retry-after", "server"};
    json out = json::object();
    for (const auto& [name, value] : headers) {
        const auto found = out.find(std::string(name));
        if (found == out.end()) {
            out[std::string(name)] = std::string(value);
        } else if (std::find(std::begin(single), std::end(single), name) == std::end(single)) {
            found->get_ref<std::string&>().append(name == "cookie" ? "; " : ", ").append(value);
        }
    }
    return out;
}

// The protocol a socket's client speaks, as SDK 1.1's dialect_json says it.
std::string dialect_of(const socketio::socket& s, config::packet_parser parser) {
    const int engineio = s.session().protocol();
    return json{{"engineio", engineio},
                {"socketio", engineio == 3 ? 4 : 5},
                {"parser", parser == config::packet_parser::msgpack ? "msgpack" : "json"}}
        .dump();
}

// A socket's description, owned, so it can travel to the pool and outlive the socket.
struct socket_snapshot {
    std::uint64_t handle = 0;
    std::string id, nsp, auth_json, user_json, handshake_json, dialect_json;

    socket_snapshot(socketio::socket& s, config::packet_parser parser)
        : handle(s.handle()),
          id(s.id()),
          nsp(s.nsp()),
          auth_json(s.auth().dump(-1, ' ', false, json::error_handler_t::replace)),
          user_json(s.user().dump(-1, ' ', false, json::error_handler_t::replace)),
          dialect_json(dialect_of(s, parser)) {
        const auto& h = s.handshake();
        handshake_json = json{{"headers", headers_object(h.headers)},
                              {"query", query_object(h.query)},
                              {"address", h.remote_address},
                              {"issued", h.issued_ms},
                              // Connection state recovery took over a session: the
                              // socket missed nothing (plugins skip re-sending).
                              {"recovered", s.recovered()}}
                             .dump(-1, ' ', false, json::error_handler_t::replace);
    }

    switchboard_socket_info_t info() const {
        switchboard_socket_info_t out{};
        out.struct_size = sizeof out;
        out.socket = handle;
        out.id = view(id);
        out.nsp = view(nsp);
        out.auth_json = view(auth_json);
        out.user_json = view(user_json);
        out.handshake_json = view(handshake_json);
        out.dialect_json = view(dialect_json);
        return out;
    }
};

// A client event, owned, for a pooled handler: the arguments are the client's own text
// (placeholders intact) and attachments, as the Socket.IO layer decoded them.
struct event_copy {
    std::uint64_t socket = 0;
    std::string nsp, name, user_json;
    socketio::encoded_arguments args;
    std::vector<switchboard_str_t> attachments;   // views of args.attachments
    std::int64_t ack_id = -1;
    std::shared_ptr<const log::context> log_fields;   // the socket's, on the handlers' log lines
    std::shared_ptr<const socket_snapshot> identity;   // id, auth, handshake, dialect: once per socket

    switchboard_event_t view_of() const {
        switchboard_event_t e{};
        e.struct_size = sizeof e;
        e.socket = socket;
        e.nsp = view(nsp);
        e.event = view(name);
        e.args_json = view(args.text);
        e.attachments = attachments.data();
        e.attachment_count = attachments.size();
        e.ack_id = ack_id;
        e.user_json = view(user_json);
        e.id = view(identity->id);
        e.auth_json = view(identity->auth_json);
        e.handshake_json = view(identity->handshake_json);
        e.dialect_json = view(identity->dialect_json);
        return e;
    }
};

bool nsp_matches(const std::string& pattern, std::string_view nsp) { return pattern == "*" || pattern == nsp; }

}  // namespace

struct plugin_host::timer_state {
    switchboard_timer_t id = 0;
    plugin_instance* plugin = nullptr;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::chrono::milliseconds interval{0};
    switchboard_timer_fn fn = nullptr;
    void* user_data = nullptr;
    std::atomic<bool> cancelled{false};

    // SDK 1.1 release: once the timer is over (cancelled, or its last call made) and
    // no call runs, never while one does (a timer that cancels itself from its own
    // callback is released after the callback returned).
    switchboard_release_fn release = nullptr;
    std::mutex state_mutex;
    bool running = false;
    bool released = false;

    // Marks a call as running; false when the timer is over (then no call is made).
    bool begin_call() {
        std::lock_guard lock(state_mutex);
        if (cancelled) return false;
        running = true;
        return true;
    }
    // After a call; `last`: no call follows.
    void end_call(bool last) {
        std::unique_lock lock(state_mutex);
        running = false;
        if (last || cancelled) release_locked(lock);
    }
    // The timer is over: released now unless a call runs (end_call releases it then).
    void finish() {
        std::unique_lock lock(state_mutex);
        cancelled = true;
        if (!running) release_locked(lock);
    }

private:
    void release_locked(std::unique_lock<std::mutex>& lock) {
        if (released || !release || !user_data) return;
        released = true;
        lock.unlock();
        release(user_data);
    }
};

plugin_host::plugin_host(server& kernel, const config::settings& settings)
    : kernel_(kernel),
      settings_(settings),
      config_dir_(settings.source_file.empty() ? fs::current_path() : fs::absolute(settings.source_file).parent_path()),
      pool_(std::make_unique<handler_pool>(pool_size(settings.server.handler_threads))) {
    for (auto& strand : presence_strands_) strand = pool_->make_strand();
    for (auto& strand : ordered_topic_strands_) strand = pool_->make_strand();
}

plugin_host::~plugin_host() { unload_all(); }

void plugin_host::load_all() {
    registering_ = true;
    for (const auto& plugin : settings_.plugins) {
        try {
            load_one(plugin);
        } catch (const config::config_error&) {
            registering_ = false;
            throw;   // a wrong config section is the deployment's mistake: always fatal
        } catch (const std::exception& e) {
            if (plugin.required) {
                registering_ = false;
                throw std::runtime_error("required plugin " + plugin.name + " failed to load: " + e.what());
            }
            SB_LOG(error, "plugins").with("plugin", plugin.name) << "plugin " << plugin.name << " left out: " << e.what();
            left_out_.emplace_back(plugin.name, e.what());
        }
    }
    registering_ = false;
    if (!instances_.empty()) install_namespace_handlers();
}

void plugin_host::worker_started(std::size_t index) {
    for (auto& instance : instances_)
        if (instance->descriptor->on_worker_start)
            instance->descriptor->on_worker_start(instance->state, static_cast<std::uint32_t>(index));
}

void plugin_host::worker_stopping(std::size_t index) {
    for (auto& instance : instances_)
        if (instance->descriptor->on_worker_stop)
            instance->descriptor->on_worker_stop(instance->state, static_cast<std::uint32_t>(index));
}

void plugin_host::load_one(const config::plugin_settings& settings) {
    const auto search_path = plugin_search_path(settings_.plugin_path, config_dir_);
    fs::path file;
    if (!settings.file.empty()) {
        file = fs::path(settings.file).is_absolute() ? fs::path(settings.file) : config_dir_ / settings.file;
        if (!fs::exists(file)) throw std::runtime_error("file " + file.string() + " does not exist");
    } else if (auto found = find_plugin(settings.name, search_path)) {
        file = *found;
    } else {
        // One line: log lines never span several (a newline is escaped in the log).
        std::string searched;
        for (const auto& dir : search_path) searched += (searched.empty() ? "" : ", ") + dir.string();
        throw std::runtime_error(plugin_file_name(settings.name) + " not found; searched: " + searched);
    }
    auto library = load_library(file, settings.name);
    auto instance = std::make_unique<plugin_instance>();
    instance->host = this;
    instance->name = settings.name;
    instance->file = library.file;
    instance->library = std::move(library.library);
    instance->descriptor = library.descriptor;
    instance->config = validate_plugin_config(settings, instance->descriptor->config_schema_json,
                                              settings_.source_file.empty() ? "<config>" : settings_.source_file);

    // A failed load must leave nothing registered behind: keep the registries' sizes.
    const auto events_before = events_;
    const auto connect_before = connect_hooks_.size();
    const auto disconnect_before = disconnect_hooks_.size();
    const auto connected_before = connected_hooks_.size();
    const auto join_before = join_hooks_.size();
    const auto auth_before = auth_hooks_.size();
    const auto presence_before = presence_hooks_.size();
    const auto subscribers_before = subscribers_;
    const auto routes_before = routes_;

    switchboard_status_t status = SWITCHBOARD_ERROR;
    std::string thrown;
    try {
        status = instance->descriptor->on_load(instance.get(), table(), &instance->state);
    } catch (const std::exception& e) {
        thrown = e.what();   // nothing may unwind out of a plugin; contain it anyway
    } catch (...) {
        thrown = "an unknown exception";
    }
    if (!thrown.empty() || status != SWITCHBOARD_OK) {
        events_ = events_before;
        connect_hooks_.resize(connect_before);
        disconnect_hooks_.resize(disconnect_before);
        connected_hooks_.resize(connected_before);
        join_hooks_.resize(join_before);
        auth_hooks_.resize(auth_before);
        presence_hooks_.resize(presence_before);
        subscribers_ = subscribers_before;
        routes_ = routes_before;
        instance->release_registrations();
        throw std::runtime_error(instance->file.string() +
                                 (thrown.empty() ? ": its on_load returned status " + std::to_string(status)
                                                 : ": its on_load threw: " + thrown));
    }
    instance->loaded = true;
    SB_LOG(info, "plugins") << "loaded " << instance->name << " " << (instance->descriptor->version ? instance->descriptor->version : "")
                            << " from " << instance->file.string();
    instances_.push_back(std::move(instance));
}

void plugin_host::unload_all() {
    if (instances_.empty()) return;
    {
        std::lock_guard lock(timers_mutex_);
        for (auto& [id, timer] : timers_) {
            timer->timer->cancel();
            timer->finish();
        }
        timers_.clear();
    }
    pool_->stop();
    for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) {
        auto& instance = **it;
        // Nothing calls its registrations any more: their user_data goes first, while
        // the plugin's state still stands.
        if (instance.loaded) instance.release_registrations();
        if (instance.loaded && instance.descriptor->on_unload) instance.descriptor->on_unload(instance.state);
        instance.loaded = false;
    }
    // Handlers registered by a plugin point into its library: drop them before it unloads.
    events_.clear();
    connect_hooks_.clear();
    disconnect_hooks_.clear();
    connected_hooks_.clear();
    join_hooks_.clear();
    auth_hooks_.clear();
    presence_hooks_.clear();
    subscribers_.clear();
    routes_.clear();
    instances_.clear();
}

std::vector<plugin_listing> plugin_host::list() const {
    std::vector<plugin_listing> out;
    const auto search_path = plugin_search_path(settings_.plugin_path, config_dir_);
    auto enabled = [&](const std::string& name) {
        return std::any_of(settings_.plugins.begin(), settings_.plugins.end(),
                           [&](const auto& p) { return p.name == name; });
    };
    std::vector<std::string> seen;
    for (const auto& dir : search_path) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string file_name = entry.path().filename().string();
            if (!file_name.starts_with("switchboard-") || entry.path().extension() != ".so") continue;
            const std::string name = file_name.substr(12, file_name.size() - 12 - 3);
            if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
            seen.push_back(name);
            plugin_listing item;
            item.name = name;
            item.file = entry.path().string();
            item.enabled = enabled(name);
            try {
                const auto library = load_library(entry.path(), name);
                item.version = library.descriptor->version ? library.descriptor->version : "";
                item.description = library.descriptor->description ? library.descriptor->description : "";
            } catch (const std::exception& e) {
                item.problem = e.what();
            }
            out.push_back(std::move(item));
        }
    }
    for (const auto& p : settings_.plugins) {
        if (std::find(seen.begin(), seen.end(), p.name) != seen.end() || !p.file.empty()) continue;
        plugin_listing item;
        item.name = p.name;
        item.enabled = true;
        item.problem = plugin_file_name(p.name) + " not found on the search path";
        out.push_back(std::move(item));
    }
    return out;
}

void plugin_host::add_event_handler(std::string nsp, std::string event, event_handler handler) {
    if (!handler.metrics)
        handler.metrics = std::make_shared<handler_metrics>(handler.plugin ? handler.plugin->name : std::string(), nsp,
                                                            event, handler.is_inline);
    events_[std::move(nsp)][std::move(event)].push_back(std::move(handler));
}

bool plugin_host::add_route(std::string method, std::string path, http_route route) {
    return routes_.emplace(std::make_pair(std::move(method), std::move(path)), route).second;
}

// How far past max_pooled_events / max_pooled_bytes a socket's queue may grow before
// the socket is refused. Reading stops at the bound itself, so only what was already
// read past it (the events dispatched by the message that reached it) lands in between;
// a client that goes further is not waiting for its handlers.
constexpr std::size_t hard_bound_factor = 4;

struct plugin_host::pooled_queue {
    pooled_queue(handler_pool::strand s, const config::socketio_settings& limits, engineio::session& session)
        : strand(std::move(s)),
          resume_events(limits.max_pooled_events / 2),
          resume_bytes(limits.max_pooled_bytes / 2),
          session(session.weak_from_this()),
          owner(session.owner()) {}

    // Releases the session's reading once drained to half the bound. From any thread.
    void release_if_drained() {
        if (!holding.load()) return;
        if (events.load() > resume_events || bytes.load() > resume_bytes) return;
        if (!holding.exchange(false)) return;
        // Always posted: the session's transport belongs to its worker, and on the
        // worker we may be inside the very read that is to pause.
        owner.post([session = session] {
            if (auto alive = session.lock()) alive->release_reading();
        });
    }

    handler_pool::strand strand;
    // Events posted and not yet handled, and their argument bytes: a client that sends
    // faster than its handlers run would otherwise queue without limit.
    std::atomic<std::size_t> events{0};
    std::atomic<std::size_t> bytes{0};
    // This queue holds its session's reading (over the bound, not yet drained to half
    // of it). Set on the worker; whoever clears it (a pool thread, or the worker)
    // posts the release to the worker.
    std::atomic<bool> holding{false};
    const std::size_t resume_events, resume_bytes;
    std::weak_ptr<engineio::session> session;
    worker& owner;
    bool refused = false;   // on the socket's worker only
    // What events tell of their socket (SDK 1.1: id, auth, handshake, dialect), written
    // once on the socket's worker at its first event; the user is read per event.
    std::shared_ptr<const socket_snapshot> identity;
};

std::shared_ptr<plugin_host::pooled_queue> plugin_host::queue_of(socketio::socket& s) {
    if (!s.extension) s.extension = std::make_shared<pooled_queue>(*pool_->make_strand(), settings_.socketio, s.session());
    return std::static_pointer_cast<pooled_queue>(s.extension);
}

std::shared_ptr<handler_pool::strand> plugin_host::strand_of(socketio::socket& s) {
    auto queue = queue_of(s);
    return std::shared_ptr<handler_pool::strand>(queue, &queue->strand);
}

bool plugin_host::over_pooled_bound(socketio::socket& s, pooled_queue& queue, std::size_t bytes) {
    const auto& limits = settings_.socketio;
    const std::size_t events = queue.events.load(std::memory_order_relaxed);
    const std::size_t queued = queue.bytes.load(std::memory_order_relaxed);
    if (events < hard_bound_factor * limits.max_pooled_events &&
        queued + bytes <= hard_bound_factor * limits.max_pooled_bytes)
        return false;
    if (queue.refused) return true;
    queue.refused = true;
    count_refusal(refusal::pooled_events);
    if (refusal_log_due(refusal::pooled_events)) {
        SB_LOG(warn, "plugins") << "disconnecting socket " << s.id() << " of " << s.handshake().remote_address
                            << ": " << events << " events (" << queued + bytes
                            << " bytes) would wait for its handlers, hard bound "
                            << hard_bound_factor * limits.max_pooled_events << " events / "
                            << hard_bound_factor * limits.max_pooled_bytes << " bytes";
    }
    // Not from here: we are inside this socket's event, possibly inside its decoder.
    auto& io = kernel_.socketio();
    s.session().owner().post([&io, handle = s.handle()] {
        io.with_socket(handle, [](socketio::socket* found) {
            if (found) found->disconnect(true);
        });
    });
    return true;
}

void plugin_host::hold_reading_if_full(socketio::socket& s, pooled_queue& queue) {
    const auto& limits = settings_.socketio;
    if (queue.holding.load(std::memory_order_relaxed)) return;
    if (queue.events.load(std::memory_order_relaxed) < limits.max_pooled_events &&
        queue.bytes.load(std::memory_order_relaxed) < limits.max_pooled_bytes)
        return;
    queue.holding.store(true);
    read_pauses_.fetch_add(1, std::memory_order_relaxed);
    s.session().hold_reading();
    // The pool may have drained the queue before it saw the flag: then nobody else
    // will release it.
    queue.release_if_drained();
}

void plugin_host::install_namespace_handlers() {
    auto& io = kernel_.socketio();
    for (const auto& nsp : io.settings().namespaces) {
        socketio::namespace_handlers handlers;
        const bool has_connect_hooks = std::any_of(connect_hooks_.begin(), connect_hooks_.end(),
                                                   [&](const auto& h) { return nsp_matches(h.nsp, nsp.name); });
        if (has_connect_hooks)
            handlers.authorize = [this](socketio::socket& s, std::function<void(std::optional<json>)> decide) {
                run_connect_hooks(s, std::move(decide));
            };
        handlers.on_event_text = [this](socketio::socket& s, std::string_view event, socketio::encoded_arguments args,
                                        std::int64_t ack_id) { dispatch_event(s, event, std::move(args), ack_id); };
        handlers.on_disconnect = [this](socketio::socket& s, std::string_view reason) {
            run_disconnect_hooks(s, reason);
        };
        if (std::any_of(connected_hooks_.begin(), connected_hooks_.end(),
                        [&](const auto& h) { return nsp_matches(h.nsp, nsp.name); }))
            handlers.on_connection = [this](socketio::socket& s) { run_connected_hooks(s); };
        io.set_handlers(nsp.name, std::move(handlers));
    }
}

void plugin_host::dispatch_event(socketio::socket& s, std::string_view event, socketio::encoded_arguments args,
                                 std::int64_t ack_id) {
    std::vector<const event_handler*> handlers;
    auto collect = [&](std::string_view name) {
        for (const auto* nsp : {s.nsp().c_str(), "*"}) {
            const auto by_nsp = events_.find(std::string_view(nsp));
            if (by_nsp == events_.end()) continue;
            const auto by_event = by_nsp->second.find(name);
            if (by_event == by_nsp->second.end()) continue;
            for (const auto& h : by_event->second) handlers.push_back(&h);
        }
    };
    collect(event);
    // "*" handlers catch what no handler names.
    if (handlers.empty()) collect("*");
    if (handlers.empty()) {
        // As the reference server: an event nobody handles is ignored.
        SB_LOG(debug, "plugins").with(*s.log_context()) << "no handler for event \"" << event << "\"";
        return;
    }
    auto queue = queue_of(s);
    if (!queue->identity) queue->identity = std::make_shared<const socket_snapshot>(s, settings_.socketio.parser);
    auto copy = std::make_shared<event_copy>();
    copy->identity = queue->identity;
    copy->socket = s.handle();
    copy->nsp = s.nsp();
    copy->name = std::string(event);
    copy->user_json = s.user_text();
    copy->args = std::move(args);
    for (const auto& bytes : copy->args.attachments) copy->attachments.push_back(view(bytes));
    copy->ack_id = ack_id;
    copy->log_fields = s.log_context();
    std::shared_ptr<handler_pool::strand> strand;
    for (const auto* h : handlers) {
        if (h->is_inline) {
            const auto e = copy->view_of();
            const log::thread_context about(copy->log_fields.get(), copy->name);
            const auto started = std::chrono::steady_clock::now();
            h->fn(h->user_data, &e);
            h->metrics->calls.fetch_add(1, std::memory_order_relaxed);
            h->metrics->run.observe(std::chrono::steady_clock::now() - started);
            continue;
        }
        const std::size_t bytes = encoded_size(copy->args);
        if (!strand) {
            if (over_pooled_bound(s, *queue, bytes)) return;
            strand = std::shared_ptr<handler_pool::strand>(queue, &queue->strand);
        }
        queue->events.fetch_add(1, std::memory_order_relaxed);
        queue->bytes.fetch_add(bytes, std::memory_order_relaxed);
        pooled_waiting_.fetch_add(1, std::memory_order_relaxed);
        pool_->post([this, copy, queue, bytes, fn = h->fn, user_data = h->user_data, metrics = h->metrics,
                     queued = std::chrono::steady_clock::now()] {
            pooled_waiting_.fetch_sub(1, std::memory_order_relaxed);
            const auto e = copy->view_of();
            const log::thread_context about(copy->log_fields.get(), copy->name);
            const auto started = std::chrono::steady_clock::now();
            metrics->wait.observe(started - queued);
            fn(user_data, &e);
            metrics->calls.fetch_add(1, std::memory_order_relaxed);
            metrics->run.observe(std::chrono::steady_clock::now() - started);
            queue->bytes.fetch_sub(bytes);
            queue->events.fetch_sub(1);
            queue->release_if_drained();
        }, strand, "plugin " + h->plugin->name + ": event \"" + copy->name + "\" of socket " + s.id());
    }
    if (strand) hold_reading_if_full(s, *queue);
}

void plugin_host::run_connect_hooks(socketio::socket& s, std::function<void(std::optional<json>)> decide) {
    auto snapshot = std::make_shared<socket_snapshot>(s, settings_.socketio.parser);
    std::vector<const connect_hook*> hooks;
    bool all_inline = true;
    for (const auto& h : connect_hooks_) {
        if (!nsp_matches(h.nsp, s.nsp())) continue;
        hooks.push_back(&h);
        all_inline = all_inline && h.is_inline;
    }
    auto run = [snapshot, hooks = std::move(hooks), decide = std::move(decide)] {
        const auto info = snapshot->info();
        for (const auto* h : hooks) {
            switchboard_result result;
            h->fn(h->user_data, &info, &result);
            if (result.error) {
                const json& error = *result.error;
                return decide(json{{"message", error.value("message", "connection refused")},
                                   {"data", {{"code", error.value("code", "forbidden")}}}});
            }
        }
        decide(std::nullopt);
    };
    if (all_inline) run();
    else pool_->post(std::move(run), strand_of(s));
}

// Runs `call(hook, info)` for each of `hooks` in the socket's namespace: inline ones
// here, pooled ones on the socket's strand, in the order of its events.
template <class Hook, class Call>
void plugin_host::run_socket_hooks(socketio::socket& s, const std::vector<Hook>& hooks, const Call& call) {
    std::shared_ptr<socket_snapshot> snapshot;
    std::shared_ptr<handler_pool::strand> strand;
    for (const auto& h : hooks) {
        if (!nsp_matches(h.nsp, s.nsp())) continue;
        if (!snapshot) snapshot = std::make_shared<socket_snapshot>(s, settings_.socketio.parser);
        if (h.is_inline) {
            call(h, snapshot->info());
            continue;
        }
        if (!strand) strand = strand_of(s);
        pool_->post([snapshot, h, call] { call(h, snapshot->info()); }, strand);
    }
}

void plugin_host::run_disconnect_hooks(socketio::socket& s, std::string_view reason) {
    run_socket_hooks(s, disconnect_hooks_, [reason = std::string(reason)](const disconnect_hook& h,
                                                                         const switchboard_socket_info_t& info) {
        h.fn(h.user_data, &info, view(reason));
    });
}

// A plugin sees connected, then the socket's events, then disconnect (one strand).
void plugin_host::run_connected_hooks(socketio::socket& s) {
    run_socket_hooks(s, connected_hooks_, [](const connected_hook& h, const switchboard_socket_info_t& info) {
        h.fn(h.user_data, &info);
    });
}

void plugin_host::run_auth_hooks(socketio::socket& s, std::function<void(std::optional<auth_decision>)> decided) {
    std::vector<const auth_hook*> hooks;
    for (const auto& h : auth_hooks_)
        if (nsp_matches(h.nsp, s.nsp())) hooks.push_back(&h);
    if (hooks.empty()) return decided(std::nullopt);
    auto snapshot = std::make_shared<socket_snapshot>(s, settings_.socketio.parser);
    pool_->post([snapshot, hooks = std::move(hooks), decided = std::move(decided)] {
        switchboard_auth_request_t request{};
        request.struct_size = sizeof request;
        request.nsp = view(snapshot->nsp);
        request.auth_json = view(snapshot->auth_json);
        request.handshake_json = view(snapshot->handshake_json);
        for (const auto* h : hooks) {
            switchboard_result result;
            h->fn(h->user_data, &request, &result);
            if (result.error) {
                const json& error = *result.error;
                return decided(auth_decision{std::nullopt,
                                             json{{"message", error.value("message", "authentication refused")},
                                                  {"data", {{"code", error.value("code", "forbidden")}}}}});
            }
            if (result.value && result.value->is_object()) return decided(auth_decision{*result.value, std::nullopt});
        }
        decided(std::nullopt);
    }, strand_of(s));
}

void plugin_host::notify_presence(const std::string& user_id, bool online) {
    if (presence_hooks_.empty()) return;
    // One user's transitions run in the order they happened: a quick connect and
    // disconnect must not reach a plugin as offline, then online.
    const auto& strand = presence_strands_[std::hash<std::string>{}(user_id) % presence_strands_.size()];
    for (const auto& h : presence_hooks_)
        pool_->post([h, user_id, online] { h.fn(h.user_data, view(user_id), online ? 1 : 0); }, strand);
}

void plugin_host::publish(const std::string& topic, std::string payload_json) {
    deliver_to_subscribers(topic, std::move(payload_json), nullptr);
}

void plugin_host::publish_in_order(const std::string& topic, std::string payload_json) {
    const auto& strand = ordered_topic_strands_[std::hash<std::string>{}(topic) % ordered_topic_strands_.size()];
    deliver_to_subscribers(topic, std::move(payload_json), strand);
}

void plugin_host::deliver_to_subscribers(const std::string& topic, std::string payload_json,
                                         const std::shared_ptr<handler_pool::strand>& strand) {
    const auto found = subscribers_.find(topic);
    if (found == subscribers_.end()) return;
    auto payload = std::make_shared<const std::string>(std::move(payload_json));
    auto shared_topic = std::make_shared<const std::string>(topic);
    for (const auto& subscriber : found->second)
        pool_->post([subscriber, payload, shared_topic] {
            subscriber.fn(subscriber.user_data, view(*shared_topic), view(*payload));
        }, strand);
}

void plugin_host::reload_all() {
    for (auto& instance : instances_) {
        if (instance->descriptor->struct_size <
            offsetof(switchboard_plugin_descriptor_t, on_reload) + sizeof(instance->descriptor->on_reload))
            continue;   // built before the descriptor had on_reload
        if (!instance->descriptor->on_reload) continue;
        instance->reloads.fetch_add(1, std::memory_order_relaxed);
        instance->descriptor->on_reload(instance->state);
    }
}

std::optional<json> plugin_host::authorize_join(std::uint64_t handle, std::string_view room) {
    if (join_hooks_.empty()) return std::nullopt;
    // Take the socket's description on its worker, then run the hooks here.
    auto promise = std::make_shared<std::promise<std::shared_ptr<socket_snapshot>>>();
    auto future = promise->get_future();
    kernel_.socketio().with_socket(handle, [promise, parser = settings_.socketio.parser](socketio::socket* s) {
        promise->set_value(s ? std::make_shared<socket_snapshot>(*s, parser) : nullptr);
    });
    const auto snapshot = future.get();
    if (!snapshot) return json{{"code", "not_found"}, {"message", "the socket is gone"}};
    const auto info = snapshot->info();
    for (const auto& h : join_hooks_) {
        if (!nsp_matches(h.nsp, snapshot->nsp)) continue;
        switchboard_result result;
        h.fn(h.user_data, &info, view(room), &result);
        if (result.error) return result.error;
    }
    return std::nullopt;
}

switchboard_timer_t plugin_host::start_timer(plugin_instance& plugin, std::uint64_t delay_ms,
                                             std::uint64_t interval_ms, bool is_inline, switchboard_timer_fn fn,
                                             void* user_data) {
    auto timer = std::make_shared<timer_state>();
    timer->id = next_timer_++;
    timer->plugin = &plugin;
    timer->interval = std::chrono::milliseconds(interval_ms);
    timer->fn = fn;
    timer->user_data = user_data;
    timer->release = plugin.release;
    if (is_inline) timer->timer = std::make_unique<boost::asio::steady_timer>(kernel_.worker_at(0).io());
    else timer->timer = std::make_unique<boost::asio::steady_timer>(pool_->executor());
    timer->timer->expires_after(std::chrono::milliseconds(delay_ms));
    {
        std::lock_guard lock(timers_mutex_);
        timers_.emplace(timer->id, timer);
    }
    arm_timer(timer);
    return timer->id;
}

void plugin_host::arm_timer(const std::shared_ptr<timer_state>& timer) {
    timer->timer->async_wait([this, timer](const boost::system::error_code& ec) {
        if (ec || !timer->begin_call()) return;
        timer->fn(timer->user_data, timer->id);
        const bool again = timer->interval.count() > 0 && !timer->cancelled;
        if (!again) {
            std::lock_guard lock(timers_mutex_);
            timers_.erase(timer->id);
        }
        // Before re-arming: the next call (on another pool thread) starts after this one ended.
        timer->end_call(!again);
        if (again) {
            timer->timer->expires_after(timer->interval);
            arm_timer(timer);
        }
    });
}

bool plugin_host::cancel_timer(switchboard_timer_t id) {
    std::shared_ptr<timer_state> timer;
    {
        std::lock_guard lock(timers_mutex_);
        const auto found = timers_.find(id);
        if (found == timers_.end()) return false;
        timer = found->second;
        timers_.erase(found);
    }
    timer->finish();
    // Cancel on the timer's own executor: Asio timers are not thread-safe.
    boost::asio::post(timer->timer->get_executor(), [timer] { timer->timer->cancel(); });
    return true;
}

void plugin_host::add_to_counter(const std::string& name, std::int64_t delta) {
    std::lock_guard lock(counters_mutex_);
    counters_[name] += delta;
}

std::string plugin_host::handler_metrics_text() const {
    std::vector<const handler_metrics*> all;
    for (const auto& [nsp, by_event] : events_)
        for (const auto& [event, handlers] : by_event)
            for (const auto& h : handlers) all.push_back(h.metrics.get());
    std::string out =
        "# HELP switchboard_plugin_events_total Client events a plugin handler ran for, by registered event name.\n"
        "# TYPE switchboard_plugin_events_total counter\n";
    for (const auto* m : all)
        out += "switchboard_plugin_events_total{" + m->labels() + "} " +
               std::to_string(m->calls.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP switchboard_plugin_handler_seconds How long plugin event handlers ran.\n"
           "# TYPE switchboard_plugin_handler_seconds histogram\n";
    for (const auto* m : all) m->run.write(out, "switchboard_plugin_handler_seconds", m->labels());
    out += "# HELP switchboard_plugin_handler_wait_seconds How long pooled events waited for a handler thread.\n"
           "# TYPE switchboard_plugin_handler_wait_seconds histogram\n";
    for (const auto* m : all)
        if (m->mode == "pooled") m->wait.write(out, "switchboard_plugin_handler_wait_seconds", m->labels());
    out += "# HELP switchboard_plugin_pool_queued_events Pooled events waiting for a handler thread now.\n"
           "# TYPE switchboard_plugin_pool_queued_events gauge\n"
           "switchboard_plugin_pool_queued_events " +
           std::to_string(pooled_waiting_.load(std::memory_order_relaxed)) + "\n";
    return out;
}

std::vector<plugin_health> plugin_host::health() const {
    std::vector<plugin_health> out;
    for (const auto& instance : instances_)
        out.push_back({instance->name, instance->descriptor->version ? instance->descriptor->version : "", true, {},
                       instance->failures.load(std::memory_order_relaxed),
                       instance->reloads.load(std::memory_order_relaxed)});
    for (const auto& [name, problem] : left_out_) out.push_back({name, {}, false, problem, 0, 0});
    return out;
}

// Per loaded plugin: reloads, failed host calls, database statement times.
std::string plugin_host::instance_metrics_text() const {
    std::string out;
    using prometheus::append_family;
    using prometheus::append_sample;
    auto label_of = [](const plugin_instance& p) { return "plugin=\"" + escape_label_value(p.name) + "\""; };
    append_family(out, "switchboard_plugin_reloads_total", "counter", "Reloads (SIGHUP, switchboard reload) asked of a plugin.");
    for (const auto& p : instances_) append_sample(out, "switchboard_plugin_reloads_total", label_of(*p), p->reloads.load());
    append_family(out, "switchboard_plugin_failures_total", "counter",
                  "Calls of a plugin into the server that failed with an error (each is logged).");
    for (const auto& p : instances_) append_sample(out, "switchboard_plugin_failures_total", label_of(*p), p->failures.load());
    append_family(out, "switchboard_db_statement_seconds", "histogram",
                  "How long a plugin's database statements took, the wait for a connection included.");
    for (const auto& p : instances_) p->db_statements.write(out, "switchboard_db_statement_seconds", label_of(*p));
    return out;
}

std::string plugin_host::metrics_text() const {
    std::string out = handler_metrics_text();
    out += instance_metrics_text();
    prometheus::append_single(out, "switchboard_read_pauses_total", "counter",
                              "Times a client's reading paused for its pooled handlers to catch up.",
                              read_pauses_.load(std::memory_order_relaxed));
    std::lock_guard lock(counters_mutex_);
    for (const auto& [name, value] : counters_)
        prometheus::append_single(out, name, "counter", "A counter a plugin publishes.", value);
    return out;
}

}  // namespace switchboard::kernel::plugins

namespace switchboard::kernel::plugins {

void plugin_host::install_routes(const route_sink& add) {
    for (const auto& [key, route] : routes_) {
        const auto& [method, path] = key;
        const bool added = add(method, path, [this, route](net::http_request&& request, http_responder respond) {
            // Route handlers may block: they run on the pool.
            pool_->post([route, request = std::move(request), respond = std::move(respond)] {
                const std::string headers_json =
                    headers_object(request.headers).dump(-1, ' ', false, json::error_handler_t::replace);
                const auto method_name = net::to_string(request.method);
                switchboard_http_request_t raw{};
                raw.struct_size = sizeof raw;
                raw.method = view(method_name);
                raw.path = view(request.path);
                raw.query = view(request.query);
                raw.headers_json = view(headers_json);
                raw.body = view(request.body);
                switchboard_result result;
                log::context about_request;
                about_request.add("request_id", request.log_id);
                const log::thread_context about(&about_request, {});
                route.fn(route.user_data, &raw, &result);
                if (result.http_status == 0) {
                    SB_LOG(error, route.plugin->name) << "route " << request.path << " gave no answer";
                    respond(net::make_http_response(500, "application/json",
                                                    R"({"code":"internal_error","message":"no answer"})"));
                    return;
                }
                respond(net::make_http_response(result.http_status, result.content_type, result.body));
            });
        });
        if (!added) SB_LOG(error, route.plugin->name) << "route " << method << " " << path << " is taken (by another plugin or the server API); ignored";
    }
}

}  // namespace switchboard::kernel::plugins
