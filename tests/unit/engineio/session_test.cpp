// The Engine.IO session's state machine on the polling transport, driven through its
// public interface the way engineio::server drives it (POST bodies, heartbeat and
// upgrade expiries, server closes), with a recording handler. The worker never runs:
// every transition here is the direct effect of a call. What a state is shows through
// is_open(), the handler's calls, and expire_if_overdue() (true once closed).
// Not covered here: the upgrade to WebSocket, which needs a net::websocket_connection
// (a real socket); the e2e and compliance suites cover it.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/config/config.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/engineio/server.hpp"
#include "kernel/engineio/session.hpp"

namespace switchboard::kernel::engineio {
namespace {

struct recorded {
    bool opened = false;
    std::vector<std::string> messages;
    std::vector<std::string> closes;
};

class recording_handler final : public session_handler {
public:
    explicit recording_handler(recorded& into) : into_(into) {}
    void on_open() override { into_.opened = true; }
    void on_message(std::string_view data, bool) override { into_.messages.emplace_back(data); }
    void on_close(std::string_view reason) override { into_.closes.emplace_back(reason); }

private:
    recorded& into_;
};

class no_application final : public application {
public:
    std::unique_ptr<session_handler> on_session_open(session&) override { return nullptr; }
};

class PollingSession : public ::testing::Test {
protected:
    config::settings settings;
    worker owner{0};
    no_application app;
    server engine{settings, {&owner}, app};
    recorded seen;
    std::shared_ptr<session> s = std::make_shared<session>(engine, owner, "sid", net::handshake_info{});

    void SetUp() override { s->start_polling(std::make_unique<recording_handler>(seen)); }

    // POSTs `body` (text payload) and returns the HTTP status answered, if answered yet.
    std::shared_ptr<std::optional<int>> post(std::string_view body) {
        auto status = std::make_shared<std::optional<int>>();
        s->on_post(body, "text/plain;charset=UTF-8", [status](int answered) { *status = answered; });
        return status;
    }
    bool closed() { return s->expire_if_overdue(); }
};

TEST_F(PollingSession, OpensOnPollingAndHandsMessagesToItsHandler) {
    EXPECT_TRUE(seen.opened);
    EXPECT_TRUE(s->is_open());
    EXPECT_EQ(s->transport(), session::transport_kind::polling);
    EXPECT_EQ(s->transport_name(), "polling");
    EXPECT_FALSE(s->upgrading());
    const auto status = post("4hello\x1e" "4world");
    ASSERT_TRUE(status->has_value());
    EXPECT_EQ(**status, 200);
    EXPECT_EQ(seen.messages, (std::vector<std::string>{"hello", "world"}));
    EXPECT_FALSE(closed());
}

TEST_F(PollingSession, AMalformedPayloadIsAnswered400AndClosesTheSession) {
    const auto status = post("9nonsense");
    ASSERT_TRUE(status->has_value());
    EXPECT_EQ(**status, 400);
    EXPECT_FALSE(s->is_open());
    EXPECT_TRUE(closed());
    EXPECT_EQ(seen.closes, (std::vector<std::string>{"parse error"}));
}

TEST_F(PollingSession, AHeldReadingDefersThePostsPacketsAndItsAnswer) {
    s->hold_reading();
    s->hold_reading();   // holds are counted
    const auto status = post("4a\x1e" "4b");
    EXPECT_FALSE(status->has_value());
    EXPECT_TRUE(seen.messages.empty());
    s->release_reading();
    EXPECT_FALSE(status->has_value());   // one hold remains
    s->release_reading();
    ASSERT_TRUE(status->has_value());
    EXPECT_EQ(**status, 200);
    EXPECT_EQ(seen.messages, (std::vector<std::string>{"a", "b"}));
}

TEST_F(PollingSession, ASecondPostWhileOneIsHeldIsABrokenClient) {
    s->hold_reading();
    const auto first = post("4a");
    const auto second = post("4b");
    ASSERT_TRUE(second->has_value());
    EXPECT_EQ(**second, 400);
    // The held one is answered as the session goes; its packets go with it.
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ(**first, 200);
    EXPECT_TRUE(seen.messages.empty());
    EXPECT_TRUE(closed());
    EXPECT_EQ(seen.closes, (std::vector<std::string>{"transport error"}));
}

TEST_F(PollingSession, APongInTimeKeepsItOpenAndAMissingOneTimesItOut) {
    s->on_ping_due();
    post("3");
    // No pong awaited any more: not overdue, whatever the clock says.
    EXPECT_FALSE(closed());
    EXPECT_TRUE(s->is_open());
    s->on_ping_due();
    s->on_pong_overdue();
    EXPECT_TRUE(closed());
    EXPECT_EQ(seen.closes, (std::vector<std::string>{"ping timeout"}));
}

TEST_F(PollingSession, AClientPingIsRefusedInVersion4) {
    post("2");
    EXPECT_TRUE(closed());
    EXPECT_EQ(seen.closes, (std::vector<std::string>{"transport error"}));
}

TEST_F(PollingSession, TheClientsCloseWaitsForItsLastPollThenEnds) {
    post("1");
    // Closing: the handler is told at once; the session waits for the client's GET
    // (none comes here) until the next heartbeat expiry ends it.
    EXPECT_FALSE(s->is_open());
    EXPECT_FALSE(closed());
    EXPECT_EQ(seen.closes, (std::vector<std::string>{"transport close"}));
    s->on_ping_due();
    EXPECT_TRUE(closed());
    EXPECT_EQ(seen.closes.size(), 1u);   // told once
}

TEST_F(PollingSession, AServerCloseQueuesTheClosePacketForTheNextPoll) {
    s->close("server shutting down");
    EXPECT_FALSE(s->is_open());
    EXPECT_FALSE(closed());
    EXPECT_EQ(seen.closes, (std::vector<std::string>{"server shutting down"}));
    // Closing sends nothing more and reads nothing more.
    EXPECT_FALSE(s->send(wire_packet::text(packet_type::message, "late")));
    s->on_pong_overdue();
    EXPECT_TRUE(closed());
    EXPECT_EQ(seen.closes.size(), 1u);
}

TEST_F(PollingSession, WithoutAWaitingPollAVolatileMessageWaitsOnlyWhenNothingElseDoes) {
    EXPECT_TRUE(s->send(wire_packet::text(packet_type::message, "first"), true));
    EXPECT_TRUE(s->send(wire_packet::text(packet_type::message, "kept")));
    EXPECT_FALSE(s->send(wire_packet::text(packet_type::message, "dropped"), true));
}

TEST_F(PollingSession, AnUpgradeExpiryWithoutAProbeChangesNothing) {
    s->on_upgrade_overdue();
    EXPECT_TRUE(s->is_open());
    EXPECT_FALSE(s->upgrading());
    EXPECT_EQ(s->transport(), session::transport_kind::polling);
}

}  // namespace
}  // namespace switchboard::kernel::engineio
