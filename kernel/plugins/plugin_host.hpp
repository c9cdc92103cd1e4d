// The plugin host: loads the deployment's plugins, gives them the SDK's host table,
// and connects what they register (event handlers, hooks, routes, timers) to the
// Socket.IO server.
//
// Registration happens only while plugins load, before the server listens, so the
// registries are read-only while serving and need no lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>

#include "kernel/config/config.hpp"
#include "kernel/net/http_message.hpp"
#include "kernel/plugins/handler_metrics.hpp"
#include "kernel/plugins/handler_pool.hpp"
#include "switchboard/sdk.h"

namespace switchboard::kernel {
class server;
namespace socketio {
class socket;
struct encoded_arguments;
}
}  // namespace switchboard::kernel

namespace switchboard::kernel::plugins {
class plugin_host;
}

// The kernel's record of one loaded plugin: what the SDK's `switchboard_plugin_t*`
// points to (the type is opaque to plugins).
struct switchboard_plugin {
    switchboard::kernel::plugins::plugin_host* host = nullptr;
    std::string name;
    std::filesystem::path file;
    boost::dll::shared_library library;
    const switchboard_plugin_descriptor_t* descriptor = nullptr;
    nlohmann::json config = nlohmann::json::object();
    void* state = nullptr;
    bool loaded = false;
    // For /metrics and /status: host calls that failed (logged), reloads asked of it,
    // and its database statements' run time.
    std::atomic<std::uint64_t> failures{0};
    std::atomic<std::uint64_t> reloads{0};
    switchboard::kernel::latency_histogram db_statements;
    // SDK 1.1 host_set_release: the plugin's release function, and the user_data of
    // its registrations made while it was set (released at unload or a failed load).
    switchboard_release_fn release = nullptr;
    std::vector<void*> registered_data;

    // Records a registration's user_data for release (during on_load only).
    void remember_registration(void* user_data) {
        if (release && user_data) registered_data.push_back(user_data);
    }
    // Calls release for every recorded registration, once.
    void release_registrations() noexcept {
        auto data = std::move(registered_data);
        registered_data.clear();
        if (release)
            for (void* user_data : data) release(user_data);
    }
};

// Where a hook writes its answer: the SDK's opaque `switchboard_result_t`.
struct switchboard_result {
    std::optional<nlohmann::json> error;   // {code, message}
    std::optional<nlohmann::json> value;   // host_result_json
    int http_status = 0;
    std::string content_type;
    std::string body;
};

namespace switchboard::kernel::plugins {

using plugin_instance = ::switchboard_plugin;

// What the auth hooks decided: a user, a refusal (CONNECT_ERROR data), or neither.
struct auth_decision {
    std::optional<nlohmann::json> user;
    std::optional<nlohmann::json> refusal;
};

// What `switchboard plugins` prints.
struct plugin_listing {
    std::string name;
    std::string version;
    std::string description;
    std::string file;
    bool enabled = false;
    std::string problem;   // why it cannot load, if it cannot
};

// What `switchboard status` shows of an enabled plugin.
struct plugin_health {
    std::string name;
    std::string version;
    bool loaded = false;
    std::string problem;   // why it was left out
    std::uint64_t failures = 0;
    std::uint64_t reloads = 0;
};

class plugin_host {
public:
    plugin_host(server& kernel, const config::settings& settings);
    ~plugin_host();

    // Loads every enabled plugin, in the deployment's order. A plugin that fails is
    // logged with its name, file and reason and left out; a `required` one makes this
    // throw (std::runtime_error, or config::config_error for a bad config section).
    void load_all();
    // Calls every plugin's on_unload, after the handler pool drained.
    void unload_all();
    // Hands each plugin route to `add` (the server wires it to the HTTP API, a layer
    // above this one); a route `add` refuses (taken, malformed) is logged and ignored.
    using http_responder = std::function<void(std::string raw_response)>;
    using http_handler = std::function<void(net::http_request&& request, http_responder respond)>;
    using route_sink = std::function<bool(const std::string& method, const std::string& path, http_handler handler)>;
    void install_routes(const route_sink& add);
    // Runs the plugins' on_worker_start / on_worker_stop on the calling worker thread.
    void worker_started(std::size_t index);
    void worker_stopping(std::size_t index);

