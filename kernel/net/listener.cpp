#include "kernel/net/listener.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "kernel/core/log.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"

namespace switchboard::kernel::net {

namespace asio = boost::asio;

namespace {

std::system_error port_in_use(const boost::system::error_code& ec, const asio::ip::tcp::endpoint& endpoint) {
    return std::system_error(ec, "port " + std::to_string(endpoint.port()) + " is in use (binding " +
                                     endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ")");
}

}  // namespace

listener::listener(worker& owner, const asio::ip::tcp::endpoint& endpoint, http_router& router,
                   const http_limits& limits)
    : owner_(owner), acceptor_(owner.io()), retry_timer_(owner.io()), router_(router), limits_(limits) {
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
    retry_timer_.cancel();
}

asio::ip::tcp::endpoint listener::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void listener::do_accept() {
    // accept() reports the peer's address: no getpeername per connection.
    acceptor_.async_accept(owner_.io(), peer_, [self = shared_from_this()](const boost::system::error_code& ec,
                                                                           tcp_socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
            ec == asio::error::no_memory) {
            return self->back_off(ec);
        }
        self->retry_delay_ = std::chrono::milliseconds(0);
        if (ec) {
            // The peer gave up before we accepted (ECONNABORTED...): nothing to hold.
            SB_LOG(debug, "net") << "accept failed: " << ec.message();
        } else {
            self->admit(std::move(socket));
        }
        self->do_accept();
    });
}

void listener::admit(tcp_socket socket) {
    std::shared_ptr<void> token;
    if (limiter_) {
        const std::string address = peer_.address().to_string();
        token = limiter_->open_connection(address);
        if (!token) {
            count_refusal(refusal::per_ip_connections);
            if (refusal_log_due(refusal::per_ip_connections)) {
                SB_LOG(warn, "net") << "refusing a connection from " << address
                                    << ": too many concurrent connections from that address";
            }
            boost::system::error_code ec;
            socket.close(ec);
            return;
        }
    }
    tls_handle tls;
    if (tls_) {
        tls = tls_->new_session();
        if (!tls) {   // out of memory: never fall back to plain on a TLS port
            boost::system::error_code ec;
            socket.close(ec);
            return;
        }
    }
    auto connection = std::make_shared<http_connection>(std::move(socket), peer_, std::move(tls), owner_, router_, limits_);
    connection->hold(std::move(token));
    connection->start();
}

void listener::back_off(const boost::system::error_code& ec) {
    using namespace std::chrono_literals;
    count_refusal(refusal::accept_backoff);
    // 10 ms, doubling to 1 s: quick to resume when a descriptor frees up, cheap when
    // the shortage lasts.
    retry_delay_ = retry_delay_ == 0ms ? 10ms : std::min<std::chrono::milliseconds>(retry_delay_ * 2, 1000ms);
    ++unlogged_failures_;
    const auto now = std::chrono::steady_clock::now();
    if (last_logged_ == std::chrono::steady_clock::time_point{} || now - last_logged_ >= 10s) {
        SB_LOG(warn, "net") << "accept failed: " << ec.message() << " (" << unlogged_failures_
                            << " time(s) since the last report); pausing accepts for " << retry_delay_.count()
                            << " ms";
        last_logged_ = now;
        unlogged_failures_ = 0;
    }
    retry_timer_.expires_after(retry_delay_);
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
        if (wait_ec || !self->acceptor_.is_open()) return;
        self->do_accept();
    });
}

}  // namespace switchboard::kernel::net
