// The one router the listeners hand requests to: each request goes to the service that
// owns its path (the Engine.IO path to the Engine.IO server), the rest to a default
// service (the HTTP API). Neither service knows the other exists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kernel/net/http_connection.hpp"

namespace switchboard::kernel::net {

class path_router final : public http_router {
public:
    // `fallback` serves every path no service is mounted on; it must outlive the router.
    explicit path_router(http_router& fallback) : fallback_(fallback) {}

    // Requests whose path is exactly `path` (any query) go to `service`. Mount before
    // serving; a later mount of the same path wins.
    void mount(std::string path, http_router& service);

    void on_http_request(http_request&& request, const std::shared_ptr<http_connection>& connection,
                         std::uint64_t request_id) override;
    void on_websocket_upgrade(http_request&& request, tcp_socket socket, tls_handle tls,
                              std::string already_read, worker& owner) override;
    void on_http_abandoned(const http_request& request, std::uint64_t request_id) override;

private:
    http_router& service_for(std::string_view path);

    struct mount_point {
        std::string path;
        http_router* service;
    };
    std::vector<mount_point> mounts_;   // a handful: a linear scan beats any index
    http_router& fallback_;
};

// Answers an upgrade request with `status` and `message` and closes the connection
// (through TLS when `tls` is set), as the reference server does for a refused upgrade.
void refuse_upgrade(tcp_socket& socket, tls_handle& tls, std::string_view message,
                    int status = 400);

}  // namespace switchboard::kernel::net
