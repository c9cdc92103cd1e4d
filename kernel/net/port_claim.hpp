// One server per port. Every worker listens with SO_REUSEPORT (kernel/net/listener.hpp),
// and SO_REUSEPORT lets any process of the same user bind beside them: without a claim a
// second server would start and take half the clients, breaking polling sessions.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace switchboard::kernel::net {

// Held for as long as the server listens. Moving transfers the claim.
class port_claim {
public:
    port_claim() = default;
    explicit port_claim(int fd) : fd_(fd) {}
    port_claim(port_claim&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    port_claim& operator=(port_claim&& other) noexcept;
    port_claim(const port_claim&) = delete;
    port_claim& operator=(const port_claim&) = delete;
    ~port_claim();

private:
    int fd_ = -1;
};

// Throws std::system_error ("port N is in use") when another process listens on
// `endpoint` or another Switchboard is claiming it at this very moment. Call it before
// binding the listeners; port 0 needs no claim (returns an empty one).
port_claim claim_port(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace switchboard::kernel::net
