#include "kernel/net/path_router.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/write.hpp>

#include "kernel/net/http_message.hpp"
#include "kernel/net/tls_stream.hpp"

namespace switchboard::kernel::net {

namespace asio = boost::asio;

void path_router::mount(std::string path, http_router& service) {
    const auto taken = std::find_if(mounts_.begin(), mounts_.end(), [&](const auto& m) { return m.path == path; });
    if (taken != mounts_.end()) {
        taken->service = &service;
        return;
    }
    mounts_.push_back({std::move(path), &service});
}

http_router& path_router::service_for(std::string_view path) {
    for (const auto& m : mounts_)
        if (m.path == path) return *m.service;
    return fallback_;
}

void path_router::on_http_request(http_request&& request, const std::shared_ptr<http_connection>& connection,
                                  std::uint64_t request_id) {
    service_for(request.path).on_http_request(std::move(request), connection, request_id);
}

void path_router::on_websocket_upgrade(http_request&& request, tcp_socket socket, tls_handle tls,
                                       std::string already_read, worker& owner) {
    service_for(request.path)
        .on_websocket_upgrade(std::move(request), std::move(socket), std::move(tls), std::move(already_read), owner);
}

void path_router::on_http_abandoned(const http_request& request, std::uint64_t request_id) {
    service_for(request.path).on_http_abandoned(request, request_id);
}

void refuse_upgrade(tcp_socket& socket, tls_handle& tls, std::string_view message, int status) {
    const std::string response = make_http_response(status, "text/html", message, {}, false);
    boost::system::error_code ec;
    if (tls) {
        tls_stream(socket, std::move(tls)).write_now(response, ec);
    } else {
        asio::write(socket, asio::buffer(response), ec);
    }
    socket.shutdown(tcp_socket::shutdown_both, ec);
    socket.close(ec);
}

}  // namespace switchboard::kernel::net
