#include "kernel/net/tls_stream.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

namespace switchboard::kernel::net {

namespace asio = boost::asio;

struct tls_stream::impl {
    impl(tcp_socket& socket, tls_handle session) : stream(socket, session.release()) {}

    asio::ssl::stream<tcp_socket&> stream;
    // Asio's SSL stream encrypts one buffer per write call: frames are gathered into
    // one buffer first, so a burst of small frames becomes full records and few writes.
    std::string pending;
};

tls_stream::tls_stream(tcp_socket& socket, tls_handle session)
    : impl_(std::make_unique<impl>(socket, std::move(session))) {}

tls_stream::~tls_stream() = default;

std::size_t tls_stream::read_some(asio::mutable_buffer into, boost::system::error_code& ec) {
    // Records decrypted but not yet read are returned before the socket is touched; a
    // read that needs the socket and finds it empty ends with would_block. OpenSSL
    // writes during a read only for renegotiation (refused) and key updates.
    return impl_->stream.read_some(into, ec);
}

void tls_stream::write_now(std::string_view bytes, boost::system::error_code& ec) {
    asio::write(impl_->stream, asio::buffer(bytes.data(), bytes.size()), ec);
}

void tls_stream::async_write(const std::vector<asio::const_buffer>& buffers,
                             std::function<void(const boost::system::error_code&)> done) {
    auto& pending = impl_->pending;
    pending.clear();
    pending.reserve(asio::buffer_size(buffers));
    for (const auto& buffer : buffers) pending.append(static_cast<const char*>(buffer.data()), buffer.size());
    asio::async_write(impl_->stream, asio::buffer(pending),
                      [this, done = std::move(done)](const boost::system::error_code& ec, std::size_t) {
                          // A burst must not leave a large buffer behind an idle connection.
                          if (impl_->pending.capacity() > 64 * 1024) std::string().swap(impl_->pending);
                          done(ec);
                      });
}

}  // namespace switchboard::kernel::net
