#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace switchboard::bench {

namespace {

// 2^sub_bucket_bits linear slots per power of two: values below 2^sub_bucket_bits are
// exact, larger ones share a slot with neighbours less than 1/128 of their size away.
constexpr int sub_bucket_bits = 8;
constexpr std::uint64_t sub_buckets = std::uint64_t{1} << sub_bucket_bits;
constexpr std::uint64_t half = sub_buckets / 2;
constexpr int max_shift = 64 - sub_bucket_bits;
constexpr std::size_t bucket_count = sub_buckets + max_shift * half;

std::size_t index_of(std::uint64_t value) {
    if (value < sub_buckets) return static_cast<std::size_t>(value);
    const int shift = static_cast<int>(std::bit_width(value)) - sub_bucket_bits;
    return static_cast<std::size_t>(shift * half + (value >> shift));
}

std::uint64_t highest_of(std::size_t index) {
    if (index < sub_buckets) return index;
    const std::uint64_t shift = index / half - 1;
    const std::uint64_t mantissa = index - shift * half;
    return ((mantissa + 1) << shift) - 1;
}

}  // namespace

histogram::histogram() : counts_(bucket_count, 0) {}

void histogram::record(std::int64_t value) {
    if (value < 0) value = 0;
    ++counts_[index_of(static_cast<std::uint64_t>(value))];
    ++count_;
    max_ = std::max(max_, value);
    sum_ += value;
}

void histogram::merge(const histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

void histogram::reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    max_ = 0;
    sum_ = 0;
}

double histogram::mean() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

std::int64_t histogram::percentile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    const auto wanted = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= wanted) return std::min<std::int64_t>(static_cast<std::int64_t>(highest_of(i)), max_);
    }
    return max_;
}

}  // namespace switchboard::bench
