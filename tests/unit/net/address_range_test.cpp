#include "kernel/net/address_range.hpp"
#include "kernel/net/ip_limiter.hpp"

#include <gtest/gtest.h>

namespace switchboard::kernel::net {
namespace {

TEST(AddressRange, ParsesAddressesAndCidrRanges) {
    EXPECT_TRUE(address_range::parse("127.0.0.1"));
    EXPECT_TRUE(address_range::parse("10.0.0.0/8"));
    EXPECT_TRUE(address_range::parse("::1"));
    EXPECT_TRUE(address_range::parse("fd00::/8"));
    EXPECT_FALSE(address_range::parse("10.0.0.0/33"));
    EXPECT_FALSE(address_range::parse("10.0.0.0/"));
    EXPECT_FALSE(address_range::parse("localhost"));
    EXPECT_FALSE(address_range::parse("10.0.0.0/8x"));
}

TEST(AddressRange, MatchesPeers) {
    const auto ten = *address_range::parse("10.0.0.0/8");
    EXPECT_TRUE(ten.contains("10.1.2.3"));
    EXPECT_FALSE(ten.contains("11.0.0.1"));
    EXPECT_TRUE(ten.contains("::ffff:10.9.9.9"));   // an IPv4 peer on a dual-stack socket
    const auto loopback6 = *address_range::parse("::1");
    EXPECT_TRUE(loopback6.contains("::1"));
    EXPECT_FALSE(loopback6.contains("127.0.0.1"));
    EXPECT_TRUE(allowed({}, "203.0.113.9"));
    EXPECT_FALSE(allowed({ten}, "203.0.113.9"));
}

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
