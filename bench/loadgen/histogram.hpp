// Latency histogram in the manner of HdrHistogram: log-linear buckets, so every
// recorded value keeps about two significant decimal digits (under 0.8% error) from
// nanoseconds to hours, in a fixed few thousand counters. Recording is an index
// computation and an increment, cheap enough for every delivery of a fan-out.
#pragma once

#include <cstdint>
#include <vector>

namespace switchboard::bench {

class histogram {
public:
    histogram();

    void record(std::int64_t value);   // negative values count as 0
    void merge(const histogram& other);
    void reset();

    std::uint64_t count() const noexcept { return count_; }
    std::int64_t max() const noexcept { return max_; }
    double mean() const noexcept;
    // The smallest recorded value v such that a fraction q of the values are <= v,
    // reported as the highest value of its bucket (0 when nothing was recorded).
    std::int64_t percentile(double q) const;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::int64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace switchboard::bench
