// Counters of what the server refused to hold for a client, one per bound (see
// ARCHITECTURE.md, "Bounds everywhere a client can make the server hold something").
//
// Process-wide and lock-free: a refusal happens on any worker, and /metrics reads them
// all. Each bound that refuses counts here, so an operator sees an attack (or a limit
// set too low) as a rising counter rather than only as log lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::kernel {

enum class refusal : std::uint8_t {
    decoded_size,          // a binary packet that would decode to more than k x its bytes
    pending_attachments,   // attachments over the count or byte bound, or before a namespace
    accept_backoff,        // accept() failed for want of descriptors: the listener paused
    header_deadline,       // an HTTP request whose headers did not arrive in time
    connect_deadline,      // no Socket.IO CONNECT in time after the Engine.IO handshake
    write_deadline,        // a closing connection whose peer did not read its last bytes
    upgrade_timeout,       // a WebSocket upgrade probe that did not complete in time
    pooled_events,         // a socket with too many events waiting for the handler pool
    per_ip_connections,    // too many concurrent connections from one address
    per_ip_handshakes,     // too many handshakes per second from one address
    transfer_encoding,     // a request with a transfer coding we do not implement
    monitoring_access,     // /metrics or /healthz asked from an address not allowed
    header_size,           // request headers over 16 KiB (431)
    body_size,             // a request body over engineio.max_payload (413)
    message_size,          // a WebSocket message over engineio.max_payload
    outgoing_queue,        // a client that stays over max_buffered_bytes, disconnected
    plain_http_on_tls,     // a plain HTTP request on a TLS port (answered 400, closed)
    tls_handshake,         // a TLS handshake that failed (old version, no shared cipher...)
    count_
};

std::string_view to_string(refusal r) noexcept;

// Counts one refusal. Safe from any thread.
void count_refusal(refusal r) noexcept;

std::uint64_t refusal_count(refusal r) noexcept;

// True at most once a second per bound: the refusals themselves may be an attack, and
// each must not cost a log line (the counter keeps the total). Safe from any thread.
bool refusal_log_due(refusal r) noexcept;

// Prometheus text: switchboard_refused_total{bound="..."} N, one line per bound.
std::string refusals_metrics_text();

}  // namespace switchboard::kernel
