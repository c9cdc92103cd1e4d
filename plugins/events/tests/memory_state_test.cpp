// The plugin's parts without the kernel: the word filter, the typing tracker, the
// joined-sockets registry and the event id check.
#include <functional>

#include <gtest/gtest.h>

#include "joined_sockets.hpp"
#include "payload.hpp"
#include "typing_tracker.hpp"
#include "word_filter.hpp"

namespace switchboard::plugins::events {
namespace {

using namespace std::chrono_literals;

TEST(EventsWordFilter, WholeWordsIgnoringCase) {
    const word_filter filter({"darn"});
    EXPECT_TRUE(filter.matches("Darn!"));
    EXPECT_TRUE(filter.matches("well, darn it"));
    EXPECT_FALSE(filter.matches("darnation"));
    EXPECT_FALSE(filter.matches("darné"));
    EXPECT_EQ(filter.mask("DARN it, darn"), "**** it, ****");
    EXPECT_TRUE(word_filter({}).empty());
}

TEST(EventsTypingTracker, StartRenewsStopAndExpire) {
    typing_tracker tracker(5000ms);
    const auto t0 = typing_tracker::clock::now();
    EXPECT_TRUE(tracker.start("e1", "alice", 1, t0));
    EXPECT_FALSE(tracker.start("e1", "alice", 1, t0 + 3000ms));   // renewed, not announced again
    EXPECT_TRUE(tracker.start("e2", "alice", 2, t0));
    EXPECT_TRUE(tracker.expire(t0 + 4999ms).empty());
    const auto expired = tracker.expire(t0 + 6000ms);
    ASSERT_EQ(expired.size(), 1u);   // e2 only: e1 was renewed at +3 s
    EXPECT_EQ(expired[0], typing_tracker::typist("e2", "alice"));
    EXPECT_TRUE(tracker.stop("e1", "alice"));
    EXPECT_FALSE(tracker.stop("e1", "alice"));
    tracker.start("e1", "bob", 7, t0);
    tracker.start("e3", "bob", 7, t0);
    EXPECT_EQ(tracker.drop_socket_in("e1", 7).size(), 1u);
    EXPECT_EQ(tracker.drop_socket(7).size(), 1u);
}

TEST(EventsJoinedSockets, PerEventAndUser) {
    joined_sockets joined;
    joined.add("e1", 1, "alice");
    joined.add("e1", 2, "alice");
    joined.add("e1", 3, "bob");
    joined.add("e10", 4, "alice");
    EXPECT_EQ(joined.sockets_of("e1", "alice"), (std::vector<sdk::socket_id>{1, 2}));
    EXPECT_TRUE(joined.contains("e1", 3));
    EXPECT_FALSE(joined.contains("e10", 3));
    // The event's sockets only, not those of an event whose id it begins.
    EXPECT_EQ(joined.sockets_in("e1"), (std::vector<sdk::socket_id>{1, 2, 3}));
    EXPECT_EQ(joined.sockets_in("e10"), (std::vector<sdk::socket_id>{4}));
    EXPECT_TRUE(joined.sockets_in("e2").empty());
    EXPECT_EQ(joined.remove_socket(1), std::vector<std::string>{"e1"});
    EXPECT_TRUE(joined.remove("e1", 2));
    EXPECT_FALSE(joined.remove("e1", 2));
    EXPECT_TRUE(joined.sockets_of("e1", "alice").empty());
}

TEST(EventsPayload, EventIdsNameRooms) {
    EXPECT_EQ(read_event_id({{"eventId", "evt_42.a:b-c"}}, "eventId"), "evt_42.a:b-c");
    for (const sdk::json& bad : {sdk::json(42), sdk::json(""), sdk::json("a b"), sdk::json("x/y"),
                                 sdk::json(std::string(129, 'a')), sdk::json(nullptr)}) {
        try {
            read_event_id({{"eventId", bad}}, "eventId");
            ADD_FAILURE() << bad.dump();
        } catch (const sdk::error& e) {
            EXPECT_EQ(e.code(), "invalid_payload");
        }
    }
}

}  // namespace
}  // namespace switchboard::plugins::events
