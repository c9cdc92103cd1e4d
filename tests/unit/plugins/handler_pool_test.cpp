// The handler pool: a strand's tasks run one at a time and in the order posted, and
// a task blocked on one strand does not hold up another strand.
#include "kernel/plugins/handler_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

namespace {

using switchboard::kernel::plugins::handler_pool;

TEST(HandlerPool, OneStrandRunsItsTasksInOrderOneAtATime) {
    handler_pool pool(4);
    auto strand = pool.make_strand();
    std::vector<int> seen;   // touched only by the strand's tasks
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    constexpr int tasks = 2000;
    std::promise<void> done;
    for (int i = 0; i < tasks; ++i) {
        pool.post(
            [&, i] {
                if (inside.fetch_add(1) != 0) overlapped = true;
                seen.push_back(i);
                inside.fetch_sub(1);
                if (i == tasks - 1) done.set_value();
            },
            strand, "ordered");
    }
    done.get_future().wait();
    EXPECT_FALSE(overlapped);
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i) ASSERT_EQ(seen[i], i);
}

TEST(HandlerPool, ABlockedStrandDoesNotHoldUpAnother) {
    handler_pool pool(2);
    auto slow = pool.make_strand();
    auto fast = pool.make_strand();
    std::mutex mutex;
    std::condition_variable released_cv;
    bool released = false;
    std::promise<void> slow_started;
    pool.post(
        [&] {
            slow_started.set_value();
            std::unique_lock lock(mutex);
            released_cv.wait(lock, [&] { return released; });
        },
        slow, "blocked");
    slow_started.get_future().wait();
    // The slow strand is blocked until the fast strand's task has run: if one held
    // up the other, this would never finish (the test would time out).
    std::promise<void> fast_ran;
    pool.post([&] { fast_ran.set_value(); }, fast, "fast");
    fast_ran.get_future().wait();
    {
        std::lock_guard lock(mutex);
        released = true;
    }
    released_cv.notify_all();
    pool.stop();
}

TEST(HandlerPool, RunningNamesTheTasksInProgress) {
    handler_pool pool(1);
    std::promise<void> started;
    std::promise<void> release;
    auto released = release.get_future();
    pool.post(
        [&] {
            started.set_value();
            released.wait();
        },
        nullptr, "chat:send of socket X");
    started.get_future().wait();
    EXPECT_TRUE(handler_pool::on_pool_thread() == false);
    const auto running = pool.running();
    ASSERT_EQ(running.size(), 1u);
    EXPECT_EQ(running[0].rfind("chat:send of socket X (running for ", 0), 0u) << running[0];
    release.set_value();
    pool.stop();
    EXPECT_TRUE(pool.running().empty());
}

TEST(HandlerPool, TasksKnowTheyRunOnThePool) {
    handler_pool pool(1);
    std::promise<bool> on_pool;
    pool.post([&] { on_pool.set_value(handler_pool::on_pool_thread()); });
    EXPECT_TRUE(on_pool.get_future().get());
}

}  // namespace
