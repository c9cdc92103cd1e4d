// Socket.IO v5 at the packet level over a WebSocket: namespace CONNECT and
// DISCONNECT, events, acknowledgements both ways, binary attachments, the
// connect timeout, and a broadcast between two raw clients. Exact strings are
// what the reference server puts on the wire.

#include "support/session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

namespace switchboard::tests::integration {
namespace {

using namespace std::chrono_literals;

const std::string placeholder0 = R"({"_placeholder":true,"num":0})";
const std::string placeholder1 = R"({"_placeholder":true,"num":1})";

TEST(socketio_connect, main_namespace) {
    auto ws = make_websocket_client();
    const auto open = open_websocket_session(ws);
    ASSERT_TRUE(open.is_object());
    ws.send_text("40");
    const auto connected = next_text(ws);
    EXPECT_TRUE(std::regex_match(connected, std::regex(R"re(40\{"sid":"[^"]+"\})re"))) << connected;
    EXPECT_EQ(next_text(ws), R"(42["auth",{}])");
    // The Socket.IO id is not the Engine.IO sid, which is a polling credential.
    EXPECT_EQ(connected.find(open["sid"].get<std::string>()), std::string::npos);
    ws.send_close();
}

TEST(socketio_connect, main_namespace_with_auth_payload) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    EXPECT_FALSE(socketio_connect(ws, "/", R"({"token":"123"})").empty());
    ws.send_close();
}

TEST(socketio_connect, custom_namespace) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text("40/custom,");
    const auto connected = next_text(ws);
    EXPECT_TRUE(std::regex_match(connected, std::regex(R"re(40/custom,\{"sid":"[^"]+"\})re"))) << connected;
    EXPECT_EQ(next_text(ws), R"(42/custom,["auth",{}])");
    ws.send_close();
}

TEST(socketio_connect, custom_namespace_with_auth_payload) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    EXPECT_FALSE(socketio_connect(ws, "/custom", R"({"token":"abc"})").empty());
    ws.send_close();
}

TEST(socketio_connect, custom_namespace_without_trailing_comma) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text("40/custom");
    const auto connected = next_text(ws);
    EXPECT_TRUE(std::regex_match(connected, std::regex(R"re(40/custom,\{"sid":"[^"]+"\})re"))) << connected;
    EXPECT_EQ(next_text(ws), R"(42/custom,["auth",{}])");
    ws.send_close();
}

TEST(socketio_connect, both_namespaces_on_one_connection) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    const auto main_sid = socketio_connect(ws, "/");
    const auto custom_sid = socketio_connect(ws, "/custom");
    EXPECT_NE(main_sid, custom_sid);
    ws.send_text(R"(42/custom,["message","to custom"])");
    EXPECT_EQ(next_text(ws), R"(42/custom,["message-back","to custom"])");
    ws.send_text(R"(42["message","to main"])");
    EXPECT_EQ(next_text(ws), R"(42["message-back","to main"])");
    ws.send_close();
}

TEST(socketio_connect, unknown_namespace_is_refused) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text("40/random");
    EXPECT_EQ(next_text(ws), R"(44/random,{"message":"Invalid namespace"})");
    // The refusal leaves the connection usable for another namespace.
    EXPECT_FALSE(socketio_connect(ws, "/").empty());
    ws.send_close();
}

TEST(socketio_connect, invalid_handshake_closes_the_connection) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text("4abc");
    EXPECT_TRUE(ws.wait_closed().closed);
    expect_server_alive();
}

TEST(socketio_connect, no_connect_within_connect_timeout_closes_the_connection) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    const auto started = std::chrono::steady_clock::now();
    // Pings are answered, so only the missing CONNECT can close it.
    const auto closed = ws.wait_closed(std::chrono::milliseconds(connect_timeout_ms + 2000), true);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(closed.closed) << "no CONNECT, yet the connection outlived connectTimeout";
    EXPECT_GE(elapsed, std::chrono::milliseconds(connect_timeout_ms - 200));
    EXPECT_TRUE(closed.messages.empty());
}

TEST(socketio_disconnect, from_the_main_namespace_keeps_the_connection) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text("41");
    // Nothing answers a DISCONNECT; the next thing on the wire is a heartbeat.
    EXPECT_EQ(ws.read_text(), "2");
    ws.send_text("3");
    EXPECT_FALSE(socketio_connect(ws, "/").empty());
    ws.send_close();
}

