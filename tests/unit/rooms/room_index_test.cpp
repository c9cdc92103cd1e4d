// The per-worker room index: membership answers, emptied rooms dropped, lookups by
// string_view without building a string.
#include "kernel/rooms/room_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace {

using switchboard::kernel::rooms::room_index;

struct member {
    int id;
};

std::map<std::string, std::set<int>> contents(const room_index<member>& index) {
    std::map<std::string, std::set<int>> out;
    index.for_each_room([&](const std::string& name, const auto& members) {
        for (const member* m : members) out[name].insert(m->id);
    });
    return out;
}

TEST(RoomIndex, JoinSaysWhetherTheMemberWasNew) {
    room_index<member> index;
    member a{1};
    EXPECT_TRUE(index.join("lobby", &a));
    EXPECT_FALSE(index.join("lobby", &a));
    ASSERT_NE(index.find("lobby"), nullptr);
    EXPECT_EQ(index.find("lobby")->size(), 1u);
}

TEST(RoomIndex, LeaveSaysWhetherTheMemberWasThereAndDropsEmptiedRooms) {
    room_index<member> index;
    member a{1}, b{2};
    index.join("lobby", &a);
    index.join("lobby", &b);
    EXPECT_TRUE(index.leave("lobby", &a));
    EXPECT_FALSE(index.leave("lobby", &a));
    EXPECT_EQ(index.room_count(), 1u);
    EXPECT_TRUE(index.leave("lobby", &b));
    EXPECT_EQ(index.find("lobby"), nullptr);
    EXPECT_EQ(index.room_count(), 0u);
    EXPECT_FALSE(index.leave("never-created", &a));
    EXPECT_EQ(index.room_count(), 0u) << "leaving an unknown room must not create it";
}

TEST(RoomIndex, RoomsAreIndependentAndNamesAreExact) {
    room_index<member> index;
    member a{1}, b{2}, c{3};
    index.join("game:1", &a);
    index.join("game:1", &b);
    index.join("game:10", &c);
    index.join("Game:1", &c);
    index.join("", &a);   // the empty name is a room like any other
    const std::map<std::string, std::set<int>> expected = {
        {"game:1", {1, 2}}, {"game:10", {3}}, {"Game:1", {3}}, {"", {1}}};
    EXPECT_EQ(contents(index), expected);
    EXPECT_EQ(index.find("game:"), nullptr);
}

TEST(RoomIndex, FindTakesAStringViewIntoLargerText) {
    room_index<member> index;
    member a{1};
    index.join("chat", &a);
    const std::string text = "chatter";
    EXPECT_TRUE(index.find(std::string_view(text).substr(0, 4))->contains(&a));
    EXPECT_EQ(index.find(std::string_view(text)), nullptr);
}

TEST(RoomIndex, ManyMembersComeAndGoWithoutLeftovers) {
    room_index<member> index;
    std::vector<member> members;
    for (int i = 0; i < 1000; ++i) members.push_back(member{i});
    for (auto& m : members) {
        index.join("all", &m);
        index.join("room:" + std::to_string(m.id % 10), &m);
    }
    EXPECT_EQ(index.room_count(), 11u);
    EXPECT_EQ(index.find("all")->size(), 1000u);
    EXPECT_EQ(index.find("room:3")->size(), 100u);
    for (auto& m : members) {
        EXPECT_TRUE(index.leave("all", &m));
        EXPECT_TRUE(index.leave("room:" + std::to_string(m.id % 10), &m));
    }
    EXPECT_EQ(index.room_count(), 0u);
}

}  // namespace
