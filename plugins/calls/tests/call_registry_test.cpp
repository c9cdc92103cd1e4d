#include "call_registry.hpp"

#include <switchboard/testing.hpp>

#include <gtest/gtest.h>

namespace switchboard::plugins::calls {
namespace {

using namespace std::chrono_literals;

const auto t0 = call_registry::clock::time_point{} + 1h;

using sdk::testing::error_code_of;

invite_request to(std::vector<std::string> users) {
    invite_request r;
    r.invitees = std::move(users);
    return r;
}

// The messages of `out` as "event>user" (to every device) or "event>#socket".
std::vector<std::string> said(const effects& out) {
    std::vector<std::string> lines;
    for (const auto& m : out.messages)
        lines.push_back(m.event + ">" + (m.kind == message::to::user ? m.user : "#" + std::to_string(m.socket)));
    return lines;
}

TEST(CallsRegistry, RingsTheInviteesAndConnectsWhoAnswers) {
    call_registry calls(1000ms);
    effects out;
    const auto call = calls.invite("alice", 1, to({"bob"}), "c1", t0, out);
    EXPECT_EQ(call["participants"][1], (json{{"user", "bob"}, {"state", "ringing"}}));
    EXPECT_EQ(said(out), (std::vector<std::string>{"call:incoming>bob"}));
    effects accepted;
    calls.accept("bob", 20, "c1", accepted);
    EXPECT_EQ(said(accepted), (std::vector<std::string>{"call:answered_elsewhere>bob", "call:accepted>#1"}));
    EXPECT_EQ(accepted.messages[0].socket, 20u) << "the answering device is skipped";
    EXPECT_EQ(calls.signal_route("alice", 1, "c1", "bob"), 20u);
    EXPECT_EQ(calls.signal_route("bob", 20, "c1", "alice"), 1u);
    // Another device of bob cannot answer too, nor signal.
    effects again;
    EXPECT_EQ(error_code_of([&] { calls.accept("bob", 21, "c1", again); }), "conflict");
    EXPECT_EQ(error_code_of([&] { calls.signal_route("bob", 21, "c1", "alice"); }), "forbidden");
}

TEST(CallsRegistry, SignalsFlowOnlyBetweenMembers) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob", "carol"}), "c1", t0, out);
    calls.accept("bob", 20, "c1", out);
    EXPECT_EQ(error_code_of([&] { calls.signal_route("alice", 1, "c1", "carol"); }), "not_found") << "carol is ringing";
    EXPECT_EQ(error_code_of([&] { calls.signal_route("carol", 30, "c1", "alice"); }), "forbidden");
    EXPECT_EQ(error_code_of([&] { calls.signal_route("mallory", 9, "c1", "alice"); }), "forbidden");
    EXPECT_EQ(error_code_of([&] { calls.signal_route("alice", 1, "c1", "alice"); }), "not_found");
    EXPECT_EQ(error_code_of([&] { calls.signal_route("alice", 1, "nope", "bob"); }), "not_found");
}

TEST(CallsRegistry, BusyWhenEveryInviteeIsInACall) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob"}), "c1", t0, out);
    calls.accept("bob", 20, "c1", out);
    effects refused;
    EXPECT_EQ(error_code_of([&] { calls.invite("carol", 3, to({"bob"}), "c2", t0, refused); }), "busy");
    EXPECT_TRUE(refused.messages.empty());
    EXPECT_EQ(error_code_of([&] { calls.invite("alice", 1, to({"carol"}), "c3", t0, refused); }), "busy");
    // In a group call, the busy ones are reported and the others ring.
    effects group;
    const auto call = calls.invite("carol", 3, to({"bob", "dan"}), "c4", t0, group);
    EXPECT_EQ(call["participants"][1]["state"], "busy");
    EXPECT_EQ(said(group), (std::vector<std::string>{"call:incoming>dan"}));
    EXPECT_EQ(calls.active_calls(), 2u);
}

TEST(CallsRegistry, RejectEndsAOneToOneCall) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob"}), "c1", t0, out);
    effects rejected;
    calls.reject("bob", 20, "c1", "busy driving", rejected);
    EXPECT_EQ(said(rejected), (std::vector<std::string>{"call:cancelled>bob", "call:rejected>#1", "call:ended>#1"}));
    EXPECT_EQ(rejected.messages[1].payload["reason"], "busy driving");
    EXPECT_EQ(rejected.messages[2].payload["reason"], "rejected");
    EXPECT_EQ(calls.active_calls(), 0u);
}

TEST(CallsRegistry, RingTimeoutMissesTheCallAndNotifies) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob"}), "c1", t0, out);
    effects early;
    calls.expire(t0 + 999ms, early);
    EXPECT_TRUE(early.messages.empty());
    effects late;
    calls.expire(t0 + 1000ms, late);
    EXPECT_EQ(said(late), (std::vector<std::string>{"call:cancelled>bob", "call:missed>#1", "call:ended>#1"}));
    ASSERT_EQ(late.missed.size(), 1u);
    EXPECT_EQ(late.missed[0]["userId"], "bob");
    EXPECT_EQ(late.missed[0]["data"]["from"], "alice");
    EXPECT_EQ(calls.active_calls(), 0u);
}