TEST(socketio_disconnect, from_a_custom_namespace_then_event_to_main) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ASSERT_FALSE(socketio_connect(ws, "/custom").empty());
    ws.send_text("41/custom,");
    ws.send_text(R"(42["message","message to main namespace",1,2])");
    EXPECT_EQ(next_text(ws), R"(42["message-back","message to main namespace",1,2])");
    ws.send_close();
}

TEST(socketio_disconnect, server_side_disconnect_sends_disconnect_and_keeps_the_connection) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ASSERT_FALSE(socketio_connect(ws, "/custom").empty());
    ws.send_text(R"(42/custom,["disconnect-me"])");
    EXPECT_EQ(next_text(ws), "41/custom,");
    ws.send_text(R"(42["disconnect-me"])");
    EXPECT_EQ(next_text(ws), "41");
    // Only the namespaces left: the Engine.IO connection is still there.
    EXPECT_EQ(ws.read_text(), "2");
    ws.send_text("3");
    ws.send_close();
}

TEST(socketio_disconnect, server_side_engine_close_closes_the_connection) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(42["drop-me"])");
    const auto closed = ws.wait_closed(default_timeout, true);
    EXPECT_TRUE(closed.closed);
    expect_server_alive();
}

TEST(socketio_event, plain_text_event) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(42["message",1,"2",{"3":[true]}])");
    EXPECT_EQ(next_text(ws), R"(42["message-back",1,"2",{"3":[true]}])");
    ws.send_close();
}

TEST(socketio_event, event_in_a_custom_namespace) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ASSERT_FALSE(socketio_connect(ws, "/custom").empty());
    ws.send_text(R"(42/custom,["message",{"a":null,"b":[1.5,-2]}])");
    EXPECT_EQ(next_text(ws), R"(42/custom,["message-back",{"a":null,"b":[1.5,-2]}])");
    ws.send_close();
}

TEST(socketio_event, non_ascii_text_travels_unescaped) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text("42[\"message\",\"h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\"]");
    EXPECT_EQ(next_text(ws), "42[\"message-back\",\"h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\"]");
    ws.send_close();
}

TEST(socketio_event, event_with_ack) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(42456["message-with-ack",1,"2",{"3":[false]}])");
    EXPECT_EQ(next_text(ws), R"(43456[1,"2",{"3":[false]}])");
    ws.send_close();
}

TEST(socketio_event, event_with_ack_in_a_custom_namespace) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ASSERT_FALSE(socketio_connect(ws, "/custom").empty());
    ws.send_text(R"(42/custom,7["message-with-ack","x"])");
    EXPECT_EQ(next_text(ws), R"(43/custom,7["x"])");
    ws.send_close();
}

TEST(socketio_binary, event_with_attachments) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(452-["message",)" + placeholder0 + "," + placeholder1 + "]");
    ws.send_binary(std::string("\x01\x02\x03", 3));
    ws.send_binary(std::string("\x04\x05\x06", 3));
    EXPECT_EQ(next_text(ws), R"(452-["message-back",)" + placeholder0 + "," + placeholder1 + "]");
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x01\x02\x03", 3)}));
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x04\x05\x06", 3)}));
    ws.send_close();
}

TEST(socketio_binary, nested_attachments_keep_their_place) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(452-["message",{"a":[)" + placeholder1 + R"(],"b":)" + placeholder0 + "}]");
    ws.send_binary(std::string("\x00\xFF", 2));
    ws.send_binary(std::string("\x10", 1));
    // The reference renumbers placeholders in the order it meets them.
    EXPECT_EQ(next_text(ws), R"(452-["message-back",{"a":[)" + placeholder0 + R"(],"b":)" + placeholder1 + "}]");
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x10", 1)}));
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x00\xFF", 2)}));
    ws.send_close();
}

TEST(socketio_binary, event_with_attachments_and_ack) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(452-789["message-with-ack",1,)" + placeholder0 + "," + placeholder1 + "]");
    ws.send_binary(std::string("\x01\x02\x03", 3));
    ws.send_binary(std::string("\x04\x05\x06", 3));
    EXPECT_EQ(next_text(ws), R"(462-789[1,)" + placeholder0 + "," + placeholder1 + "]");
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x01\x02\x03", 3)}));
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x04\x05\x06", 3)}));
    ws.send_close();
}