    // The plugins found on the search path and those the deployment enables.
    std::vector<plugin_listing> list() const;

    std::size_t loaded_count() const noexcept { return instances_.size(); }
    // Every enabled plugin: loaded or left out, and how it fares.
    std::vector<plugin_health> health() const;
    // Events waiting for a pool thread now, and times a client's reading paused.
    std::size_t pooled_waiting() const noexcept { return pooled_waiting_.load(std::memory_order_relaxed); }
    std::uint64_t read_pauses() const noexcept { return read_pauses_.load(std::memory_order_relaxed); }
    const std::filesystem::path& deployment_dir() const noexcept { return config_dir_; }

    // --- the host table's implementation (host_api.cpp) ---
    struct event_handler {
        plugin_instance* plugin;
        switchboard_event_fn fn;
        void* user_data;
        bool is_inline;
        std::shared_ptr<handler_metrics> metrics;   // set when registered
    };
    struct connect_hook {
        plugin_instance* plugin;
        std::string nsp;
        switchboard_connect_fn fn;
        void* user_data;
        bool is_inline;
    };
    struct disconnect_hook {
        plugin_instance* plugin;
        std::string nsp;
        switchboard_disconnect_fn fn;
        void* user_data;
        bool is_inline;
    };
    struct connected_hook {
        plugin_instance* plugin;
        std::string nsp;
        switchboard_connected_fn fn;
        void* user_data;
        bool is_inline;
    };
    struct join_hook {
        plugin_instance* plugin;
        std::string nsp;
        switchboard_join_fn fn;
        void* user_data;
    };
    struct http_route {
        plugin_instance* plugin;
        switchboard_http_fn fn;
        void* user_data;
    };

    bool registering() const noexcept { return registering_; }
    server& kernel() noexcept { return kernel_; }
    handler_pool& pool() noexcept { return *pool_; }
    const switchboard_host_t* table() const noexcept;

    void add_event_handler(std::string nsp, std::string event, event_handler handler);
    void add_connect_hook(connect_hook hook) { connect_hooks_.push_back(std::move(hook)); }
    void add_disconnect_hook(disconnect_hook hook) { disconnect_hooks_.push_back(std::move(hook)); }
    void add_join_hook(join_hook hook) { join_hooks_.push_back(std::move(hook)); }
    void add_connected_hook(connected_hook hook) { connected_hooks_.push_back(std::move(hook)); }
    bool add_route(std::string method, std::string path, http_route route);

    // Runs the auth hooks of the socket's namespace (on the pool: they may block) and
    // calls `decided` with their decision, or nothing when no hook decided. Inline,
    // at once, when there are no hooks.
    void run_auth_hooks(socketio::socket& s, std::function<void(std::optional<auth_decision>)> decided);
    // Tells the presence hooks (on the pool).
    void notify_presence(const std::string& user_id, bool online);
    // Calls every plugin's on_reload.
    void reload_all();

    struct auth_hook {
        plugin_instance* plugin;
        std::string nsp;
        switchboard_auth_fn fn;
        void* user_data;
    };
    struct presence_hook {
        plugin_instance* plugin;
        switchboard_presence_fn fn;
        void* user_data;
    };
    struct bus_subscriber {
        plugin_instance* plugin;
        switchboard_bus_fn fn;
        void* user_data;
    };
    void add_auth_hook(auth_hook hook) { auth_hooks_.push_back(std::move(hook)); }
    void add_presence_hook(presence_hook hook) { presence_hooks_.push_back(hook); }
    void add_subscriber(std::string topic, bus_subscriber subscriber) {
        subscribers_[std::move(topic)].push_back(subscriber);
    }
    // Delivers to the topic's subscribers on the pool.
    void publish(const std::string& topic, std::string payload_json);
    // The same, one message after the other per topic: for messages from the cluster,
    // which arrive in the order their node sent them and must stay in it.
    void publish_in_order(const std::string& topic, std::string payload_json);

    // Runs the join hooks for socket `handle` joining `room` in the calling thread;
    // returns the refusal ({code, message}) if one refused.
    std::optional<nlohmann::json> authorize_join(std::uint64_t handle, std::string_view room);

