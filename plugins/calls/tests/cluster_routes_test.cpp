#include "cluster_routes.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::calls {
namespace {

using namespace std::chrono_literals;

TEST(CallsClusterRoutes, ADeviceOnAnotherNodeKeepsOneIdThatNoLocalHandleHas) {
    remote_sockets remote;
    const auto first = remote.id_of("node-b", 7);
    EXPECT_TRUE(remote_sockets::is_remote(first));
    EXPECT_FALSE(remote_sockets::is_remote(7));
    EXPECT_EQ(remote.id_of("node-b", 7), first) << "the same device, the same id";
    const auto other_node = remote.id_of("node-c", 7);
    EXPECT_NE(other_node, first) << "one handle on two nodes is two devices";
    const auto found = remote.find(first);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->node, "node-b");
    EXPECT_EQ(found->handle, 7u);

    EXPECT_EQ(remote.forget("node-b", 7), first);
    EXPECT_FALSE(remote.find(first));
    EXPECT_FALSE(remote.forget("node-b", 7)) << "forgotten once";
    EXPECT_TRUE(remote.find(other_node));
}

TEST(CallsClusterRoutes, ARequestIsAnsweredOnceOrRefusedWhenItsNodeIsLate) {
    pending_requests pending;
    const auto t0 = pending_requests::clock::time_point{} + 1h;
    sdk::event accept;
    accept.socket = 5;
    accept.name = "call:accept";
    sdk::event signal;
    signal.socket = 6;
    signal.name = "rtc:signal";
    const auto answered = pending.add(accept, t0 + 3s);
    const auto late = pending.add(signal, t0 + 1s);
    EXPECT_NE(answered, late);

    const auto taken = pending.take(answered);
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->name, "call:accept");
    EXPECT_FALSE(pending.take(answered)) << "one answer per request";

    EXPECT_TRUE(pending.expire(t0).empty());
    const auto expired = pending.expire(t0 + 1s);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].socket, 6u);
    EXPECT_FALSE(pending.take(late)) << "an answer after the refusal finds nothing";
}

}  // namespace
}  // namespace switchboard::plugins::calls
