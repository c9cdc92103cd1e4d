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

// Throws std::system_error ("port N is in use") when another socket already listens on
// `endpoint`. SO_REUSEPORT lets any process of the same user bind a port its listeners
// share, so without this check a second server would start and take half the clients.
// Call it before binding the listeners (port 0 needs no check).
void ensure_port_free(const boost::asio::ip::tcp::endpoint& endpoint);

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
