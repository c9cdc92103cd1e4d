#include "kernel/core/latency_histogram.hpp"

#include <cstdio>

namespace switchboard::kernel {

void latency_histogram::observe(std::chrono::steady_clock::duration elapsed) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    const double seconds = static_cast<double>(ns) / 1e9;
    std::size_t bucket = 0;
    while (bucket < bounds.size() && seconds > bounds[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(ns > 0 ? ns : 0), std::memory_order_relaxed);
}

std::uint64_t latency_histogram::count() const noexcept {
    std::uint64_t total = 0;
    for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
    return total;
}

void latency_histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
    std::uint64_t cumulative = 0;
    char bound[32];
    const std::string_view separator = labels.empty() ? "" : ",";
    auto bucket_line = [&](std::string_view le) {
        out.append(name).append("_bucket{").append(labels).append(separator).append("le=\"").append(le).append("\"} ");
        out.append(std::to_string(cumulative)).append("\n");
    };
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        std::snprintf(bound, sizeof bound, "%g", bounds[i]);
        bucket_line(bound);
    }
    cumulative += counts_[bounds.size()].load(std::memory_order_relaxed);
    bucket_line("+Inf");
    auto labelled = [&](std::string_view suffix) {
        out.append(name).append(suffix);
        if (!labels.empty()) out.append("{").append(labels).append("}");
        out.append(" ");
    };
    std::snprintf(bound, sizeof bound, "%.9f", static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
    labelled("_sum");
    out.append(bound).append("\n");
    labelled("_count");
    out.append(std::to_string(cumulative)).append("\n");
}

}  // namespace switchboard::kernel
