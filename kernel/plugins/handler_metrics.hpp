// What /metrics shows of plugin event handlers: calls and run time per registered
// handler (plugin, event name as registered, inline or pooled), and for pooled ones
// the time spent waiting for a pool thread. Names are the registered ones only (a
// client's made-up event names never become series), so cardinality is bounded by
// the deployment's code.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::kernel::plugins {

// A Prometheus histogram with fixed buckets, updated lock-free from any thread.
class latency_histogram {
public:
    // Upper bounds in seconds: from a relay's tens of microseconds to a slow query.
    static constexpr std::array<double, 14> bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,    0.025,  0.05,    0.1,    0.25,  1,      5};

    void observe(std::chrono::steady_clock::duration elapsed) noexcept;
    // The _bucket (cumulative, le="..."), _sum and _count lines of `name` with `labels`.
    void write(std::string& out, std::string_view name, std::string_view labels) const;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};   // per bucket; the last is +Inf
    std::atomic<std::uint64_t> sum_ns_{0};
};

struct handler_metrics {
    handler_metrics(std::string plugin_name, std::string nsp_name, std::string event_name, bool is_inline)
        : plugin(std::move(plugin_name)), nsp(std::move(nsp_name)), event(std::move(event_name)),
          mode(is_inline ? "inline" : "pooled") {}

    std::string plugin, nsp, event;
    std::string_view mode;
    std::atomic<std::uint64_t> calls{0};
    latency_histogram run;
    latency_histogram wait;   // pooled only

    // plugin="...",namespace="...",event="...",mode="..." (values escaped).
    std::string labels() const;
};

}  // namespace switchboard::kernel::plugins
