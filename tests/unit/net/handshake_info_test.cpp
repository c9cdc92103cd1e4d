// handshake_info: what Engine.IO (EIO=3/4), authentication (a Bearer header or a token
// in the query) and socket.handshake read from the request that opened a session.
#include "kernel/net/handshake_info.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

TEST(handshake_info, headers_keep_every_header_in_order_repeats_and_empty_values_too) {
    const std::vector<std::pair<std::string, std::string>> received = {
        {"host", "example.org"}, {"x-empty", ""}, {"x-repeated", "one"}, {"x-repeated", "two"},
        {"user-agent", std::string(300, 'u')}};
    const header_list headers(received);
    std::vector<std::pair<std::string, std::string>> seen;
    for (const auto& [name, value] : headers) seen.emplace_back(name, value);
    EXPECT_EQ(seen, received);
    EXPECT_EQ(headers.find("user-agent").size(), 300u);
    const header_list none;
    EXPECT_TRUE(none.empty());
    EXPECT_TRUE(none.begin() == none.end());
}

}  // namespace
}  // namespace switchboard::kernel::net
