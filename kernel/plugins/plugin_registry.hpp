// What the plugins registered: event handlers, socket hooks, bus subscribers and HTTP
// routes. A plugin's registrations are staged in a registry of their own while its
// on_load runs and committed to the host's only when the load succeeded, so a failed
// load leaves nothing behind. Registration ends before the server listens: the host's
// registry is read-only while serving and needs no lock.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/plugins/handler_metrics.hpp"
#include "kernel/plugins/plugin_instance.hpp"
#include "switchboard/sdk.h"

namespace switchboard::kernel::plugins {

struct event_handler {
    plugin_instance* plugin;
    switchboard_event_fn fn;
    void* user_data;
    bool is_inline;
    std::shared_ptr<handler_metrics> metrics;   // set when registered
};
// A hook on a namespace's sockets ("*": every namespace).
template <class Fn>
struct socket_hook {
    plugin_instance* plugin;
    std::string nsp;
    Fn fn;
    void* user_data;
    bool is_inline = false;
};
using connect_hook = socket_hook<switchboard_connect_fn>;
using disconnect_hook = socket_hook<switchboard_disconnect_fn>;
using connected_hook = socket_hook<switchboard_connected_fn>;
using join_hook = socket_hook<switchboard_join_fn>;     // always runs in the caller's thread
using auth_hook = socket_hook<switchboard_auth_fn>;     // always pooled
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
struct http_route {
    plugin_instance* plugin;
    switchboard_http_fn fn;
    void* user_data;
};

inline bool nsp_matches(const std::string& pattern, std::string_view nsp) { return pattern == "*" || pattern == nsp; }

class plugin_registry {
public:
    void add_event_handler(std::string nsp, std::string event, event_handler handler);
    void add_connect_hook(connect_hook hook) { connect_hooks_.push_back(std::move(hook)); }
    void add_disconnect_hook(disconnect_hook hook) { disconnect_hooks_.push_back(std::move(hook)); }
    void add_connected_hook(connected_hook hook) { connected_hooks_.push_back(std::move(hook)); }
    void add_join_hook(join_hook hook) { join_hooks_.push_back(std::move(hook)); }
    void add_auth_hook(auth_hook hook) { auth_hooks_.push_back(std::move(hook)); }
    void add_presence_hook(presence_hook hook) { presence_hooks_.push_back(hook); }
    void add_subscriber(std::string topic, bus_subscriber subscriber) {
        subscribers_[std::move(topic)].push_back(subscriber);
    }
    // False when the method and path are taken here.
    bool add_route(std::string method, std::string path, http_route route);
    bool has_route(const std::string& method, const std::string& path) const {
        return routes_.contains({method, path});
    }

    // Appends everything `staged` holds after what is here (a plugin's registrations,
    // once its on_load succeeded). The routes were checked free when staged.
    void commit(plugin_registry&& staged);
    void clear();
    // Registrations in all (what a test asks of a failed load).
    std::size_t size() const noexcept;

    // The handlers of `event` in namespace `nsp` (its own, then "*"'s), or of "*"
    // (handlers for every event) when none names it.
    std::vector<const event_handler*> handlers_for(std::string_view nsp, std::string_view event) const;
    // Every event handler, for /metrics.
    std::vector<const event_handler*> all_handlers() const;
    bool has_connect_hook_for(std::string_view nsp) const;
    bool has_connected_hook_for(std::string_view nsp) const;

    const std::vector<connect_hook>& connect_hooks() const noexcept { return connect_hooks_; }
    const std::vector<disconnect_hook>& disconnect_hooks() const noexcept { return disconnect_hooks_; }
    const std::vector<connected_hook>& connected_hooks() const noexcept { return connected_hooks_; }
    const std::vector<join_hook>& join_hooks() const noexcept { return join_hooks_; }
    const std::vector<auth_hook>& auth_hooks() const noexcept { return auth_hooks_; }
    const std::vector<presence_hook>& presence_hooks() const noexcept { return presence_hooks_; }
    const std::vector<bus_subscriber>* subscribers_of(std::string_view topic) const;
    const std::map<std::pair<std::string, std::string>, http_route>& routes() const noexcept { return routes_; }

private:
    // nsp -> event -> handlers ("*" holds the handlers for every namespace).
    std::map<std::string, std::map<std::string, std::vector<event_handler>, std::less<>>, std::less<>> events_;
    std::vector<connect_hook> connect_hooks_;
    std::vector<disconnect_hook> disconnect_hooks_;
    std::vector<connected_hook> connected_hooks_;
    std::vector<join_hook> join_hooks_;
    std::vector<auth_hook> auth_hooks_;
    std::vector<presence_hook> presence_hooks_;
    std::map<std::string, std::vector<bus_subscriber>, std::less<>> subscribers_;
    std::map<std::pair<std::string, std::string>, http_route> routes_;
};

}  // namespace switchboard::kernel::plugins
