// Chat's own readers; the SDK's (payload_of, read_id, read_text...) are tested in
// tests/sdk/payload_readers_test.cpp.
#include "payload.hpp"

#include <switchboard/testing.hpp>

#include <gtest/gtest.h>

namespace switchboard::plugins::chat {
namespace {

using sdk::testing::error_code_of;

TEST(ChatPayload, RoomNamesAreOneLine) {
    EXPECT_EQ(read_room_name({{"name", "general"}}, "name"), "general");
    EXPECT_EQ(error_code_of([] { read_room_name({{"name", "a\nb"}}, "name"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_room_name({{"name", std::string(101, 'x')}}, "name"); }), "invalid_payload");
}

TEST(ChatPayload, UserIdsAreDistinctBoundedStrings) {
    EXPECT_EQ(read_user_ids({{"members", {"a", "b", "a"}}}, "members"), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(read_user_ids(json::object(), "members").empty());
    EXPECT_EQ(error_code_of([] { read_user_ids({{"members", {"a", 3}}}, "members"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_user_ids({{"members", "a"}}, "members"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_user_ids({{"members", {std::string(256, 'x')}}}, "members"); }),
              "invalid_payload");
}

TEST(ChatPayload, Emoji) {
    EXPECT_EQ(read_emoji({{"emoji", "👍"}}, "emoji"), "👍");
    EXPECT_EQ(error_code_of([] { read_emoji({{"emoji", "a b"}}, "emoji"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_emoji({{"emoji", std::string(33, 'x')}}, "emoji"); }), "invalid_payload");
}

}  // namespace
}  // namespace switchboard::plugins::chat
