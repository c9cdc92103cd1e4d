#include "kernel/core/address_range.hpp"

#include <gtest/gtest.h>

namespace switchboard::kernel {
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
    EXPECT_TRUE(address_allowed({}, "203.0.113.9"));
    EXPECT_FALSE(address_allowed({ten}, "203.0.113.9"));
}

}  // namespace
}  // namespace switchboard::kernel