TEST(CallsRegistry, HangupOrDisconnectEndsTheCallForTheOthers) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob"}), "c1", t0, out);
    calls.accept("bob", 20, "c1", out);
    effects gone;
    calls.disconnected(20, gone);
    EXPECT_EQ(said(gone), (std::vector<std::string>{"call:left>#1", "call:ended>#1"}));
    EXPECT_EQ(gone.messages[1].payload["reason"], "disconnected");
    EXPECT_EQ(calls.active_calls(), 0u);
    // Both are free again.
    effects next;
    calls.invite("bob", 21, to({"alice"}), "c2", t0, next);
    calls.accept("alice", 2, "c2", next);
    effects hung;
    calls.hangup("alice", 2, "c2", hung);
    EXPECT_EQ(said(hung), (std::vector<std::string>{"call:left>#21", "call:ended>#21"}));
    EXPECT_EQ(error_code_of([&] { calls.hangup("alice", 2, "c2", hung); }), "not_found");
}

TEST(CallsRegistry, TheCallerHangingUpBeforeAnAnswerCancelsTheRinging) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob", "carol"}), "c1", t0, out);
    effects cancelled;
    calls.hangup("alice", 1, "c1", cancelled);
    EXPECT_EQ(said(cancelled), (std::vector<std::string>{"call:cancelled>bob", "call:cancelled>carol"}));
    EXPECT_EQ(cancelled.messages[0].payload["reason"], "cancelled");
    EXPECT_EQ(calls.active_calls(), 0u);
}

TEST(CallsRegistry, AGroupCallGoesOnWhileTwoRemain) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob", "carol"}), "c1", t0, out);
    calls.accept("bob", 20, "c1", out);
    calls.accept("carol", 30, "c1", out);
    effects left;
    calls.hangup("alice", 1, "c1", left);
    EXPECT_EQ(said(left), (std::vector<std::string>{"call:left>#20", "call:left>#30"}));
    EXPECT_EQ(calls.signal_route("bob", 20, "c1", "carol"), 30u);
    effects cancel;
    EXPECT_EQ(error_code_of([&] { calls.cancel("bob", 20, "c1", cancel); }), "forbidden");
}

// Several nodes: who comes into a call and leaves it is reported for the other nodes,
// and a user another node holds in a call is busy here until every such node says not.
TEST(CallsRegistry, ReportsWhoIsEngagedAndCountsBusyElsewhere) {
    call_registry calls(1000ms);
    effects out;
    calls.invite("alice", 1, to({"bob"}), "c1", t0, out);
    calls.accept("bob", 20, "c1", out);
    EXPECT_EQ(out.engaged, (std::vector<std::pair<std::string, bool>>{{"alice", true}, {"bob", true}}));
    effects ended;
    calls.hangup("bob", 20, "c1", ended);
    EXPECT_EQ(ended.engaged, (std::vector<std::pair<std::string, bool>>{{"bob", false}, {"alice", false}}));

    const auto held = t0 + 15s;
    calls.set_busy_elsewhere("carol", "node-b", true, held);
    calls.set_busy_elsewhere("carol", "node-c", true, held);
    effects refused;
    EXPECT_EQ(error_code_of([&] { calls.invite("alice", 1, to({"carol"}), "c2", t0, refused); }), "busy");
    EXPECT_EQ(error_code_of([&] { calls.invite("carol", 3, to({"alice"}), "c3", t0, refused); }), "busy");
    calls.set_busy_elsewhere("carol", "node-b", false, held);
    EXPECT_EQ(error_code_of([&] { calls.invite("alice", 1, to({"carol"}), "c4", t0, refused); }), "busy")
        << "node-c still holds carol";
    calls.set_busy_elsewhere("carol", "node-c", false, held);
    effects rings;
    calls.invite("alice", 1, to({"carol"}), "c5", t0, rings);
    EXPECT_EQ(said(rings), (std::vector<std::string>{"call:incoming>carol"}));
    EXPECT_EQ(calls.engaged_users(), (std::vector<std::string>{"alice"}));
}

// A node's periodic word replaces what it said before; a node that stops saying it
// (it died) frees its users when the word runs out.
TEST(CallsRegistry, ANodesWordOnItsUsersIsReplacedAndRunsOut) {
    call_registry calls(1000ms);
    calls.set_busy_elsewhere("bob", "node-b", true, t0 + 15s);
    calls.set_engaged_on("node-b", {"carol", "dan"}, t0 + 15s);
    calls.set_engaged_on("node-c", {"dan"}, t0 + 20s);
    effects out;
    const auto group = calls.invite("alice", 1, to({"bob", "carol", "dan"}), "c1", t0, out);
    EXPECT_EQ(group["participants"][1]["state"], "ringing") << "node-b's newer word left bob out";
    EXPECT_EQ(group["participants"][2]["state"], "busy");
    EXPECT_EQ(group["participants"][3]["state"], "busy");
    calls.cancel("alice", 1, "c1", out);

    effects later;
    calls.expire(t0 + 16s, later);
    const auto after_b = calls.invite("alice", 1, to({"carol", "dan"}), "c2", t0 + 16s, later);
    EXPECT_EQ(after_b["participants"][1]["state"], "ringing") << "node-b said nothing more";
    EXPECT_EQ(after_b["participants"][2]["state"], "busy") << "node-c's word still holds";
}

}  // namespace
}  // namespace switchboard::plugins::calls
