// handshake_info: what Engine.IO (EIO=3/4), authentication (a Bearer header or a token
// in the query) and socket.handshake read from the request that opened a session.
#include "kernel/net/handshake_info.hpp"

#include <gtest/gtest.h>

namespace switchboard::kernel::net {
namespace {

handshake_info sample() {
    handshake_info info;
    info.query = "EIO=4&transport=polling&token=a%2Bb%3D&empty=&flag";
    info.headers = {{"authorization", "Bearer first"}, {"x-repeated", "one"}, {"x-repeated", "two"}};
    return info;
}

TEST(handshake_info, query_parameters_are_percent_decoded_and_absent_ones_are_nothing) {
    const auto info = sample();
    EXPECT_EQ(info.query_param("EIO"), "4");
    EXPECT_EQ(info.query_param("token"), "a+b=");
    EXPECT_EQ(info.query_param("empty"), "");
    EXPECT_EQ(info.query_param("flag"), "");   // present without a value
    EXPECT_EQ(info.query_param("sid"), std::nullopt);
    EXPECT_EQ(info.query_param("eio"), std::nullopt);   // names are case-sensitive
}

TEST(handshake_info, headers_are_found_by_lower_case_name_first_one_wins) {
    const auto info = sample();
    EXPECT_EQ(info.header("authorization"), "Bearer first");
    EXPECT_EQ(info.header("x-repeated"), "one");
    EXPECT_EQ(info.header("cookie"), "");
}

}  // namespace
}  // namespace switchboard::kernel::net
