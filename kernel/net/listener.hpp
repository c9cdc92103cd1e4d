// Accepts TCP connections on one worker. Every worker has its own listener bound to
// the same address with SO_REUSEPORT, so the kernel spreads new connections over the
// workers and accepting never crosses threads. claim_port (port_claim.hpp) keeps a
// second process from joining them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/net/http_connection.hpp"
#include "kernel/net/ip_limiter.hpp"
#include "kernel/net/tls_context.hpp"

namespace switchboard::kernel {
class worker;
}

namespace switchboard::kernel::net {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens; throws std::system_error with the address on failure.
    listener(worker& owner, const boost::asio::ip::tcp::endpoint& endpoint, http_router& router,
             const http_limits& limits);

    void start();
    void stop();
    // Admits each accepted connection through `limiter` (per-address limits). Before start().
    void set_ip_limiter(std::shared_ptr<ip_limiter> limiter) { limiter_ = std::move(limiter); }
    // Serves TLS (https, wss) with `context`'s current certificate. Before start().
    void set_tls(std::shared_ptr<tls_context> context) { tls_ = std::move(context); }
    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    void do_accept();
    void admit(tcp_socket socket);
    // accept() failed for want of descriptors or memory: retrying at once would spin
    // (the pending connection stays in the backlog), so wait, then try again.
    void back_off(const boost::system::error_code& ec);

    worker& owner_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::ip::tcp::endpoint peer_;   // the address of the connection being accepted
    boost::asio::steady_timer retry_timer_;
    std::chrono::milliseconds retry_delay_{0};
    // One log line per interval while out of descriptors, with the count it stands for.
    std::chrono::steady_clock::time_point last_logged_{};
    std::uint64_t unlogged_failures_ = 0;
    http_router& router_;
    http_limits limits_;
    std::shared_ptr<ip_limiter> limiter_;
    std::shared_ptr<tls_context> tls_;
};

}  // namespace switchboard::kernel::net
