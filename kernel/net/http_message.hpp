// The plain HTTP request and response model the protocol layers see.
//
// Beast parses requests in http_connection.cpp only (its templates are heavy to
// compile); everything above works on this small struct, and responses are written
// as ready bytes so a long-polling reply built on one worker can be sent by another.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::kernel::net {

enum class http_method : std::uint8_t { get, post, options, head, put, del, other };

std::string_view to_string(http_method method) noexcept;

struct http_request {
    http_method method = http_method::get;
    std::string path;            // the target before '?'
    std::string query;           // the raw query string after '?', without it
    std::vector<std::pair<std::string, std::string>> headers;   // names lower-cased
    std::string body;
    std::string remote_address;
    // The request id in log lines and the X-Request-Id response header: the client's
    // X-Request-Id when it is a plain token, a fresh one otherwise (log::request_id_from).
    std::string log_id;
    bool websocket_upgrade = false;   // Upgrade: websocket + Connection: upgrade
    bool keep_alive = true;
    // Held as long as the connection lives (its per-address place, see ip_limiter);
    // set on an upgrade request only, so it moves on with the socket.
    std::shared_ptr<void> connection_token;

    // The first header of that (lower-case) name, or an empty view.
    std::string_view header(std::string_view lower_name) const noexcept;
    // A query parameter, percent-decoded; nothing when absent.
    std::optional<std::string> query_param(std::string_view name) const;
};

// Decodes %XX escapes and '+' (as space). Invalid escapes are kept as they are.
std::string percent_decode(std::string_view text);

// Every name=value pair of a raw query string, percent-decoded, in order.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// The first value of `name` in a raw query string; nothing when absent.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// Builds a complete HTTP/1.1 response. `extra_headers` are whole "Name: value\r\n"
// lines. Content-Length is always set.
std::string make_http_response(int status, std::string_view content_type, std::string_view body,
                               std::string_view extra_headers = {}, bool keep_alive = true);

std::string_view status_reason(int status) noexcept;

}  // namespace switchboard::kernel::net
