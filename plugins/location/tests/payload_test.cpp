#include "payload.hpp"

#include <switchboard/testing.hpp>

#include <gtest/gtest.h>

namespace switchboard::plugins::location {
namespace {

using sdk::testing::error_code_of;

TEST(LocationPayload, ReadsAShareToARoom) {
    const auto r = read_share(json{{"room", "team"}, {"lat", 35.6762}, {"lng", 139.6503}, {"accuracy", 12.5}},
                              "alice", 10);
    EXPECT_EQ(r.to.room, "team");
    EXPECT_DOUBLE_EQ(r.where.lat, 35.6762);
    EXPECT_DOUBLE_EQ(r.where.lng, 139.6503);
    EXPECT_EQ(r.where.accuracy, 12.5);
    EXPECT_FALSE(r.where.heading);
    EXPECT_FALSE(r.where.speed);
}

TEST(LocationPayload, ReadsAShareToUsersSortedAndDistinct) {
    const auto r = read_share(json{{"users", {"carol", "bob", "carol"}}, {"lat", 0}, {"lng", 0}, {"heading", 359.9}},
                              "alice", 10);
    EXPECT_FALSE(r.to.room);
    EXPECT_EQ(r.to.users, (std::vector<std::string>{"bob", "carol"}));
    EXPECT_EQ(r.where.heading, 359.9);
}

TEST(LocationPayload, RefusesCoordinatesOutOfRange) {
    const auto share = [](json p) { return error_code_of([&] { read_share(p, "alice", 10); }); };
    EXPECT_EQ(share({{"room", "r"}, {"lat", 90.0001}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", -91}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", 0}, {"lng", 180.5}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", "1"}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", true}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", 0}, {"lng", 0}, {"accuracy", -1}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", 0}, {"lng", 0}, {"heading", 360}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", 0}, {"lng", 0}, {"speed", -0.1}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"lat", 90}, {"lng", -180}}), "");
}

TEST(LocationPayload, NeedsExactlyOneAudience) {
    const auto share = [](json p) { return error_code_of([&] { read_share(p, "alice", 2); }); };
    EXPECT_EQ(share({{"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "r"}, {"users", {"bob"}}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"users", json::array()}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"users", {"bob", "carol", "dan"}}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"users", {"alice"}}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"users", {""}}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", ""}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", std::string(129, 'x')}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
    EXPECT_EQ(share({{"room", "a\nb"}, {"lat", 0}, {"lng", 0}}), "invalid_payload");
}

TEST(LocationPayload, PayloadMustBeAnObject) {
    EXPECT_EQ(error_code_of([] { payload_of(json::array({"x"})); }), "invalid_payload");
    EXPECT_EQ(error_code_of([] { payload_of(json::array()); }), "invalid_payload");
    EXPECT_TRUE(payload_of(json::array(), true).empty());
    EXPECT_TRUE(payload_of(json::array({nullptr}), true).empty());
}

TEST(LocationPayload, StopTakesRoomUsersOrNothing) {
    EXPECT_EQ(read_stop(json{{"room", "r"}}, 5).room, "r");
    EXPECT_EQ(read_stop(json{{"users", {"b", "a"}}}, 5).users, (std::vector<std::string>{"a", "b"}));
    const auto all = read_stop(json::object(), 5);
    EXPECT_FALSE(all.room);
    EXPECT_TRUE(all.users.empty());
    EXPECT_EQ(error_code_of([] { read_stop(json{{"room", "r"}, {"users", {"a"}}}, 5); }), "invalid_payload");
}

}  // namespace
}  // namespace switchboard::plugins::location
