#include "kernel/core/usable_cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <thread>

namespace switchboard::kernel {
namespace {

TEST(UsableCpus, CountsTheCpusTheAffinityMaskAllowsNotTheMachines) {
    cpu_set_t before;
    ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
    EXPECT_EQ(usable_cpus(), static_cast<unsigned>(CPU_COUNT(&before)));

    // As under `taskset -c N`: one CPU allowed, whatever the machine has.
    int first = 0;
    while (!CPU_ISSET(first, &before)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    const unsigned pinned = usable_cpus();
    ASSERT_EQ(sched_setaffinity(0, sizeof before, &before), 0);
    EXPECT_EQ(pinned, 1U);
    EXPECT_LE(usable_cpus(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace switchboard::kernel
