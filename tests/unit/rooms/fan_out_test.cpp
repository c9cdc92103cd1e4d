#include "kernel/rooms/fan_out.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace switchboard::kernel::rooms {
namespace {

struct member {
    std::string id;
    std::uint64_t broadcast_mark = 0;
};

// Three members, as a worker holds them: by id, and in rooms.
class FanOut : public ::testing::Test {
protected:
    FanOut() {
        for (auto* m : {&ann, &ben, &cat}) by_id[m->id] = m;
        index.join("red", &ann);
        index.join("red", &ben);
        index.join("blue", &ben);
        index.join("blue", &cat);
    }

    // The ids `target` reaches, in visiting order.
    std::vector<std::string> reached(const std::vector<std::string>& rooms, const std::vector<std::string>& except = {},
                                     member* sender = nullptr) {
        std::vector<std::string> ids;
        for_each_recipient(index, by_id, ++epoch, fan_out_target<member>{rooms, except, sender},
                           [&](member* m) { ids.push_back(m->id); });
        return ids;
    }
    static std::vector<std::string> sorted(std::vector<std::string> ids) {
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    member ann{"ann"}, ben{"ben"}, cat{"cat"};
    std::map<std::string, member*, std::less<>> by_id;
    room_index<member> index;
    std::uint64_t epoch = 0;
};

TEST_F(FanOut, NoRoomMeansEveryMember) {
    EXPECT_EQ(sorted(reached({})), (std::vector<std::string>{"ann", "ben", "cat"}));
}

TEST_F(FanOut, AMemberOfSeveralNamedRoomsIsReachedOnce) {
    EXPECT_EQ(sorted(reached({"red", "blue"})), (std::vector<std::string>{"ann", "ben", "cat"}));
    EXPECT_EQ(sorted(reached({"red", "red"})), (std::vector<std::string>{"ann", "ben"}));
}

TEST_F(FanOut, ExceptedRoomsAndTheSenderAreSkipped) {
    EXPECT_EQ(sorted(reached({"red", "blue"}, {"blue"})), (std::vector<std::string>{"ann"}));
    EXPECT_EQ(sorted(reached({}, {}, &ben)), (std::vector<std::string>{"ann", "cat"}));
    EXPECT_EQ(sorted(reached({"blue"}, {"red"}, &cat)), (std::vector<std::string>{}));
}

TEST_F(FanOut, AnIdIsARoomOfItsMember) {
    EXPECT_EQ(reached({"cat"}), (std::vector<std::string>{"cat"}));
    EXPECT_EQ(sorted(reached({"red"}, {"ann"})), (std::vector<std::string>{"ben"}));
    EXPECT_EQ(sorted(reached({"cat", "blue"})), (std::vector<std::string>{"ben", "cat"}));
}

TEST_F(FanOut, UnknownRoomsReachNobody) {
    EXPECT_TRUE(reached({"green"}).empty());
    EXPECT_EQ(sorted(reached({"red"}, {"green"})), (std::vector<std::string>{"ann", "ben"}));
}

TEST_F(FanOut, MarksOfAnEarlierBroadcastNeverHideAMember) {
    // The first skips ben (sender) and marks the others; the next broadcast still
    // reaches all three.
    EXPECT_EQ(sorted(reached({}, {}, &ben)), (std::vector<std::string>{"ann", "cat"}));
    EXPECT_EQ(sorted(reached({"red", "blue"})), (std::vector<std::string>{"ann", "ben", "cat"}));
}

}  // namespace
}  // namespace switchboard::kernel::rooms
