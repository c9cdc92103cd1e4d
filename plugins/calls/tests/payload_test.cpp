#include "payload.hpp"

#include <switchboard/testing.hpp>

#include <gtest/gtest.h>

namespace switchboard::plugins::calls {
namespace {

using sdk::testing::error_code_of;

TEST(CallsPayload, ReadsAnInvite) {
    const auto one = read_invite(json{{"to", "bob"}}, "alice", 8);
    EXPECT_EQ(one.invitees, (std::vector<std::string>{"bob"}));
    EXPECT_EQ(one.media, "audio");
    const auto group = read_invite(json{{"to", {"bob", "carol", "bob"}}, {"media", "video"}, {"metadata", {{"x", 1}}}},
                                   "alice", 8);
    EXPECT_EQ(group.invitees, (std::vector<std::string>{"bob", "carol"}));
    EXPECT_EQ(group.media, "video");
    EXPECT_EQ(group.metadata, (json{{"x", 1}}));
}

TEST(CallsPayload, RefusesBadInvites) {
    const auto invite = [](json p) { return error_code_of([&] { read_invite(p, "alice", 3); }); };
    EXPECT_EQ(invite(json::object()), "invalid_payload");
    EXPECT_EQ(invite({{"to", json::array()}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", "alice"}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", 7}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", {"b", "c", "d"}}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", "bob"}, {"media", "fax"}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", "bob"}, {"metadata", "x"}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", "bob"}, {"metadata", {{"x", std::string(5000, 'x')}}}}), "invalid_payload");
    EXPECT_EQ(invite({{"to", {"b", "c"}}}), "");
}

TEST(CallsPayload, ReadsSignals) {
    const auto s = read_signal(json{{"callId", "c1"}, {"to", "bob"}, {"kind", "offer"}, {"payload", {{"sdp", "v=0"}}}},
                               1024);
    EXPECT_EQ(s.kind, "offer");
    EXPECT_EQ(s.payload["sdp"], "v=0");
    const auto signal = [](json p) { return error_code_of([&] { read_signal(p, 1024); }); };
    EXPECT_EQ(signal({{"callId", "c1"}, {"to", "bob"}, {"kind", "hello"}, {"payload", 1}}), "invalid_payload");
    EXPECT_EQ(signal({{"callId", "c1"}, {"to", "bob"}, {"kind", "offer"}}), "invalid_payload");
    EXPECT_EQ(signal({{"to", "bob"}, {"kind", "offer"}, {"payload", 1}}), "invalid_payload");
    EXPECT_EQ(signal({{"callId", "c1"}, {"to", "bob"}, {"kind", "offer"}, {"payload", std::string(2000, 'x')}}),
              "invalid_payload");
}

TEST(CallsPayload, ReasonDefaultsToDeclined) {
    EXPECT_EQ(read_reason(json::object()), "declined");
    EXPECT_EQ(read_reason(json{{"reason", "driving"}}), "driving");
    EXPECT_EQ(error_code_of([] { read_reason(json{{"reason", std::string(65, 'x')}}); }), "invalid_payload");
}

}  // namespace
}  // namespace switchboard::plugins::calls