    // Timers.
    switchboard_timer_t start_timer(plugin_instance& plugin, std::uint64_t delay_ms, std::uint64_t interval_ms,
                                    bool is_inline, switchboard_timer_fn fn, void* user_data);
    bool cancel_timer(switchboard_timer_t timer);

    // Counters for /metrics.
    void add_to_counter(const std::string& name, std::int64_t delta);
    std::string metrics_text() const;
    // Calls, run and wait times of every registered event handler, and the pool's queue.
    std::string handler_metrics_text() const;
    std::string instance_metrics_text() const;

    // What `s` has on the pool: the strand that serializes its work, and how many of
    // its events wait there (created on first use, kept with the socket).
    struct pooled_queue;
    std::shared_ptr<pooled_queue> queue_of(socketio::socket& s);
    std::shared_ptr<handler_pool::strand> strand_of(socketio::socket& s);
    // True when one more event of `bytes` would pass the socket's hard bound (a
    // multiple of max_pooled_events / max_pooled_bytes); then the socket is disconnected
    // (after the current call: we are inside its event).
    bool over_pooled_bound(socketio::socket& s, pooled_queue& queue, std::size_t bytes);
    // Backpressure: a queue at max_pooled_events / max_pooled_bytes holds its session's
    // reading until the pool drains it to half of both (see pooled_queue).
    void hold_reading_if_full(socketio::socket& s, pooled_queue& queue);

private:
    void deliver_to_subscribers(const std::string& topic, std::string payload_json,
                                const std::shared_ptr<handler_pool::strand>& strand);
    struct timer_state;

    void load_one(const config::plugin_settings& settings);
    void install_namespace_handlers();
    void dispatch_event(socketio::socket& s, std::string_view event, socketio::encoded_arguments args,
                        std::int64_t ack_id);
    void run_connect_hooks(socketio::socket& s, std::function<void(std::optional<nlohmann::json>)> decide);
    void run_disconnect_hooks(socketio::socket& s, std::string_view reason);
    void run_connected_hooks(socketio::socket& s);
    template <class Hook, class Call>
    void run_socket_hooks(socketio::socket& s, const std::vector<Hook>& hooks, const Call& call);
    void arm_timer(const std::shared_ptr<timer_state>& timer);

    server& kernel_;
    config::settings settings_;
    std::filesystem::path config_dir_;
    std::unique_ptr<handler_pool> pool_;
    std::vector<std::unique_ptr<plugin_instance>> instances_;
    bool registering_ = false;

    // nsp -> event -> handlers ("*" holds the handlers for every namespace).
    std::map<std::string, std::map<std::string, std::vector<event_handler>, std::less<>>, std::less<>> events_;
    std::vector<connect_hook> connect_hooks_;
    std::vector<disconnect_hook> disconnect_hooks_;
    std::vector<connected_hook> connected_hooks_;
    std::vector<join_hook> join_hooks_;
    std::vector<auth_hook> auth_hooks_;
    std::vector<presence_hook> presence_hooks_;
    // Presence callbacks are serialized per user (a user hashes to one strand), and
    // posted under the presence registry's lock, so in the order they happened.
    std::array<std::shared_ptr<handler_pool::strand>, 64> presence_strands_;
    // publish_in_order's: a topic hashes to one.
    std::array<std::shared_ptr<handler_pool::strand>, 16> ordered_topic_strands_;
    std::map<std::string, std::vector<bus_subscriber>, std::less<>> subscribers_;
    std::map<std::pair<std::string, std::string>, http_route> routes_;

    std::vector<std::pair<std::string, std::string>> left_out_;   // enabled plugins that failed to load, and why
    std::atomic<std::uint64_t> read_pauses_{0};   // holds taken, for /metrics

    std::mutex timers_mutex_;
    std::unordered_map<switchboard_timer_t, std::shared_ptr<timer_state>> timers_;
    std::atomic<switchboard_timer_t> next_timer_{1};
    std::atomic<std::size_t> pooled_waiting_{0};   // pooled events not yet on a thread

    mutable std::mutex counters_mutex_;
    std::map<std::string, std::int64_t> counters_;
};

}  // namespace switchboard::kernel::plugins
