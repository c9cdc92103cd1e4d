// A room's member list: constant-time join and leave over one array, each member once,
// and a leaving member's place taken by the last so the others all stay reachable.
#include "kernel/rooms/member_list.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace {

using switchboard::kernel::rooms::member_list;

struct member {
    int id;
};

std::set<int> ids(const member_list<member>& list) {
    std::set<int> out;
    for (const member* m : list) out.insert(m->id);
    return out;
}

TEST(MemberList, InsertSaysWhetherTheMemberWasNew) {
    member_list<member> list;
    member a{1};
    EXPECT_TRUE(list.insert(&a));
    EXPECT_FALSE(list.insert(&a));
    EXPECT_EQ(list.size(), 1u);
    EXPECT_TRUE(list.contains(&a));
}

TEST(MemberList, EraseSaysWhetherTheMemberWasThere) {
    member_list<member> list;
    member a{1}, b{2};
    list.insert(&a);
    EXPECT_FALSE(list.erase(&b));
    EXPECT_TRUE(list.erase(&a));
    EXPECT_FALSE(list.erase(&a));
    EXPECT_TRUE(list.empty());
}

TEST(MemberList, LeavingFromAnyPlaceKeepsEveryOtherMemberReachable) {
    std::vector<member> members;
    for (int i = 0; i < 100; ++i) members.push_back(member{i});
    member_list<member> list;
    for (auto& m : members) list.insert(&m);
    std::set<int> expected;
    for (int i = 0; i < 100; ++i) expected.insert(i);
    // First, last and middle places, then re-joins: positions must follow the moves.
    for (int i : {0, 99, 50, 1, 98, 49}) {
        EXPECT_TRUE(list.erase(&members[i]));
        expected.erase(i);
        EXPECT_EQ(ids(list), expected);
    }
    for (int i : {50, 0}) {
        EXPECT_TRUE(list.insert(&members[i]));
        expected.insert(i);
    }
    for (int i = 0; i < 100; ++i) EXPECT_EQ(list.contains(&members[i]), expected.contains(i)) << i;
    for (int i = 0; i < 100; i += 3) {
        EXPECT_EQ(list.erase(&members[i]), expected.erase(i) == 1) << i;
        EXPECT_EQ(ids(list), expected);
    }
    EXPECT_EQ(list.size(), expected.size());
}

}  // namespace
