// The socket type of every connection the server accepts.
//
// Asio's default `ip::tcp::socket` carries a type-erased `any_io_executor` (56 bytes),
// and so does every operation pending on it: each idle connection keeps one, its wait
// for readability. Bound to the worker's `io_context` executor type instead, the socket
// is 40 bytes rather than 88 and a pending operation about 100 bytes smaller. The
// acceptor already produces this type (async_accept into an io_context); the server
// side never needs another executor.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace switchboard::kernel::net {

using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

}  // namespace switchboard::kernel::net
