// What /metrics shows of plugin event handlers: calls and run time per registered
// handler (plugin, event name as registered, inline or pooled), and for pooled ones
// the time spent waiting for a pool thread. Names are the registered ones only (a
// client's made-up event names never become series), so cardinality is bounded by
// the deployment's code.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "kernel/core/latency_histogram.hpp"

namespace switchboard::kernel::plugins {

using latency_histogram = kernel::latency_histogram;

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
