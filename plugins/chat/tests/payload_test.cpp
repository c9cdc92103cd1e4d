#include "payload.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::chat {
namespace {

std::string code_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const sdk::error& e) {
        return e.code();
    }
    return "";
}

TEST(ChatPayload, PayloadMustBeAnObject) {
    EXPECT_EQ(code_of([] { payload_of(json::array({"x"})); }), "invalid_payload");
    EXPECT_EQ(code_of([] { payload_of(json::array()); }), "invalid_payload");
    EXPECT_TRUE(payload_of(json::array(), true).is_object());
    EXPECT_TRUE(payload_of(json::array({nullptr}), true).is_object());
    EXPECT_EQ(payload_of(json::array({{{"room", 1}}}))["room"], 1);
}

TEST(ChatPayload, IdsArePositiveIntegers) {
    EXPECT_EQ(read_id({{"room", 7}}, "room"), 7);
    for (const json& bad : {json("7"), json(0), json(-3), json(1.5), json(true), json::array({1}),
                           json(18446744073709551615ULL)})
        EXPECT_EQ(code_of([&] { read_id({{"room", bad}}, "room"); }), "invalid_payload") << bad.dump();
    EXPECT_EQ(code_of([] { read_id(json::object(), "room"); }), "invalid_payload");
    EXPECT_FALSE(read_optional_id(json::object(), "before"));
    EXPECT_FALSE(read_optional_id({{"before", nullptr}}, "before"));
}

TEST(ChatPayload, TextIsCheckedForBlanksLengthAndControls) {
    EXPECT_EQ(read_text({{"text", "héllo"}}, "text", 5), "héllo");
    EXPECT_EQ(code_of([] { read_text({{"text", "hello!"}}, "text", 5); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_text({{"text", " \n\t "}}, "text", 5); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_text({{"text", ""}}, "text", 5); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_text({{"text", std::string("a\0b", 3)}}, "text", 5); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_text({{"text", 42}}, "text", 5); }), "invalid_payload");
    EXPECT_EQ(read_text({{"text", "a\nb"}}, "text", 5), "a\nb");
    EXPECT_EQ(code_of([] { read_room_name({{"name", "a\nb"}}, "name"); }), "invalid_payload");
}

TEST(ChatPayload, UserIdsAreDistinctBoundedStrings) {
    EXPECT_EQ(read_user_ids({{"members", {"a", "b", "a"}}}, "members"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(code_of([] { read_user_ids({{"members", {"a", 3}}}, "members"); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_user_ids({{"members", "a"}}, "members"); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_user_id({{"user", std::string(256, 'x')}}, "user"); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_user_id({{"user", ""}}, "user"); }), "invalid_payload");
}

TEST(ChatPayload, LimitsAndEmoji) {
    EXPECT_EQ(read_limit(json::object(), "limit", 50, 100), 50u);
    EXPECT_EQ(read_limit({{"limit", 100}}, "limit", 50, 100), 100u);
    EXPECT_EQ(code_of([] { read_limit({{"limit", 101}}, "limit", 50, 100); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_limit({{"limit", 0}}, "limit", 50, 100); }), "invalid_payload");
    EXPECT_EQ(read_emoji({{"emoji", "👍"}}, "emoji"), "👍");
    EXPECT_EQ(code_of([] { read_emoji({{"emoji", "a b"}}, "emoji"); }), "invalid_payload");
    EXPECT_EQ(code_of([] { read_emoji({{"emoji", std::string(33, 'x')}}, "emoji"); }), "invalid_payload");
}

TEST(ChatPayload, Utf8LengthCountsCodePoints) {
    EXPECT_EQ(utf8_length(""), 0u);
    EXPECT_EQ(utf8_length("abc"), 3u);
    EXPECT_EQ(utf8_length("café"), 4u);
    EXPECT_EQ(utf8_length("👍👍"), 2u);
}

}  // namespace
}  // namespace switchboard::plugins::chat
