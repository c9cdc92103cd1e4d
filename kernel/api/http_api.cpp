#include "kernel/api/http_api.hpp"

#include <algorithm>

#include "kernel/api/server_api.hpp"
#include "kernel/net/http_connection.hpp"

namespace switchboard::kernel::api {

bool http_api::add(std::string method, std::string path, route_handler handler) {
    if (server_api::owns(path)) return false;
    return routes_.emplace(std::make_pair(std::move(method), std::move(path)), std::move(handler)).second;
}

void http_api::handle(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                      std::uint64_t request_id) const {
    if (server_api_ && server_api::owns(request.path)) {
        server_api_->handle(std::move(request), [connection, request_id](std::string raw) {
            connection->respond(request_id, std::move(raw));
        });
        return;
    }
    const auto found = routes_.find({std::string(net::to_string(request.method)), request.path});
    if (found == routes_.end()) {
        const bool path_known = std::any_of(routes_.begin(), routes_.end(),
                                            [&](const auto& route) { return route.first.second == request.path; });
        const int status = path_known ? 405 : 404;
        connection->respond(request_id,
                            net::make_http_response(status, "application/json",
                                                    path_known ? R"({"code":"method_not_allowed","message":"Method Not Allowed"})"
                                                               : R"({"code":"not_found","message":"Not Found"})"));
        return;
    }
    found->second(std::move(request), [connection, request_id](std::string raw) {
        connection->respond(request_id, std::move(raw));
    });
}

}  // namespace switchboard::kernel::api
