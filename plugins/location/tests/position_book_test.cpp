#include "position_book.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::location {
namespace {

using namespace std::chrono_literals;

const auto t0 = position_book::clock::time_point{} + 1h;

audience room(std::string name) { return {std::move(name), {}}; }
audience users(std::vector<std::string> ids) { return {std::nullopt, std::move(ids)}; }

TEST(LocationBook, ThrottlesPerUserAndAudience) {
    position_book book(1000ms, 10s);
    EXPECT_EQ(book.admit("alice", room("a"), t0), 0ms);
    EXPECT_EQ(book.admit("alice", room("a"), t0 + 400ms), 600ms);
    EXPECT_EQ(book.admit("alice", room("b"), t0 + 400ms), 0ms);
    EXPECT_EQ(book.admit("bob", room("a"), t0 + 400ms), 0ms);
    EXPECT_EQ(book.admit("alice", users({"bob"}), t0 + 400ms), 0ms);
    EXPECT_EQ(book.admit("alice", room("a"), t0 + 1000ms), 0ms);
    // A refused share does not move the window.
    EXPECT_EQ(book.admit("alice", room("a"), t0 + 1500ms), 500ms);
    EXPECT_EQ(book.admit("alice", room("a"), t0 + 2000ms), 0ms);
}

TEST(LocationBook, NoThrottleWhenTheIntervalIsZero) {
    position_book book(0ms, 10s);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(book.admit("alice", room("a"), t0), 0ms);
}

TEST(LocationBook, KeepsTheLastPositionPerUserUntilTheTtl) {
    position_book book(0ms, 1000ms);
    book.put("alice", 1, room("a"), {1, 2}, 100, t0);
    book.put("alice", 1, room("a"), {3, 4}, 200, t0 + 100ms);
    book.put("bob", 2, room("a"), {5, 6}, 300, t0 + 200ms);
    auto seen = book.in_room("a", t0 + 500ms);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].user, "alice");
    EXPECT_EQ(seen[0].where.lat, 3);
    EXPECT_EQ(seen[0].at, 200);
    EXPECT_TRUE(book.in_room("b", t0).empty());
    // alice's expires at t0 + 1100ms, bob's at t0 + 1200ms.
    EXPECT_EQ(book.in_room("a", t0 + 1100ms).size(), 1u);
    const auto ended = book.expire(t0 + 1100ms);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].user, "alice");
    EXPECT_EQ(ended[0].room, "a");
    EXPECT_TRUE(book.expire(t0 + 1150ms).empty());
    EXPECT_EQ(book.expire(t0 + 1200ms).size(), 1u);
}

TEST(LocationBook, DirectSharesReachOnlyTheirRecipients) {
    position_book book(0ms, 1000ms);
    book.put("alice", 1, users({"bob", "carol"}), {1, 2}, 100, t0);
    EXPECT_EQ(book.shared_with("bob", t0).size(), 1u);
    EXPECT_EQ(book.shared_with("carol", t0).size(), 1u);
    EXPECT_TRUE(book.shared_with("dan", t0).empty());
    EXPECT_TRUE(book.shared_with("alice", t0).empty());
    const auto ended = book.stop("alice", users({"carol"}));
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_FALSE(ended[0].room);
    EXPECT_EQ(ended[0].recipients, (std::vector<std::string>{"carol"}));
    EXPECT_TRUE(book.shared_with("carol", t0).empty());
    EXPECT_EQ(book.shared_with("bob", t0).size(), 1u);
}

TEST(LocationBook, StoppingEverythingEndsEachShareOnce) {
    position_book book(0ms, 1000ms);
    book.put("alice", 1, room("a"), {1, 2}, 100, t0);
    book.put("alice", 1, room("b"), {1, 2}, 100, t0);
    book.put("alice", 1, users({"bob", "carol"}), {1, 2}, 100, t0);
    book.put("bob", 2, room("a"), {1, 2}, 100, t0);
    const auto ended = book.stop("alice", {});
    ASSERT_EQ(ended.size(), 3u);
    EXPECT_EQ(ended[2].recipients, (std::vector<std::string>{"bob", "carol"}));
    EXPECT_EQ(book.in_room("a", t0).size(), 1u);
    EXPECT_TRUE(book.stop("alice", {}).empty());
}

TEST(LocationBook, LeavingOrDisconnectingEndsThatSocketsShares) {
    position_book book(0ms, 1000ms);
    book.joined(1, "a");
    book.joined(1, "b");
    book.joined(2, "a");
    EXPECT_TRUE(book.is_member(1, "a"));
    EXPECT_FALSE(book.is_member(3, "a"));
    book.put("alice", 1, room("a"), {1, 2}, 100, t0);
    book.put("alice", 1, room("b"), {1, 2}, 100, t0);
    book.put("bob", 2, room("a"), {1, 2}, 100, t0);
    book.put("alice", 1, users({"carol"}), {1, 2}, 100, t0);
    const auto left = book.left(1, "a");
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].room, "a");
    EXPECT_FALSE(book.is_member(1, "a"));
    EXPECT_TRUE(book.is_member(1, "b"));
    const auto gone = book.disconnected(1);
    ASSERT_EQ(gone.size(), 2u);
    EXPECT_FALSE(book.is_member(1, "b"));
    EXPECT_EQ(book.in_room("a", t0).size(), 1u);
}

// Another node's shares: given to joiners and lists here until their ttl, throttled
// here too, ended by that node's word, and never announced here (their node does).
TEST(LocationBook, AnotherNodesSharesAreKeptButNeverEndedOrAnnouncedHere) {
    position_book book(1000ms, 10s);
    book.put_remote("alice", room("a"), {1, 2}, 100, 2s, t0);
    book.put_remote("alice", users({"bob", "carol"}), {3, 4}, 200, 5s, t0);
    ASSERT_EQ(book.in_room("a", t0 + 1s).size(), 1u);
    EXPECT_EQ(book.shared_with("bob", t0 + 1s).size(), 1u);
    EXPECT_EQ(book.admit("alice", room("a"), t0 + 500ms), 500ms) << "one budget for the user's devices";

    book.joined(1, "a");
    EXPECT_TRUE(book.left(1, "a").empty()) << "no socket here made it";
    EXPECT_TRUE(book.disconnected(0).empty());
    EXPECT_TRUE(book.expire(t0 + 3s).empty()) << "expired silently";
    EXPECT_TRUE(book.in_room("a", t0 + 3s).empty());

    book.end_remote({{"alice", std::nullopt, {"bob"}}});
    EXPECT_TRUE(book.shared_with("bob", t0 + 3s).empty());
    EXPECT_EQ(book.shared_with("carol", t0 + 3s).size(), 1u);
    // The user stopping on this node ends it here too, and says so (their node forgets it).
    const auto stopped = book.stop("alice", {});
    ASSERT_EQ(stopped.size(), 1u);
    EXPECT_EQ(stopped[0].recipients, (std::vector<std::string>{"carol"}));
}

}  // namespace
}  // namespace switchboard::plugins::location
