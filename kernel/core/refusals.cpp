#include "kernel/core/refusals.hpp"

#include "kernel/core/prometheus_text.hpp"

#include <array>
#include <atomic>
#include <chrono>

namespace switchboard::kernel {

namespace {

constexpr std::size_t refusal_kinds = static_cast<std::size_t>(refusal::count_);
std::array<std::atomic<std::uint64_t>, refusal_kinds> counters{};
// steady_clock ticks of each bound's last log line.
std::array<std::atomic<std::int64_t>, refusal_kinds> last_logged{};

}  // namespace

std::string_view to_string(refusal r) noexcept {
    switch (r) {
        case refusal::decoded_size: return "decoded_size";
        case refusal::pending_attachments: return "pending_attachments";
        case refusal::accept_backoff: return "accept_backoff";
        case refusal::header_deadline: return "header_deadline";
        case refusal::connect_deadline: return "connect_deadline";
        case refusal::write_deadline: return "write_deadline";
        case refusal::upgrade_timeout: return "upgrade_timeout";
        case refusal::pooled_events: return "pooled_events";
        case refusal::per_ip_connections: return "per_ip_connections";
        case refusal::per_ip_handshakes: return "per_ip_handshakes";
        case refusal::transfer_encoding: return "transfer_encoding";
        case refusal::monitoring_access: return "monitoring_access";
        case refusal::header_size: return "header_size";
        case refusal::body_size: return "body_size";
        case refusal::message_size: return "message_size";
        case refusal::outgoing_queue: return "outgoing_queue";
        case refusal::plain_http_on_tls: return "plain_http_on_tls";
        case refusal::tls_handshake: return "tls_handshake";
        case refusal::count_: break;
    }
    return "unknown";
}

void count_refusal(refusal r) noexcept {
    counters[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
}

bool refusal_log_due(refusal r) noexcept {
    using namespace std::chrono;
    const std::int64_t now = steady_clock::now().time_since_epoch().count();
    auto& last = last_logged[static_cast<std::size_t>(r)];
    std::int64_t previous = last.load(std::memory_order_relaxed);
    const std::int64_t interval = duration_cast<steady_clock::duration>(seconds(1)).count();
    if (previous != 0 && now - previous < interval) return false;
    // One thread wins the slot; the others stay quiet.
    return last.compare_exchange_strong(previous, now, std::memory_order_relaxed);
}

std::uint64_t refusal_count(refusal r) noexcept {
    return counters[static_cast<std::size_t>(r)].load(std::memory_order_relaxed);
}

std::string refusals_metrics_text() {
    std::string out;
    prometheus::append_family(out, "switchboard_refused_total", "counter",
                              "What the server refused to hold for a client, by bound.");
    for (std::size_t i = 0; i < refusal_kinds; ++i) {
        const auto r = static_cast<refusal>(i);
        prometheus::append_sample(out, "switchboard_refused_total", "bound=\"" + std::string(to_string(r)) + "\"",
                                  refusal_count(r));
    }
    return out;
}

}  // namespace switchboard::kernel
