#include "kernel/core/traffic.hpp"

#include "kernel/core/prometheus_text.hpp"

#include <algorithm>
#include <atomic>

namespace switchboard::kernel::traffic {

namespace {

// Enough slots that workers and pool threads rarely share one; sharing only costs speed.
constexpr std::size_t slot_count = 64;

struct alignas(64) slot {
    std::atomic<std::uint64_t> packets_in{0}, packets_out{0}, bytes_in{0}, bytes_out{0};
    std::atomic<std::uint64_t> opened_polling{0}, opened_websocket{0}, upgrades{0};
    std::array<std::atomic<std::uint64_t>, close_reasons.size()> closed{};
    std::array<std::atomic<std::uint64_t>, 2> closed_on{};   // by transport, for the gauges
    std::atomic<std::uint64_t> volatile_dropped{0};
    // Added where bytes are queued, subtracted where they leave (maybe on another
    // thread, so one slot may go negative): only the sum means something.
    std::atomic<std::int64_t> queued_bytes{0};
};

std::array<slot, slot_count> slots;
std::atomic<std::size_t> next_slot{0};

slot& mine() noexcept {
    thread_local slot& assigned = slots[next_slot.fetch_add(1, std::memory_order_relaxed) % slot_count];
    return assigned;
}

void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
    counter.fetch_add(n, std::memory_order_relaxed);
}

std::size_t reason_index(std::string_view reason) noexcept {
    const auto found = std::find(close_reasons.begin(), close_reasons.end() - 1, reason);
    return static_cast<std::size_t>(found - close_reasons.begin());
}

}  // namespace

void session_opened(transport t) noexcept {
    add(t == transport::polling ? mine().opened_polling : mine().opened_websocket);
}

void session_upgraded() noexcept { add(mine().upgrades); }

void session_closed(transport t, std::string_view reason) noexcept {
    auto& s = mine();
    add(s.closed[reason_index(reason)]);
    add(s.closed_on[static_cast<std::size_t>(t)]);
}

void packet_in(std::size_t bytes) noexcept {
    auto& s = mine();
    add(s.packets_in);
    add(s.bytes_in, bytes);
}

void packet_out(std::size_t bytes) noexcept {
    auto& s = mine();
    add(s.packets_out);
    add(s.bytes_out, bytes);
}

void volatile_dropped() noexcept { add(mine().volatile_dropped); }

void queued_bytes_changed(std::int64_t delta) noexcept {
    mine().queued_bytes.fetch_add(delta, std::memory_order_relaxed);
}

totals snapshot() noexcept {
    totals t;
    std::uint64_t closed_polling = 0, closed_websocket = 0;
    auto read = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    for (const auto& s : slots) {
        t.packets_in += read(s.packets_in);
        t.packets_out += read(s.packets_out);
        t.bytes_in += read(s.bytes_in);
        t.bytes_out += read(s.bytes_out);
        t.opened_polling += read(s.opened_polling);
        t.opened_websocket += read(s.opened_websocket);
        t.upgrades += read(s.upgrades);
        t.volatile_dropped += read(s.volatile_dropped);
        t.queued_bytes += s.queued_bytes.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < close_reasons.size(); ++i) t.closed_by_reason[i] += read(s.closed[i]);
        closed_polling += read(s.closed_on[0]);
        closed_websocket += read(s.closed_on[1]);
    }
    t.polling_now = static_cast<std::int64_t>(t.opened_polling - t.upgrades - closed_polling);
    t.websocket_now = static_cast<std::int64_t>(t.opened_websocket + t.upgrades - closed_websocket);
    return t;
}

std::string metrics_text() {
    const totals t = snapshot();
    std::string out;
    auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
        prometheus::append_family(out, name, type, help);
    };
    auto sample = [&](std::string_view name, std::string_view labels, auto value) {
        prometheus::append_sample(out, name, labels, value);
    };
    family("switchboard_engineio_sessions", "gauge", "Engine.IO sessions open now, by the transport they use.");
    sample("switchboard_engineio_sessions", "transport=\"polling\"", std::max<std::int64_t>(0, t.polling_now));
    sample("switchboard_engineio_sessions", "transport=\"websocket\"", std::max<std::int64_t>(0, t.websocket_now));
    family("switchboard_engineio_sessions_opened_total", "counter", "Engine.IO sessions opened, by first transport.");
    sample("switchboard_engineio_sessions_opened_total", "transport=\"polling\"", t.opened_polling);
    sample("switchboard_engineio_sessions_opened_total", "transport=\"websocket\"", t.opened_websocket);
    family("switchboard_engineio_upgrades_total", "counter", "Sessions upgraded from polling to WebSocket.");
    sample("switchboard_engineio_upgrades_total", "", t.upgrades);
    family("switchboard_engineio_sessions_closed_total", "counter", "Engine.IO sessions ended, by reason.");
    for (std::size_t i = 0; i < close_reasons.size(); ++i)
        sample("switchboard_engineio_sessions_closed_total",
               "reason=\"" + std::string(close_reasons[i]) + "\"", t.closed_by_reason[i]);
    family("switchboard_engineio_packets_total", "counter", "Engine.IO message packets, by direction.");
    sample("switchboard_engineio_packets_total", "direction=\"in\"", t.packets_in);
    sample("switchboard_engineio_packets_total", "direction=\"out\"", t.packets_out);
    family("switchboard_engineio_bytes_total", "counter", "Bytes of Engine.IO message packets, by direction.");
    sample("switchboard_engineio_bytes_total", "direction=\"in\"", t.bytes_in);
    sample("switchboard_engineio_bytes_total", "direction=\"out\"", t.bytes_out);
    family("switchboard_engineio_volatile_dropped_total", "counter",
           "Volatile packets dropped because their client was not ready for them.");
    sample("switchboard_engineio_volatile_dropped_total", "", t.volatile_dropped);
    family("switchboard_engineio_outgoing_queue_bytes", "gauge",
           "Bytes queued for clients and not yet written (polling and WebSocket queues).");
    sample("switchboard_engineio_outgoing_queue_bytes", "", std::max<std::int64_t>(0, t.queued_bytes));
    return out;
}

}  // namespace switchboard::kernel::traffic
