// The plugin host: loads the deployment's plugins, gives them the SDK's host table,
// and connects what they register to the Socket.IO server. Its pieces, one job each:
//   plugin_loader.cpp   loading (registrations staged, committed on success), unload, listing
//   plugin_registry     what the plugins registered; read-only while serving
//   event_dispatcher    Socket.IO events -> handler pool, ordered per socket, bounded
//   socket_hooks.cpp    connect/auth/connected/disconnect/join hooks; the namespaces' wiring
//   plugin_timers       timers; host_bus.cpp: bus and presence; host_metrics.cpp;
//   plugin_routes.cpp   HTTP routes; host_api*.cpp: the C table plugins call
// What it needs of the kernel comes in as a host_environment (no `server&`).
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
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel/config/config.hpp"
#include "kernel/net/http_message.hpp"
#include "kernel/plugins/event_dispatcher.hpp"
#include "kernel/plugins/handler_pool.hpp"
#include "kernel/plugins/host_environment.hpp"
#include "kernel/plugins/plugin_instance.hpp"
#include "kernel/plugins/plugin_registry.hpp"
#include "kernel/plugins/plugin_timers.hpp"
#include "switchboard/sdk.h"

namespace switchboard::kernel::socketio {
class socket;
struct encoded_arguments;
}  // namespace switchboard::kernel::socketio

namespace switchboard::kernel::plugins {

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
    plugin_host(host_environment environment, const config::settings& settings);
    ~plugin_host();

    // --- loading (plugin_loader.cpp) ---
    // Loads every enabled plugin, in the deployment's order. A plugin that fails is
    // logged with its name, file and reason and left out; a `required` one makes this
    // throw (std::runtime_error, or config::config_error for a bad config section).
    void load_all();
    // Runs `instance`'s on_load (its descriptor and config set) with its registrations
    // staged, and commits them when it returns OK; otherwise its staged registrations
    // are dropped, their user_data and its timers released, and this throws. The
    // second half of loading a plugin file; tests hand it in-process descriptors.
    void start(std::unique_ptr<plugin_instance> instance);
    // Connects the namespaces to the dispatcher and the hooks (after loading).
    void install_namespace_handlers();
    // Calls every plugin's on_unload, after the handler pool drained.
    void unload_all();
    // Runs the plugins' on_worker_start / on_worker_stop on the calling worker thread.
    void worker_started(std::size_t index);
    void worker_stopping(std::size_t index);
    // Calls every plugin's on_reload.
    void reload_all();
    // The plugins found on the search path and those the deployment enables.
    std::vector<plugin_listing> list() const;
    std::size_t loaded_count() const noexcept { return instances_.size(); }
    // Every enabled plugin: loaded or left out, and how it fares.
    std::vector<plugin_health> health() const;
    const std::filesystem::path& deployment_dir() const noexcept { return config_dir_; }

    // --- HTTP routes (plugin_routes.cpp) ---
    // Hands each plugin route to `add` (the server wires it to the HTTP API, a layer
    // above this one); a route `add` refuses (taken, malformed) is logged and ignored.
    using http_responder = std::function<void(std::string raw_response)>;
    using http_handler = std::function<void(net::http_request&& request, http_responder respond)>;
    using route_sink = std::function<bool(const std::string& method, const std::string& path, http_handler handler)>;
    void install_routes(const route_sink& add);

    // --- socket hooks (socket_hooks.cpp) ---
    // Runs the auth hooks of the socket's namespace (on the pool: they may block) and
    // calls `decided` with their decision, or nothing when no hook decided. Inline,
    // at once, when there are no hooks.
    void run_auth_hooks(socketio::socket& s, std::function<void(std::optional<auth_decision>)> decided);
    // Runs the join hooks for socket `handle` joining `room` in the calling thread;
    // returns the refusal ({code, message}) if one refused.
    std::optional<nlohmann::json> authorize_join(std::uint64_t handle, std::string_view room);

    // --- bus and presence (host_bus.cpp) ---
    // Tells the presence hooks (on the pool).
    void notify_presence(const std::string& user_id, bool online);
    // Delivers to the topic's subscribers on the pool.
    void publish(const std::string& topic, std::string payload_json);
    // The same, one message after the other per topic: for messages from the cluster,
    // which arrive in the order their node sent them and must stay in it.
    void publish_in_order(const std::string& topic, std::string payload_json);

    // --- counters and metrics (host_metrics.cpp) ---
    void add_to_counter(const std::string& name, std::int64_t delta);
    std::string metrics_text() const;
    // Events waiting for a pool thread now, and times a client's reading paused.
    std::size_t pooled_waiting() const noexcept { return dispatcher_->pooled_waiting(); }
    std::uint64_t read_pauses() const noexcept { return dispatcher_->read_pauses(); }

    // --- what the host table (host_api*.cpp) reaches ---
    const switchboard_host_t* table() const noexcept;
    const plugin_registry& registry() const noexcept { return registry_; }
    const host_environment& environment() const noexcept { return environment_; }
    handler_pool& pool() noexcept { return *pool_; }
    plugin_timers& timers() noexcept { return *timers_; }
    std::size_t failed_count() const noexcept { return failed_.size(); }

private:
    void load_one(const config::plugin_settings& settings);

    // socket_hooks.cpp
    void run_connect_hooks(socketio::socket& s, std::function<void(std::optional<nlohmann::json>)> decide);
    void run_disconnect_hooks(socketio::socket& s, std::string_view reason);
    void run_connected_hooks(socketio::socket& s);
    template <class Hook, class Call>
    void run_socket_hooks(socketio::socket& s, const std::vector<Hook>& hooks, const Call& call);

    void deliver_to_subscribers(const std::string& topic, std::string payload_json,
                                const std::shared_ptr<handler_pool::strand>& strand);
    std::string handler_metrics_text() const;
    std::string instance_metrics_text() const;

    host_environment environment_;
    config::settings settings_;
    std::filesystem::path config_dir_;
    // Plugins whose on_load failed (destroyed after the pool and the timers).
    std::vector<std::unique_ptr<plugin_instance>> failed_;
    std::unique_ptr<handler_pool> pool_;
    std::unique_ptr<plugin_timers> timers_;
    std::vector<std::unique_ptr<plugin_instance>> instances_;
    plugin_registry registry_;
    std::unique_ptr<event_dispatcher> dispatcher_;
    std::vector<std::pair<std::string, std::string>> left_out_;   // enabled plugins that failed to load, and why

    // Presence callbacks are serialized per user (a user hashes to one strand), and
    // posted under the presence registry's lock, so in the order they happened.
    std::array<std::shared_ptr<handler_pool::strand>, 64> presence_strands_;
    // publish_in_order's: a topic hashes to one.
    std::array<std::shared_ptr<handler_pool::strand>, 16> ordered_topic_strands_;

    mutable std::mutex counters_mutex_;
    std::map<std::string, std::int64_t> counters_;
};

}  // namespace switchboard::kernel::plugins
