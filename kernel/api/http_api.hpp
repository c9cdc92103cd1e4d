// The HTTP API beside the Engine.IO path: /healthz, /metrics, the server API and plugin
// routes. The router sends it every path but the Engine.IO one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <vector>
#include <memory>
#include <string>
#include <utility>

#include "kernel/net/http_connection.hpp"
#include "kernel/net/http_message.hpp"

namespace switchboard::kernel::api {

class server_api;

class http_api final : public net::http_router {
public:
    // Sends a complete HTTP response; safe from any thread, once.
    using responder = std::function<void(std::string raw_response)>;
    // Answers a request, now or later, from any thread.
    using route_handler = std::function<void(net::http_request&& request, responder respond)>;

    // Adds a route: an exact method and a path whose segments are literal or `{name}`,
    // which matches any one non-empty segment (/api/events/{eventId}/participation).
    // A literal route wins over a pattern that also matches. Returns false if the route
    // is taken (by another route, or by the server API) or the pattern is malformed.
    bool add(std::string method, std::string path, route_handler handler);

    // Serves the server API's paths (/api/emit, /api/sockets/..., see server_api.hpp).
    void set_server_api(const server_api* api) noexcept { server_api_ = api; }

    // net::http_router
    void on_http_request(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                         std::uint64_t request_id) override;
    // No route takes a WebSocket: 404, as for any path nobody serves.
    void on_websocket_upgrade(net::http_request&& request, net::tcp_socket socket, net::tls_handle tls,
                              std::string already_read, worker& owner) override;
    // A route answers through its responder, which drops what the closed connection
    // can no longer take: nothing to undo.
    void on_http_abandoned(const net::http_request&, std::uint64_t) override {}

private:
    struct route {
        std::string method;
        std::vector<std::string> segments;   // "{...}" matches any one segment
        bool is_pattern = false;
        route_handler handler;
    };
    // Literal routes first, then patterns: the first match in this order serves.
    const route* find(std::string_view method, std::string_view path, bool& path_known) const;

    std::vector<route> routes_;
    const server_api* server_api_ = nullptr;
};

}  // namespace switchboard::kernel::api
