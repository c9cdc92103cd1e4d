// The server API: how an application's backend reaches the realtime side over HTTP
// (docs/server-api.md). Emits to rooms, users and namespaces, makes sockets join, leave
// or disconnect, reads who is online and how many sockets a room has, and publishes on
// the plugins' bus, all behind API keys.
//
// Every call goes through socketio::server, whose broadcasts and selections will span
// the cluster once an adapter is configured; on one node they are the node's own.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/api/http_api.hpp"
#include "kernel/config/config.hpp"
#include "kernel/net/http_message.hpp"

namespace switchboard::kernel::socketio {
class server;
}

namespace switchboard::kernel::api {

// The keys that open the API: the literals of `api.keys`, then the values of the
// environment variables named in `api.keys_env` (unset or empty ones skipped).
std::vector<std::string> resolve_api_keys(const config::api_settings& settings);

class server_api {
public:
    // Hands a topic and its JSON payload to the plugins' bus subscribers.
    using publisher = std::function<void(std::string topic, std::string payload_json)>;

    // Resolves the keys (literals, then the environment variables named in keys_env).
    server_api(const config::api_settings& settings, socketio::server& realtime, publisher publish);

    // Whether any key resolved: without one, every call answers api_disabled.
    bool enabled() const noexcept { return !keys_.empty(); }

    // Whether `path` belongs to the server API (plugin routes may not take it).
    static bool owns(std::string_view path) noexcept;

    // Answers a request for one of the API's paths, now or (for calls that visit every
    // worker) later, from any thread.
    void handle(net::http_request&& request, http_api::responder respond) const;

private:
    bool authorized(const net::http_request& request) const;

    std::vector<std::string> keys_;
    socketio::server& realtime_;
    publisher publish_;
};

}  // namespace switchboard::kernel::api
