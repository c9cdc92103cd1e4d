// The HTTP API beside the Engine.IO path: /healthz, /metrics and plugin routes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "kernel/net/http_message.hpp"

namespace switchboard::kernel::net {
class http_connection;
}

namespace switchboard::kernel::api {

class server_api;

class http_api {
public:
    // Sends a complete HTTP response; safe from any thread, once.
    using responder = std::function<void(std::string raw_response)>;
    // Answers a request, now or later, from any thread.
    using route_handler = std::function<void(net::http_request&& request, responder respond)>;

    // Adds a route (exact method and path). Returns false if it is taken, by another
    // route or by the server API.
    bool add(std::string method, std::string path, route_handler handler);

    // Serves the server API's paths (/api/emit, /api/sockets/..., see server_api.hpp).
    void set_server_api(const server_api* api) noexcept { server_api_ = api; }

    void handle(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                std::uint64_t request_id) const;

private:
    std::map<std::pair<std::string, std::string>, route_handler> routes_;
    const server_api* server_api_ = nullptr;
};

}  // namespace switchboard::kernel::api
