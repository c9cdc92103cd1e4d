// Engine.IO traffic totals, process-wide: sessions by transport, sessions closed by
// reason, packets and bytes each way. /metrics exposes them and the Admin UI charts
// them (its server_stats' aggregatedEvents).
//
// Counted on every worker for every packet, so each thread adds to a slot of its own
// (no cache line bounces between workers); a reader sums the slots.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::kernel::traffic {

enum class transport : std::uint8_t { polling, websocket };

// Why sessions end, as the reference server names it; anything else counts as other.
constexpr std::array<std::string_view, 9> close_reasons = {
    "transport close", "transport error",  "ping timeout",         "parse error", "forced close",
    "forced server close", "server shutting down", "slow client", "other"};

void session_opened(transport t) noexcept;
void session_upgraded() noexcept;   // polling -> websocket
void session_closed(transport t, std::string_view reason) noexcept;
void packet_in(std::size_t bytes) noexcept;
void packet_out(std::size_t bytes) noexcept;
// A volatile packet a session did not take (its client was not ready for it).
void volatile_dropped() noexcept;
// Bytes waiting in sessions' outgoing queues (polling queues, WebSocket write
// queues) grew or shrank by `delta`.
void queued_bytes_changed(std::int64_t delta) noexcept;

struct totals {
    std::uint64_t packets_in = 0, packets_out = 0, bytes_in = 0, bytes_out = 0;
    std::uint64_t opened_polling = 0, opened_websocket = 0, upgrades = 0;
    std::uint64_t volatile_dropped = 0;
    std::int64_t queued_bytes = 0;   // waiting to be written now
    std::array<std::uint64_t, close_reasons.size()> closed_by_reason{};
    // Open now: a session counts under the transport it uses at this moment.
    std::int64_t polling_now = 0, websocket_now = 0;
};

totals snapshot() noexcept;

// Prometheus text of the totals: switchboard_engineio_{sessions, sessions_opened_total,
// upgrades_total, sessions_closed_total, packets_total, bytes_total,
// volatile_dropped_total, outgoing_queue_bytes}.
std::string metrics_text();

}  // namespace switchboard::kernel::traffic
