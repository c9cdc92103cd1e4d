// One TLS connection's OpenSSL state (SSL*), owned, without OpenSSL's headers: what
// passes between the HTTP connection, the Engine.IO server and the WebSocket connection
// when a TLS connection is upgraded (and moved to its session's worker). Null for
// plain connections.
#pragma once

#include <memory>

struct ssl_st;

namespace switchboard::kernel::net {

struct tls_handle_free {
    void operator()(ssl_st* ssl) const noexcept;
};
using tls_handle = std::unique_ptr<ssl_st, tls_handle_free>;

}  // namespace switchboard::kernel::net
