// This node's recovery memory: the bounded log and the sessions (#18).
#include <gtest/gtest.h>

#include "kernel/socketio/recovery_log.hpp"

namespace switchboard::kernel::socketio {
namespace {

using namespace std::chrono_literals;
using cluster::log_position;

struct recovery_log_test : ::testing::Test {
    config::recovery_settings settings = [] {
        config::recovery_settings s;
        s.enabled = true;
        s.log_size = 4;
        s.max_disconnection_duration = 10s;
        s.log_age = 10s;
        return s;
    }();
    recovery_log log{settings};
    recovery_log::clock::time_point now = recovery_log::clock::now();
    void SetUp() override {
        log.set_clock([this] { return now; });
    }

    log_position append(const std::vector<std::string>& rooms, const std::vector<std::string>& except = {}) {
        log_position at;
        log.append("/", rooms, except, [](const log_position&) { return std::make_shared<engineio::wire_message>(); },
                   [&](const log_position& offset, const auto&) { at = offset; });
        return at;
    }

    cluster::saved_session session(std::string pid, std::optional<log_position> since = {}) {
        cluster::saved_session s;
        s.nsp = "/";
        s.sid = "sid-" + pid;
        s.pid = pid;
        s.rooms = {s.sid, "room"};
        s.since = since;
        return s;
    }

    std::pair<std::optional<cluster::saved_session>, std::string> claim(const std::string& pid,
                                                                      std::optional<log_position> from) {
        std::pair<std::optional<cluster::saved_session>, std::string> out;
        log.claim("/", pid, from, [&](auto s, std::string_view why) { out = {std::move(s), std::string(why)}; });
        return out;
    }

    std::vector<std::uint64_t> missed(log_position from, std::vector<std::string> rooms) {
        std::vector<std::uint64_t> seqs;
        log.missed("/", from, std::move(rooms), [&](std::optional<cluster::missed_events> m) {
            ASSERT_TRUE(m.has_value());
            for (const auto& e : m->events) seqs.push_back(e.offset.seq);
        });
        return seqs;
    }
};

TEST_F(recovery_log_test, offsets_are_stream_ids_in_order) {
    const auto first = append({});
    const auto second = append({});
    EXPECT_LT(first, second);
    EXPECT_EQ(log_position::parse(second.text()), second);
    EXPECT_FALSE(log_position::parse("12"));
    EXPECT_FALSE(log_position::parse("a-1"));
    EXPECT_FALSE(log_position::parse("1-"));
}

TEST_F(recovery_log_test, a_session_is_claimed_once_and_replays_what_reached_its_rooms) {
    const auto from = append({});
    append({"room"});
    append({"elsewhere"});
    append({}, {"room"});
    append({"sid-p"});
    log.save(session("p"), false);
    auto [claimed, why] = claim("p", from);
    ASSERT_TRUE(claimed) << why;
    EXPECT_EQ(claimed->sid, "sid-p");
    EXPECT_EQ(missed(from, claimed->rooms), (std::vector<std::uint64_t>{from.seq + 1, from.seq + 4}));
    EXPECT_EQ(claim("p", from).second, "unknown_session");
}

TEST_F(recovery_log_test, without_an_offset_the_replay_starts_where_the_socket_went_live) {
    const auto live = append({});
    append({});
    log.save(session("p", live), false);
    auto [claimed, why] = claim("p", std::nullopt);
    ASSERT_TRUE(claimed) << why;
    EXPECT_EQ(claimed->since, live);
}

TEST_F(recovery_log_test, more_missed_than_the_log_holds_is_refused_never_partial) {
    const auto from = append({});
    for (int i = 0; i < 4; ++i) append({});   // the log holds 4: all of them after `from`
    log.save(session("full"), false);
    EXPECT_TRUE(claim("full", from).first);
    append({});                                // now one after `from` is gone
    log.save(session("p"), false);
    EXPECT_EQ(claim("p", from).second, "log_overflow");
    bool answered = false;
    log.missed("/", from, {"sid-p"}, [&](std::optional<cluster::missed_events> m) {
        answered = true;
        EXPECT_FALSE(m.has_value());
    });
    EXPECT_TRUE(answered);
}

TEST_F(recovery_log_test, old_events_leave_the_log_and_sessions_expire_with_the_window) {
    const auto from = append({});
    append({});   // missed, then too old
    now += 11s;
    append({});
    log.save(session("late"), false);
    EXPECT_EQ(claim("late", from).second, "log_overflow");
    const auto recent = append({});
    log.save(session("p"), false);
    now += 11s;
    EXPECT_EQ(claim("p", recent).second, "expired");
}

TEST_F(recovery_log_test, offsets_of_another_run_or_namespace_are_unknown) {
    append({});
    log.save(session("p"), false);
    EXPECT_EQ(claim("p", log_position{1, 1}).second, "log_overflow");
    auto other = session("q");
    other.nsp = "/chat";
    log.save(other, false);
    EXPECT_EQ(claim("q", std::nullopt).second, "unknown_session");
}

}  // namespace
}  // namespace switchboard::kernel::socketio
