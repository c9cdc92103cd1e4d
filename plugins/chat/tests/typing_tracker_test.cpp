#include "typing_tracker.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace switchboard::plugins::chat {
namespace {

using namespace std::chrono_literals;

struct recorder {
    std::vector<std::string> events;
    typing_tracker::notify_fn fn() {
        return [this](std::int64_t room, const std::string& user, bool typing) {
            events.push_back((typing ? "start " : "stop ") + std::to_string(room) + " " + user);
        };
    }
};

const auto t0 = typing_tracker::clock::time_point{} + 1h;

TEST(ChatTypingTracker, AnnouncesStartOnceAndStopOnce) {
    recorder r;
    typing_tracker tracker(5000ms, r.fn());
    EXPECT_TRUE(tracker.start(1, "alice", 10, t0));
    EXPECT_FALSE(tracker.start(1, "alice", 10, t0 + 1s));
    EXPECT_TRUE(tracker.stop(1, "alice"));
    EXPECT_FALSE(tracker.stop(1, "alice"));
    EXPECT_EQ(r.events, (std::vector<std::string>{"start 1 alice", "stop 1 alice"}));
}

TEST(ChatTypingTracker, RenewalPushesTheDeadline) {
    recorder r;
    typing_tracker tracker(5000ms, r.fn());
    tracker.start(1, "alice", 10, t0);
    tracker.start(1, "alice", 10, t0 + 4s);
    tracker.expire(t0 + 6s);
    EXPECT_EQ(tracker.size(), 1u);
    tracker.expire(t0 + 9s);
    EXPECT_EQ(tracker.size(), 0u);
    EXPECT_EQ(r.events, (std::vector<std::string>{"start 1 alice", "stop 1 alice"}));
}

TEST(ChatTypingTracker, LeavingOrDisconnectingClearsOnlyThatSocket) {
    recorder r;
    typing_tracker tracker(5000ms, r.fn());
    tracker.start(1, "alice", 10, t0);
    tracker.start(2, "alice", 10, t0);
    tracker.start(1, "bob", 20, t0);
    tracker.left(10, 1);
    EXPECT_EQ(r.events.back(), "stop 1 alice");
    tracker.left(99, 1);   // not bob's socket
    EXPECT_EQ(tracker.size(), 2u);
    tracker.disconnected(10);
    EXPECT_EQ(r.events.back(), "stop 2 alice");
    EXPECT_EQ(tracker.size(), 1u);
}

}  // namespace
}  // namespace switchboard::plugins::chat
