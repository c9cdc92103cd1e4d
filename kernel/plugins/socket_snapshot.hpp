// A socket's description as plugins see it (id, namespace, auth, user, handshake,
// dialect), owned, so it can travel to the handler pool and outlive the socket. Taken
// on the socket's worker.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kernel/config/config.hpp"
#include "switchboard/sdk.h"

namespace switchboard::kernel::socketio {
class socket;
}

namespace switchboard::kernel::plugins {

// Request headers as the JSON object plugins read. One rule with the kernel (which reads
// the first of a repeated header, as http_request::header does) and with Node: for a
// header that cannot be a list (Authorization above all) the first one wins; Cookie
// values are joined with "; ", other repeated headers with ", ".
template <typename Headers>   // a request's, or a session's handshake's (net::header_list)
nlohmann::json headers_object(const Headers& headers) {
    static constexpr std::string_view single[] = {
        "authorization", "content-type", "content-length", "user-agent", "referer", "host", "origin",
        "proxy-authorization", "if-modified-since", "if-unmodified-since", "from", "location", "max-forwards",
        "age", "expires", "last-modified", "etag", "retry-after", "server"};
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, value] : headers) {
        const auto found = out.find(std::string(name));
        if (found == out.end()) {
            out[std::string(name)] = std::string(value);
        } else if (std::find(std::begin(single), std::end(single), name) == std::end(single)) {
            found->get_ref<std::string&>().append(name == "cookie" ? "; " : ", ").append(value);
        }
    }
    return out;
}

struct socket_snapshot {
    std::uint64_t handle = 0;
    std::string id, nsp, auth_json, user_json, handshake_json, dialect_json;

    socket_snapshot(socketio::socket& s, config::packet_parser parser);
    switchboard_socket_info_t info() const;
};

}  // namespace switchboard::kernel::plugins
