#include "kernel/net/listener.hpp"

#include <sys/socket.h>

#include <system_error>

#include "kernel/core/log.hpp"
#include "kernel/core/worker.hpp"

namespace switchboard::kernel::net {

namespace asio = boost::asio;

namespace {

std::system_error port_in_use(const boost::system::error_code& ec, const asio::ip::tcp::endpoint& endpoint) {
    return std::system_error(ec, "port " + std::to_string(endpoint.port()) + " is in use (binding " +
                                     endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ")");
}

}  // namespace

void ensure_port_free(const asio::ip::tcp::endpoint& endpoint) {
    // A probe without SO_REUSEPORT cannot bind beside a listening socket, whoever owns
    // it; SO_REUSEADDR keeps connections in TIME_WAIT from counting as a listener.
    // The probe closes before our own listeners bind.
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io);
    boost::system::error_code ec;
    probe.open(endpoint.protocol(), ec);
    if (ec) return;   // the listeners will report it
    probe.set_option(asio::socket_base::reuse_address(true), ec);
    probe.bind(endpoint, ec);
    if (ec == asio::error::address_in_use) throw port_in_use(ec, endpoint);
}

listener::listener(worker& owner, const asio::ip::tcp::endpoint& endpoint, http_router& router,
                   const http_limits& limits)
    : owner_(owner), acceptor_(owner.io()), router_(router), limits_(limits) {
    boost::system::error_code ec;
    auto check = [&](const char* what) {
        if (ec)
            throw std::system_error(ec, std::string("cannot ") + what + " " + endpoint.address().to_string() + ":" +
                                            std::to_string(endpoint.port()));
    };
    acceptor_.open(endpoint.protocol(), ec);
    check("open a socket for");
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    check("set SO_REUSEADDR on");
    const int enable = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &enable, sizeof enable) != 0) {
        ec.assign(errno, boost::system::system_category());
        check("set SO_REUSEPORT on");
    }
    acceptor_.bind(endpoint, ec);
    if (ec == asio::error::address_in_use) throw port_in_use(ec, endpoint);
    check("bind");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    check("listen on");
}

void listener::start() { do_accept(); }

void listener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

asio::ip::tcp::endpoint listener::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void listener::do_accept() {
    acceptor_.async_accept(owner_.io(), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                    asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec) {
            // Out of descriptors, for instance: log and keep accepting.
            SB_LOG(warn, "net") << "accept failed: " << ec.message();
        } else {
            std::make_shared<http_connection>(std::move(socket), self->owner_, self->router_, self->limits_)->start();
        }
        self->do_accept();
    });
}

}  // namespace switchboard::kernel::net
