// Engine.IO v4 transport upgrade from long-polling to WebSocket: the probe,
// the noop that releases a parked poll, the switch, and what happens to
// latecomers on either transport once the upgrade is done.

#include "support/session.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace switchboard::tests::integration {
namespace {

using namespace std::chrono_literals;

TEST(engineio_upgrade, upgrades_from_polling_to_websocket) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    auto ws = make_websocket_client();
    const auto response = ws.handshake(websocket_target(sid));
    ASSERT_TRUE(ws.is_open()) << ws.handshake_error();
    EXPECT_EQ(response.status, 101);
    ws.send_text("2probe");
    EXPECT_EQ(ws.read_text(), "3probe");
    const auto poll = http.get(polling_target(sid));
    EXPECT_EQ(poll.status, 200);
    EXPECT_EQ(poll.body, "6");  // noop: ends the long-poll cleanly
    ws.send_text("5");
    // From here on everything travels over the WebSocket.
    ws.send_text("40");
    EXPECT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");
    EXPECT_EQ(next_text(ws), R"(42["auth",{}])");
    ws.send_close();
}

TEST(engineio_upgrade, probe_releases_a_parked_poll_with_a_noop) {
    auto poller = make_http_client();
    const auto sid = open_polling_session(poller);
    ASSERT_FALSE(sid.empty());
    poller.send("GET", polling_target(sid));
    std::this_thread::sleep_for(50ms);
    auto ws = make_websocket_client();
    ws.handshake(websocket_target(sid));
    ASSERT_TRUE(ws.is_open()) << ws.handshake_error();
    ws.send_text("2probe");
    EXPECT_EQ(ws.read_text(), "3probe");
    const auto parked = poller.receive();
    EXPECT_EQ(parked.status, 200);
    EXPECT_EQ(parked.body, "6");
    ws.send_text("5");
    ws.send_text("40");
    EXPECT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");
    ws.send_close();
}

TEST(engineio_upgrade, socketio_session_survives_the_upgrade) {
    // What the official client does: join over polling, then upgrade.
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    ASSERT_EQ(http.post(polling_target(sid), "40").body, "ok");
    const auto connected = poll_packets(http, sid, 2);
    ASSERT_EQ(connected[1], R"(42["auth",{}])");
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(upgrade_to_websocket(http, sid, ws));
    ws.send_text(R"(42["message","after upgrade"])");
    EXPECT_EQ(next_text(ws), R"(42["message-back","after upgrade"])");
    ws.send_close();
}

TEST(engineio_upgrade, http_request_after_upgrade_is_refused) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(upgrade_to_websocket(http, sid, ws));
    ws.send_text("40");  // a round trip makes sure "5" was processed
    ASSERT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");
    const auto poll = http.get(polling_target(sid));
    EXPECT_EQ(poll.status, 400);
    EXPECT_EQ(poll.header("Content-Type"), "application/json");
    EXPECT_EQ(poll.body, R"({"code":3,"message":"Bad request"})");
    // The upgraded session is unaffected.
    EXPECT_EQ(next_text(ws), R"(42["auth",{}])");
    ws.send_text(R"(42["message",1])");
    EXPECT_EQ(next_text(ws), R"(42["message-back",1])");
    ws.send_close();
}

TEST(engineio_upgrade, second_websocket_with_the_same_sid_is_closed) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(upgrade_to_websocket(http, sid, ws));
    ws.send_text("40");
    ASSERT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");

    auto intruder = make_websocket_client();
    const auto response = intruder.handshake(websocket_target(sid));
    // The reference accepts the upgrade (101) and closes it at once; refusing
    // the handshake outright is just as good.
    if (intruder.is_open()) {
        const auto closed = intruder.wait_closed();
        EXPECT_TRUE(closed.closed);
        EXPECT_TRUE(closed.messages.empty());
    } else {
        EXPECT_EQ(response.status / 100, 4);
    }
    // The first WebSocket keeps working.
    EXPECT_EQ(next_text(ws), R"(42["auth",{}])");
    ws.send_text(R"(42["message",2])");
    EXPECT_EQ(next_text(ws), R"(42["message-back",2])");
    ws.send_close();
}

TEST(engineio_upgrade, second_probe_during_an_upgrade_is_closed) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    auto ws = make_websocket_client();
    ws.handshake(websocket_target(sid));
    ASSERT_TRUE(ws.is_open()) << ws.handshake_error();
    ws.send_text("2probe");
    ASSERT_EQ(ws.read_text(), "3probe");
    auto intruder = make_websocket_client();
    const auto response = intruder.handshake(websocket_target(sid));
    if (intruder.is_open()) {
        EXPECT_TRUE(intruder.wait_closed().closed);
    } else {
        EXPECT_EQ(response.status / 100, 4);
    }
    ASSERT_EQ(http.get(polling_target(sid)).body, "6");
    ws.send_text("5");
    ws.send_text("40");
    EXPECT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");
    ws.send_close();
}

TEST(engineio_upgrade, packet_other_than_probe_aborts_the_upgrade_only) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    auto ws = make_websocket_client();
    ws.handshake(websocket_target(sid));
    ASSERT_TRUE(ws.is_open()) << ws.handshake_error();
    ws.send_text("40");  // not "2probe"
    EXPECT_TRUE(ws.wait_closed().closed);
    // The polling session goes on.
    ASSERT_EQ(http.post(polling_target(sid), "40").body, "ok");
    const auto connected = poll_packets(http, sid, 2);
    EXPECT_EQ(connected[0].substr(0, 9), R"(40{"sid":)");
    EXPECT_EQ(connected[1], R"(42["auth",{}])");
}

}  // namespace
}  // namespace switchboard::tests::integration
