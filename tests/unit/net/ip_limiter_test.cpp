#include "kernel/net/ip_limiter.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace switchboard::kernel::net {
namespace {

TEST(IpLimiter, HoldsAPlacePerConnectionAndGivesItBack) {
    auto limiter = std::make_shared<ip_limiter>(2, 0);
    auto a = limiter->open_connection("192.0.2.1");
    auto b = limiter->open_connection("192.0.2.1");
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(limiter->open_connection("192.0.2.1"));
    EXPECT_TRUE(limiter->open_connection("192.0.2.2"));
    a.reset();
    EXPECT_TRUE(limiter->open_connection("192.0.2.1"));
    b.reset();
    EXPECT_EQ(limiter->tracked(), 0u);   // nothing kept for addresses that left
}

TEST(IpLimiter, LimitsHandshakesPerSecond) {
    auto limiter = std::make_shared<ip_limiter>(0, 3);
    EXPECT_TRUE(limiter->allow_handshake("192.0.2.1"));
    EXPECT_TRUE(limiter->allow_handshake("192.0.2.1"));
    EXPECT_TRUE(limiter->allow_handshake("192.0.2.1"));
    EXPECT_FALSE(limiter->allow_handshake("192.0.2.1"));
    EXPECT_TRUE(limiter->allow_handshake("192.0.2.2"));
    EXPECT_TRUE(std::make_shared<ip_limiter>(0, 0)->allow_handshake("192.0.2.1"));
}

}  // namespace
}  // namespace switchboard::kernel::net
