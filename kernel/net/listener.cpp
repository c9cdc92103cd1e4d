#include "kernel/net/listener.hpp"

#include <sys/socket.h>

#include <system_error>

#include "kernel/core/log.hpp"
#include "kernel/core/worker.hpp"

namespace switchboard::kernel::net {

namespace asio = boost::asio;

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
