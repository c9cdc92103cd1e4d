#include "kernel/plugins/handler_metrics.hpp"

#include <cstdio>

#include "kernel/core/prometheus_text.hpp"

namespace switchboard::kernel::plugins {

void latency_histogram::observe(std::chrono::steady_clock::duration elapsed) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    const double seconds = static_cast<double>(ns) / 1e9;
    std::size_t bucket = 0;
    while (bucket < bounds.size() && seconds > bounds[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(ns > 0 ? ns : 0), std::memory_order_relaxed);
}

void latency_histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
    std::uint64_t cumulative = 0;
    char bound[32];
    auto bucket_line = [&](std::string_view le) {
        out.append(name).append("_bucket{").append(labels).append(",le=\"").append(le).append("\"} ");
        out.append(std::to_string(cumulative)).append("\n");
    };
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        std::snprintf(bound, sizeof bound, "%g", bounds[i]);
        bucket_line(bound);
    }
    cumulative += counts_[bounds.size()].load(std::memory_order_relaxed);
    bucket_line("+Inf");
    std::snprintf(bound, sizeof bound, "%.9f", static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
    out.append(name).append("_sum{").append(labels).append("} ").append(bound).append("\n");
    out.append(name).append("_count{").append(labels).append("} ").append(std::to_string(cumulative)).append("\n");
}

std::string handler_metrics::labels() const {
    return "plugin=\"" + escape_label_value(plugin) + "\",namespace=\"" + escape_label_value(nsp) + "\",event=\"" +
           escape_label_value(event) + "\",mode=\"" + std::string(mode) + "\"";
}

}  // namespace switchboard::kernel::plugins
