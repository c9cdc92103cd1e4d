#include "kernel/net/port_claim.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace switchboard::kernel::net {

namespace asio = boost::asio;

namespace {

std::system_error port_in_use(std::error_code ec, const asio::ip::tcp::endpoint& endpoint) {
    return std::system_error(ec, "port " + std::to_string(endpoint.port()) + " is in use (binding " +
                                     endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ")");
}

// An abstract Unix socket named after the address: binding it is atomic, it lives in
// the same network namespace as the TCP port, and the kernel frees it when the process
// ends however it ends (no stale lock file after kill -9).
int claim_name(const asio::ip::tcp::endpoint& endpoint) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;   // cannot claim; the probe below still guards the common case
    const std::string name =
        "switchboard-port:" + endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // sun_path[0] stays '\0': the abstract namespace.
    std::memcpy(address.sun_path + 1, name.data(), std::min(name.size(), sizeof address.sun_path - 1));
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 +
                                               std::min(name.size(), sizeof address.sun_path - 1));
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EADDRINUSE) throw port_in_use(std::error_code(error, std::generic_category()), endpoint);
        return -1;
    }
    return fd;
}

// A probe without SO_REUSEPORT cannot bind beside a listening socket, whoever owns it
// (another program, or a Switchboard that named the address differently: 0.0.0.0 and
// 127.0.0.1 are two claims but one port); SO_REUSEADDR keeps connections in TIME_WAIT from counting as a listener. The probe
// closes before our own listeners bind.
void probe(const asio::ip::tcp::endpoint& endpoint) {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return;   // the listeners will report it
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
    if (ec == asio::error::address_in_use) throw port_in_use(std::error_code(ec.value(), std::generic_category()), endpoint);
}

}  // namespace

port_claim& port_claim::operator=(port_claim&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

port_claim::~port_claim() {
    if (fd_ >= 0) ::close(fd_);
}

port_claim claim_port(const asio::ip::tcp::endpoint& endpoint) {
    if (endpoint.port() == 0) return {};
    port_claim claim(claim_name(endpoint));   // first: two servers starting together race past the probe
    probe(endpoint);
    return claim;
}

}  // namespace switchboard::kernel::net
