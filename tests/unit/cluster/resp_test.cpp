#include "kernel/cluster/resp.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "kernel/cluster/redis_client.hpp"

namespace switchboard::kernel::cluster {
namespace {

TEST(resp, encodes_a_command_as_bulk_strings_binary_safe) {
    const std::string payload("a\r\n\0b", 5);
    EXPECT_EQ(encode_command({"PUBLISH", "ch", payload}), std::string("*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$5\r\na\r\n\0b\r\n", 36));
}

TEST(resp, parses_every_reply_kind) {
    resp_parser parser;
    parser.feed("+OK\r\n-ERR wrong\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n$1\r\nx\r\n:7\r\n");
    bool malformed = false;
    auto simple = parser.next(malformed);
    ASSERT_TRUE(simple);
    EXPECT_EQ(simple->type, resp_value::kind::simple);
    EXPECT_EQ(simple->text, "OK");
    auto error = parser.next(malformed);
    ASSERT_TRUE(error && error->is_error());
    EXPECT_EQ(error->text, "ERR wrong");
    auto integer = parser.next(malformed);
    ASSERT_TRUE(integer);
    EXPECT_EQ(integer->integer, 42);
    auto bulk = parser.next(malformed);
    ASSERT_TRUE(bulk);
    EXPECT_EQ(bulk->text, "abc");
    auto null = parser.next(malformed);
    ASSERT_TRUE(null);
    EXPECT_EQ(null->type, resp_value::kind::null);
    auto array = parser.next(malformed);
    ASSERT_TRUE(array && array->is_array());
    ASSERT_EQ(array->elements.size(), 2u);
    EXPECT_EQ(array->elements[0].text, "x");
    EXPECT_EQ(array->elements[1].integer, 7);
    EXPECT_FALSE(parser.next(malformed));
    EXPECT_FALSE(malformed);
}

TEST(resp, waits_for_a_reply_split_across_reads) {
    resp_parser parser;
    bool malformed = false;
    const std::string whole = "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n";
    for (std::size_t i = 0; i + 1 < whole.size(); ++i) {
        parser.feed(whole.substr(i, 1));
        EXPECT_FALSE(parser.next(malformed)) << "complete after " << i + 1 << " bytes";
        EXPECT_FALSE(malformed);
    }
    parser.feed(whole.substr(whole.size() - 1));
    const auto push = parser.next(malformed);
    ASSERT_TRUE(push);
    EXPECT_EQ(push->elements[2].text, "hello");
}

TEST(resp, refuses_a_stream_that_is_not_resp) {
    for (const std::string bad : {"?what\r\n", "$-5\r\n", ":12x\r\n", "*-2\r\n", "$99999999999\r\n"}) {
        resp_parser parser;
        parser.feed(bad);
        bool malformed = false;
        EXPECT_FALSE(parser.next(malformed)) << bad;
        EXPECT_TRUE(malformed) << bad;
    }
}

TEST(redis_endpoint, reads_host_port_password_and_database) {
    const auto plain = redis_endpoint::parse("redis://cache.local");
    EXPECT_EQ(plain.host, "cache.local");
    EXPECT_EQ(plain.port, "6379");
    const auto full = redis_endpoint::parse("redis://user:s3cret@10.1.2.3:6380/4");
    EXPECT_EQ(full.host, "10.1.2.3");
    EXPECT_EQ(full.port, "6380");
    EXPECT_EQ(full.password, "s3cret");
    EXPECT_EQ(full.db, 4);
    EXPECT_EQ(redis_endpoint::parse("redis://:pw@h:1").password, "pw");
}

TEST(redis_endpoint, refuses_what_is_not_a_redis_url) {
    for (const char* bad : {"http://h:1", "redis://h:port", "redis://h:1/x", "redis://h:1/-1"})
        EXPECT_THROW(redis_endpoint::parse(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace switchboard::kernel::cluster
