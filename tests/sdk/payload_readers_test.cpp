// The SDK's payload readers (switchboard/payload.hpp), which every C++ plugin reads
// its clients' fields with: tested once here rather than again in each plugin's tests.
#include <switchboard/payload.hpp>
#include <switchboard/testing.hpp>

#include <gtest/gtest.h>

namespace switchboard::sdk::payload {
namespace {

using testing::error_code_of;

TEST(SdkPayload, PayloadMustBeAnObject) {
    EXPECT_EQ(error_code_of([] { payload_of(json::array({"x"})); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { payload_of(json::array()); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { payload_of(json::array({nullptr})); }), "invalid_payload");
    EXPECT_TRUE(payload_of(json::array(), true).is_object());
    EXPECT_TRUE(payload_of(json::array({nullptr}), true).is_object());
    EXPECT_EQ(error_code_of([] { payload_of(json::array({"x"}), true); }), "invalid_payload");
    EXPECT_EQ(payload_of(json::array({{{"postId", 1}}}))["postId"], 1);
}

TEST(SdkPayload, IdsArePositiveIntegers) {
    EXPECT_EQ(read_id({{"postId", 7}}, "postId"), 7);
    for (const json& bad : {json("7"), json(0), json(-3), json(1.5), json(true), json::array({1}),
                           json(18446744073709551615ULL)})
        EXPECT_EQ(error_code_of([&] { read_id({{"postId", bad}}, "postId"); }), "invalid_payload") << bad.dump();
    EXPECT_EQ(error_code_of([] { read_id(json::object(), "postId"); }), "invalid_payload");
    EXPECT_FALSE(read_optional_id(json::object(), "before"));
    EXPECT_FALSE(read_optional_id({{"before", nullptr}}, "before"));
}

TEST(SdkPayload, TextIsCheckedForBlanksLengthAndControls) {
    EXPECT_EQ(read_text({{"body", "héllo"}}, "body", 5), "héllo");
    EXPECT_EQ(read_text({{"body", "two\nlines"}}, "body", 20), "two\nlines");
    EXPECT_EQ(error_code_of([] { read_text({{"body", "hello!"}}, "body", 5); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_text({{"body", " \n\t "}}, "body", 5); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_text({{"body", ""}}, "body", 5); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_text({{"body", 5}}, "body", 5); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_text({{"body", std::string("a\0b", 3)}}, "body", 5); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_text({{"title", "two\nlines"}}, "title", 20, true); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_text(json::object(), "title", 20); }), "invalid_payload");
    EXPECT_FALSE(read_optional_text(json::object(), "title", 20));
    // A megabyte is refused on its byte count alone.
    EXPECT_EQ(error_code_of([] { read_text({{"body", std::string(1 << 20, 'a')}}, "body", 1000); }),
              "invalid_payload");
}

TEST(SdkPayload, FlagsAndLimits) {
    EXPECT_EQ(read_optional_flag({{"liked", true}}, "liked"), true);
    EXPECT_FALSE(read_optional_flag(json::object(), "liked"));
    EXPECT_EQ(error_code_of([] { read_optional_flag({{"liked", "yes"}}, "liked"); }), "invalid_payload");
    EXPECT_EQ(read_limit(json::object(), "limit", 20, 100), 20u);
    EXPECT_EQ(read_limit({{"limit", 100}}, "limit", 20, 100), 100u);
    EXPECT_EQ(error_code_of([] { read_limit({{"limit", 101}}, "limit", 20, 100); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_limit({{"limit", 0}}, "limit", 20, 100); }), "invalid_payload");
}

TEST(SdkPayload, UserIdsAreBoundedStrings) {
    EXPECT_EQ(read_user_id({{"author", "alice"}}, "author"), "alice");
    EXPECT_EQ(error_code_of([] { read_user_id({{"author", ""}}, "author"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_user_id({{"author", std::string(256, 'a')}}, "author"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_user_id({{"author", 42}}, "author"); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { read_user_id({{"author", "a\tb"}}, "author"); }), "invalid_payload");
}

TEST(SdkPayload, Utf8LengthCountsCodePoints) {
    EXPECT_EQ(utf8_length(""), 0u);
    EXPECT_EQ(utf8_length("abc"), 3u);
    EXPECT_EQ(utf8_length("café"), 4u);
    EXPECT_EQ(utf8_length("👍👍"), 2u);
}

TEST(SdkTesting, ErrorCodeOfIsEmptyWhenNothingWasRefused) {
    EXPECT_EQ(error_code_of([] {}), "");
    EXPECT_EQ(error_code_of([] { throw error("busy", "the user is in a call"); }), "busy");
}

}  // namespace
}  // namespace switchboard::sdk::payload
