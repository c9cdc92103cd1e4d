// deadline_queue: entries expire in deadline order, schedule_at included (the heartbeat
// schedules the next ping from when the previous one was due, earlier than now + interval).
#include "kernel/core/deadline_queue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

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

}  // namespace
}  // namespace switchboard::kernel
