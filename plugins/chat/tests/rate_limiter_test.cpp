#include "rate_limiter.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::chat {
namespace {

using namespace std::chrono_literals;

TEST(ChatRateLimiter, AllowsTheLimitPerWindowPerKey) {
    rate_limiter limiter(3, 1000ms);
    const auto t0 = rate_limiter::clock::time_point{} + 1h;
    EXPECT_TRUE(limiter.try_acquire("alice", t0));
    EXPECT_TRUE(limiter.try_acquire("alice", t0 + 100ms));
    EXPECT_TRUE(limiter.try_acquire("alice", t0 + 200ms));
    EXPECT_FALSE(limiter.try_acquire("alice", t0 + 300ms));
    EXPECT_TRUE(limiter.try_acquire("bob", t0 + 300ms));
    // The window slides: the first event leaves it at t0 + 1 s.
    EXPECT_FALSE(limiter.try_acquire("alice", t0 + 999ms));
    EXPECT_TRUE(limiter.try_acquire("alice", t0 + 1000ms));
    EXPECT_FALSE(limiter.try_acquire("alice", t0 + 1050ms));
}

TEST(ChatRateLimiter, ZeroMeansNoLimit) {
    rate_limiter limiter(0, 1000ms);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.try_acquire("alice"));
    EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(ChatRateLimiter, ForgetsIdleKeys) {
    rate_limiter limiter(2, 1000ms);
    const auto t0 = rate_limiter::clock::time_point{} + 1h;
    limiter.try_acquire("alice", t0);
    limiter.try_acquire("bob", t0 + 800ms);
    limiter.forget_idle(t0 + 1200ms);
    EXPECT_EQ(limiter.tracked_keys(), 1u);
    limiter.forget_idle(t0 + 2000ms);
    EXPECT_EQ(limiter.tracked_keys(), 0u);
}

}  // namespace
}  // namespace switchboard::plugins::chat
