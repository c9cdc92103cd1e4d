#include "editing_tracker.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::collab {
namespace {

using namespace std::chrono_literals;
const auto t0 = editing_tracker::clock::time_point{} + 1h;
const editing_tracker::key alice{"/yjs|notes", "alice"};

TEST(CollabEditing, AnnouncesTheFirstStartAndTheStop) {
    editing_tracker editing(1000ms);
    EXPECT_TRUE(editing.start(alice, 1, t0));
    EXPECT_FALSE(editing.start(alice, 2, t0 + 10ms)) << "another device of an editing user";
    EXPECT_TRUE(editing.stop(alice));
    EXPECT_FALSE(editing.stop(alice));
}

TEST(CollabEditing, ExpiresWithoutANewStart) {
    editing_tracker editing(1000ms);
    editing.start(alice, 1, t0);
    editing.start(alice, 1, t0 + 500ms);
    EXPECT_TRUE(editing.expire(t0 + 1499ms).empty());
    EXPECT_EQ(editing.expire(t0 + 1500ms), (std::vector<editing_tracker::key>{alice}));
}

TEST(CollabEditing, StopsWhenTheLastEditingSocketLeaves) {
    editing_tracker editing(1000ms);
    editing.start(alice, 1, t0);
    editing.start(alice, 2, t0);
    EXPECT_TRUE(editing.disconnected(1).empty());
    EXPECT_EQ(editing.disconnected(2).size(), 1u);
}

}  // namespace
}  // namespace switchboard::plugins::collab
