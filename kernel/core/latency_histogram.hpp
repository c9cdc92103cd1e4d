// A Prometheus histogram of durations with fixed buckets, updated lock-free from any
// thread: handler run and wait times, database pool waits and query times.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::kernel {

class latency_histogram {
public:
    // Upper bounds in seconds: from a relay's tens of microseconds to a slow query.
    static constexpr std::array<double, 14> bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,    0.025,  0.05,    0.1,    0.25,  1,      5};

    void observe(std::chrono::steady_clock::duration elapsed) noexcept;
    // The _bucket (cumulative, le="..."), _sum and _count lines of `name` with `labels`
    // (without braces; may be empty).
    void write(std::string& out, std::string_view name, std::string_view labels) const;
    std::uint64_t count() const noexcept;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};   // per bucket; the last is +Inf
    std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace switchboard::kernel
