// Engine.IO v4 over a WebSocket opened directly (no polling first): text and
// binary messages, heartbeat, close, and the RFC 6455 duties a server has
// towards a well-behaved client (pong, fragments, closing handshake).

#include "support/session.hpp"

#include <gtest/gtest.h>

namespace switchboard::tests::integration {
namespace {

using namespace std::chrono_literals;

TEST(engineio_websocket, sends_and_receives_a_text_message) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(42["message","hello"])");
    EXPECT_EQ(next_text(ws), R"(42["message-back","hello"])");
    ws.send_close();
}

TEST(engineio_websocket, sends_and_receives_a_binary_message) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(451-["message",{"_placeholder":true,"num":0}])");
    ws.send_binary(std::string("\x01\x02\x03\x04", 4));
    EXPECT_EQ(next_text(ws), R"(451-["message-back",{"_placeholder":true,"num":0}])");
    // Binary Engine.IO messages travel as binary frames, without a type prefix.
    const auto attachment = next_message(ws);
    EXPECT_TRUE(attachment.binary);
    EXPECT_EQ(attachment.data, std::string("\x01\x02\x03\x04", 4));
    ws.send_close();
}

TEST(engineio_websocket, large_message_under_max_payload_round_trips) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    const std::string text(900000, 'y');
    ws.send_text(R"(42["message",")" + text + "\"]");
    EXPECT_EQ(next_text(ws), R"(42["message-back",")" + text + "\"]");
    ws.send_close();
}

TEST(engineio_websocket, fragmented_message_is_reassembled) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_frame(opcode::text, R"(42["message",)", /*fin=*/false);
    ws.send_frame(opcode::continuation, R"("frag)", /*fin=*/false);
    ws.send_ping("in between");  // control frames may interleave with fragments
    ws.send_frame(opcode::continuation, R"(mented"])", /*fin=*/true);
    EXPECT_EQ(next_text(ws), R"(42["message-back","fragmented"])");
    ws.send_close();
}

TEST(engineio_websocket, websocket_ping_gets_a_pong_with_the_same_payload) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_ping("are you there");
    for (;;) {
        const auto frame = ws.read_frame();
        ASSERT_TRUE(frame.has_value()) << "connection closed";
        if (frame->opcode == opcode::text && frame->payload == "2") continue;  // an Engine.IO ping may come first
        EXPECT_EQ(frame->opcode, opcode::pong);
        EXPECT_EQ(frame->payload, "are you there");
        break;
    }
    ws.send_close();
}

TEST(engineio_websocket, server_frames_are_unmasked) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(ws.handshake(websocket_target()).status == 101);
    const auto frame = ws.read_frame();
    ASSERT_TRUE(frame.has_value());
    EXPECT_FALSE(frame->masked);
    EXPECT_EQ(frame->rsv, 0);
    EXPECT_EQ(frame->opcode, opcode::text);
    EXPECT_TRUE(frame->fin);
    ws.send_close();
}

TEST(engineio_websocket, invalid_packet_closes_the_session) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text("abc");
    EXPECT_TRUE(ws.wait_closed().closed);
    expect_server_alive();
}

TEST(engineio_websocket, heartbeat_ping_pong_keeps_the_session) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    for (int i = 0; i < 3; ++i) {
        const auto started = std::chrono::steady_clock::now();
        ASSERT_EQ(ws.read_text(), "2");
        EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms) << "pings must be pingInterval apart";
        ws.send_text("3");
    }
    // Still open and serving: a CONNECT is answered.
    ws.send_text("40");
    EXPECT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");
    ws.send_close();
}

TEST(engineio_websocket, missing_pong_closes_the_session) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    const auto started = std::chrono::steady_clock::now();
    const auto closed = ws.wait_closed(3s, /*answer_engineio_pings=*/false);
    ASSERT_TRUE(closed.closed) << "the session outlived its ping timeout";
    EXPECT_GE(std::chrono::steady_clock::now() - started,
              std::chrono::milliseconds(ping_interval_ms + ping_timeout_ms - 100));
    ASSERT_FALSE(closed.messages.empty());
    EXPECT_EQ(closed.messages.front(), (ws_message{false, "2"}));
}

TEST(engineio_websocket, close_packet_closes_the_session) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text("1");
    // The reference (engine.io 6.6) ignores "1" on a WebSocket and closes on
    // the unanswered ping instead, so pings stay unanswered here, as in the
    // protocol suite; a server that honours "1" closes at once.
    EXPECT_TRUE(ws.wait_closed(default_timeout, /*answer_engineio_pings=*/false).closed);
    expect_server_alive();
}

TEST(engineio_websocket, close_frame_is_answered_with_a_close_frame) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_close(1000, "bye");
    const auto closed = ws.wait_closed();
    EXPECT_TRUE(closed.closed);
    EXPECT_TRUE(closed.close_frame);
    EXPECT_EQ(closed.code, std::optional<std::uint16_t>(1000));
}

}  // namespace
}  // namespace switchboard::tests::integration
