// Accepts TCP connections on one worker. Every worker has its own listener bound to
// the same address with SO_REUSEPORT, so the kernel spreads new connections over the
// workers and accepting never crosses threads.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "kernel/net/http_connection.hpp"

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
    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    void do_accept();

    worker& owner_;
    boost::asio::ip::tcp::acceptor acceptor_;
    http_router& router_;
    http_limits limits_;
};

}  // namespace switchboard::kernel::net
