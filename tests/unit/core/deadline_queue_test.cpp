// deadline_queue: entries expire in deadline order, schedule_at included (the heartbeat
// schedules the next ping from when the previous one was due, earlier than now + interval);
// and what a session's heartbeat and connect timeout rely on besides the order: a
// cancelled or destroyed entry never fires, a reschedule replaces the earlier wait, an
// expiry may schedule its own entry again, and stop() silences the scheduler. Deadlines
// already due are used where the order does not matter, so a slow machine cannot change
// what those tests see.
#include "kernel/core/deadline_queue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::kernel {
namespace {

using namespace std::chrono_literals;

struct waiter {
    std::string name;
    std::vector<std::string>* fired;
    deadline_entry entry;
};

void on_expiry(void* owner) {
    auto* w = static_cast<waiter*>(owner);
    w->fired->push_back(w->name);
}

TEST(deadline_queue, schedule_at_goes_in_deadline_order) {
    boost::asio::io_context io;
    deadline_scheduler scheduler(io);
    deadline_queue queue(scheduler, 40ms, &on_expiry);
    std::vector<std::string> fired;
    waiter late{"late", &fired, {}};
    waiter early{"early", &fired, {}};
    waiter middle{"middle", &fired, {}};
    const auto now = steady_clock::now();
    queue.schedule(late.entry, &late);                        // now + 40 ms
    queue.schedule_at(early.entry, &early, now + 5ms);        // before it
    queue.schedule_at(middle.entry, &middle, now + 20ms);     // between
    io.run();
    EXPECT_EQ(fired, (std::vector<std::string>{"early", "middle", "late"}));
}

TEST(deadline_queue, schedule_at_in_the_past_expires_at_once) {
    boost::asio::io_context io;
    deadline_scheduler scheduler(io);
    deadline_queue queue(scheduler, 10s, &on_expiry);
    std::vector<std::string> fired;
    waiter past{"past", &fired, {}};
    queue.schedule_at(past.entry, &past, steady_clock::now() - 1s);
    io.run();
    EXPECT_EQ(fired, std::vector<std::string>{"past"});
}

// One worker's scheduler and a queue of 10 s waits that record who expired.
class deadline_queue_lifecycle : public ::testing::Test {
protected:
    waiter make(std::string name) { return waiter{std::move(name), &fired, {}}; }
    static steady_clock::time_point already_due() { return steady_clock::now() - 1s; }

    boost::asio::io_context io;
    deadline_scheduler scheduler{io};
    deadline_queue queue{scheduler, 10s, &on_expiry};
    std::vector<std::string> fired;
};

TEST_F(deadline_queue_lifecycle, cancelled_entry_never_fires) {
    waiter kept = make("kept");
    waiter cancelled = make("cancelled");
    const auto due = already_due();
    queue.schedule_at(cancelled.entry, &cancelled, due);
    queue.schedule_at(kept.entry, &kept, due);
    EXPECT_TRUE(cancelled.entry.scheduled());
    cancelled.entry.cancel();
    EXPECT_FALSE(cancelled.entry.scheduled());
    io.run();
    EXPECT_EQ(fired, std::vector<std::string>{"kept"});
    EXPECT_FALSE(kept.entry.scheduled());   // fired entries leave the queue
}

TEST_F(deadline_queue_lifecycle, destroyed_owner_unlinks_itself) {
    waiter kept = make("kept");
    auto gone = std::make_unique<waiter>(make("gone"));
    const auto due = already_due();
    queue.schedule_at(gone->entry, gone.get(), due);
    queue.schedule_at(kept.entry, &kept, due);
    gone.reset();   // a session closed before its deadline
    io.run();
    EXPECT_EQ(fired, std::vector<std::string>{"kept"});
}

TEST_F(deadline_queue_lifecycle, reschedule_replaces_the_earlier_wait) {
    waiter moved = make("moved");
    waiter other = make("other");
    const auto now = steady_clock::now();
    queue.schedule_at(moved.entry, &moved, now - 3s);
    queue.schedule_at(other.entry, &other, now - 2s);
    queue.schedule_at(moved.entry, &moved, now - 1s);   // a pong arrived: wait again
    io.run();
    // Once, and after the entry it now follows.
    EXPECT_EQ(fired, (std::vector<std::string>{"other", "moved"}));
}

struct repeater {
    deadline_queue* queue = nullptr;
    int remaining = 0;
    int fired = 0;
    deadline_entry entry;
};

void fire_and_repeat(void* owner) {
    auto* r = static_cast<repeater*>(owner);
    ++r->fired;
    // The heartbeat schedules its next ping from inside the expiry of the last one.
    if (--r->remaining > 0) r->queue->schedule_at(r->entry, r, steady_clock::now() - 1ms);
}

TEST_F(deadline_queue_lifecycle, expiry_may_schedule_its_own_entry_again) {
    deadline_queue heartbeat(scheduler, 10s, &fire_and_repeat);
    repeater r;
    r.queue = &heartbeat;
    r.remaining = 5;
    heartbeat.schedule_at(r.entry, &r, steady_clock::now() - 1ms);
    io.run();
    EXPECT_EQ(r.fired, 5);
    EXPECT_FALSE(r.entry.scheduled());
}

TEST_F(deadline_queue_lifecycle, entries_of_several_queues_all_fire_with_their_own_callback) {
    deadline_queue pings(scheduler, 10s, &on_expiry);
    deadline_queue timeouts(scheduler, 20s, [](void* owner) {
        auto* w = static_cast<waiter*>(owner);
        w->fired->push_back("timeout:" + w->name);
    });
    waiter a = make("a");
    waiter b = make("b");
    const auto due = already_due();
    pings.schedule_at(a.entry, &a, due);
    timeouts.schedule_at(b.entry, &b, due);
    io.run();
    std::sort(fired.begin(), fired.end());
    EXPECT_EQ(fired, (std::vector<std::string>{"a", "timeout:b"}));
}

TEST_F(deadline_queue_lifecycle, destroyed_queue_leaves_the_scheduler) {
    waiter orphan = make("orphan");
    {
        deadline_queue doomed(scheduler, 10s, &on_expiry);
        doomed.schedule_at(orphan.entry, &orphan, already_due());
    }
    EXPECT_FALSE(orphan.entry.scheduled());
    deadline_queue survivor(scheduler, 10s, &on_expiry);
    waiter kept = make("kept");
    survivor.schedule_at(kept.entry, &kept, already_due());
    io.run();
    EXPECT_EQ(fired, std::vector<std::string>{"kept"});
}

TEST_F(deadline_queue_lifecycle, stopped_scheduler_fires_nothing) {
    waiter late = make("late");
    queue.schedule_at(late.entry, &late, already_due());
    scheduler.stop();
    io.run();   // returns: the timer's wait was cancelled
    EXPECT_TRUE(fired.empty());
    waiter after = make("after");
    queue.schedule_at(after.entry, &after, already_due());
    io.restart();
    io.run();
    EXPECT_TRUE(fired.empty());
}

}  // namespace
}  // namespace switchboard::kernel