TEST(socketio_binary, attachments_in_a_custom_namespace) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ASSERT_FALSE(socketio_connect(ws, "/custom").empty());
    ws.send_text(R"(451-/custom,["message",)" + placeholder0 + "]");
    ws.send_binary(std::string("\x2A", 1));
    EXPECT_EQ(next_text(ws), R"(451-/custom,["message-back",)" + placeholder0 + "]");
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x2A", 1)}));
    ws.send_close();
}

// "ask" makes the server emit with an ack and report what came back.
// Returns the ack id the server chose, or -1 after a gtest failure.
long expect_server_question(websocket_client& ws, std::string_view expected_body) {
    const auto question = next_text(ws);
    std::smatch match;
    const std::regex shape(R"re(42(\d+)(.*))re");
    EXPECT_TRUE(std::regex_match(question, match, shape)) << question;
    if (match.empty()) return -1;
    EXPECT_EQ(match[2].str(), expected_body) << question;
    return std::stol(match[1].str());
}

TEST(socketio_ack, server_to_client_ack) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(421["ask",{"event":"question","args":[1,"two"],"timeout":2000}])");
    const auto id = expect_server_question(ws, R"(["question",1,"two"])");
    ASSERT_GE(id, 0);
    ws.send_text("43" + std::to_string(id) + R"(["answer",{"ok":true}])");
    EXPECT_EQ(next_text(ws), R"(431[{"response":["answer",{"ok":true}]}])");
    ws.send_close();
}

TEST(socketio_ack, server_to_client_binary_ack) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(421["ask",{"event":"question","timeout":2000}])");
    const auto id = expect_server_question(ws, R"(["question"])");
    ASSERT_GE(id, 0);
    ws.send_text("461-" + std::to_string(id) + "[" + placeholder0 + "]");
    ws.send_binary(std::string("\x07\x08", 2));
    EXPECT_EQ(next_text(ws), R"(461-1[{"response":[)" + placeholder0 + "]}]");
    EXPECT_EQ(next_message(ws), (ws_message{true, std::string("\x07\x08", 2)}));
    ws.send_close();
}

TEST(socketio_ack, server_to_client_ack_times_out) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_text(R"(421["ask",{"event":"question","timeout":200}])");
    const auto id = expect_server_question(ws, R"(["question"])");
    ASSERT_GE(id, 0);
    // No answer: the server gives up after its timeout.
    EXPECT_EQ(next_text(ws), R"(431[{"error":"timeout"}])");
    // A late answer is ignored, and the connection stays usable.
    ws.send_text("43" + std::to_string(id) + "[\"late\"]");
    ws.send_text(R"(42["message","still here"])");
    EXPECT_EQ(next_text(ws), R"(42["message-back","still here"])");
    ws.send_close();
}

TEST(socketio_rooms, join_lists_rooms_and_leave) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    const auto sid = socketio_connect(ws, "/");
    ASSERT_FALSE(sid.empty());
    ws.send_text(R"(421["join","room1"])");
    EXPECT_EQ(next_text(ws), "431[true]");
    ws.send_text(R"(422["rooms"])");
    std::vector<std::string> rooms{sid, "room1"};
    std::sort(rooms.begin(), rooms.end());
    EXPECT_EQ(next_text(ws), "432[" + nlohmann::json(rooms).dump() + "]");
    ws.send_text(R"(423["leave","room1"])");
    EXPECT_EQ(next_text(ws), "433[true]");
    ws.send_text(R"(424["rooms"])");
    EXPECT_EQ(next_text(ws), "434[[\"" + sid + "\"]]");
    ws.send_close();
}

TEST(socketio_rooms, broadcast_reaches_room_members_only) {
    auto member = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(member));
    auto sender = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(sender));
    member.send_text(R"(421["join","news"])");
    ASSERT_EQ(next_text(member), "431[true]");
    sender.send_text(R"(425["emit",{"to":"news","event":"headline","args":[1,"x",{"y":true}]}])");
    EXPECT_EQ(next_text(member), R"(42["headline",1,"x",{"y":true}])");
    // The sender is not in the room: its next packet is the ack.
    EXPECT_EQ(next_text(sender), "435[true]");
    member.send_close();
    sender.send_close();
}

}  // namespace
}  // namespace switchboard::tests::integration
