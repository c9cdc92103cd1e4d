#include "kernel/core/refusals.hpp"

#include <gtest/gtest.h>

namespace switchboard::kernel {
namespace {

TEST(Refusals, CountAndShowInMetrics) {
    const auto before = refusal_count(refusal::decoded_size);
    count_refusal(refusal::decoded_size);
    EXPECT_EQ(refusal_count(refusal::decoded_size), before + 1);
    const std::string text = refusals_metrics_text();
    EXPECT_NE(text.find("switchboard_refused_total{bound=\"decoded_size\"} " + std::to_string(before + 1) + "\n"),
              std::string::npos);
}

TEST(Refusals, LogAtMostOnceASecondPerBound) {
    // A flood of refusals must not become a flood of log lines.
    EXPECT_TRUE(refusal_log_due(refusal::header_deadline));
    for (int i = 0; i < 1000; ++i) EXPECT_FALSE(refusal_log_due(refusal::header_deadline));
    EXPECT_TRUE(refusal_log_due(refusal::write_deadline));   // each bound has its own
}

}  // namespace
}  // namespace switchboard::kernel
