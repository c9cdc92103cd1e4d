#include "kernel/api/http_api.hpp"

#include <algorithm>

#include "kernel/api/server_api.hpp"
#include "kernel/net/http_connection.hpp"
#include "kernel/net/path_router.hpp"

namespace switchboard::kernel::api {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 1;   // after the leading '/'
    while (start <= path.size()) {
        const auto end = path.find('/', start);
        segments.emplace_back(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return segments;
}

bool is_parameter(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool segment_matches(const std::string& pattern, std::string_view segment) {
    return is_parameter(pattern) ? !segment.empty() : pattern == segment;
}

}  // namespace

bool http_api::add(std::string method, std::string path, route_handler handler) {
    if (path.empty() || path.front() != '/' || server_api::owns(path)) return false;
    route r{std::move(method), split_path(path), false, std::move(handler)};
    for (const auto& segment : r.segments) {
        if (is_parameter(segment)) r.is_pattern = true;
        else if (segment.find_first_of("{}") != std::string::npos) return false;   // "a{b}" or "{}"
    }
    for (const auto& existing : routes_)
        if (existing.method == r.method && existing.segments == r.segments) return false;
    // Literal routes before patterns, so a literal always wins.
    const auto position = r.is_pattern ? routes_.end()
                                       : std::find_if(routes_.begin(), routes_.end(),
                                                      [](const route& other) { return other.is_pattern; });
    routes_.insert(position, std::move(r));
    return true;
}

const http_api::route* http_api::find(std::string_view method, std::string_view path, bool& path_known) const {
    const auto segments = split_path(path);
    path_known = false;
    for (const auto& r : routes_) {
        if (r.segments.size() != segments.size()) continue;
        bool matches = true;
        for (std::size_t i = 0; i < segments.size() && matches; ++i) matches = segment_matches(r.segments[i], segments[i]);
        if (!matches) continue;
        if (r.method == method) return &r;
        path_known = true;
    }
    return nullptr;
}

void http_api::on_http_request(net::http_request&& request, const std::shared_ptr<net::http_connection>& connection,
                               std::uint64_t request_id) {
    auto respond = [connection, request_id](std::string raw) { connection->respond(request_id, std::move(raw)); };
    if (server_api_ && server_api::owns(request.path)) return server_api_->handle(std::move(request), std::move(respond));
    bool path_known = false;
    const auto* found = find(net::to_string(request.method), request.path, path_known);
    if (!found) {
        respond(net::make_http_response(path_known ? 405 : 404, "application/json",
                                        path_known ? R"({"code":"method_not_allowed","message":"Method Not Allowed"})"
                                                   : R"({"code":"not_found","message":"Not Found"})"));
        return;
    }
    found->handler(std::move(request), std::move(respond));
}

void http_api::on_websocket_upgrade(net::http_request&&, net::tcp_socket socket, net::tls_handle tls,
                                    std::string, worker&) {
    net::refuse_upgrade(socket, tls, "Not Found", 404);
}

}  // namespace switchboard::kernel::api
