// What a client sent with the request that opened its session: read by Engine.IO (the
// protocol version), authentication (a token in a header or the query) and Socket.IO
// (socket.handshake). It lives here, below all three, because it is plain HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/net/header_list.hpp"
#include "kernel/net/http_message.hpp"

namespace switchboard::kernel::net {

struct handshake_info {
    std::string query;                                        // raw query string
    header_list headers;                                      // lower-case names
    std::string remote_address;
    std::string request_id;   // the handshake request's: names the session in log lines
    std::int64_t issued_ms = 0;                               // Unix time, milliseconds

    std::string_view header(std::string_view lower_name) const noexcept { return headers.find(lower_name); }
    std::optional<std::string> query_param(std::string_view name) const { return net::query_param(query, name); }
};

}  // namespace switchboard::kernel::net
