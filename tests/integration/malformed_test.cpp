// Bad input at every layer: Socket.IO packets, Engine.IO packets on both
// transports, WebSocket framing and raw HTTP. Each case must close (or refuse)
// only the offending connection, and a fresh client must still be served.

#include "support/session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace switchboard::tests::integration {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// Socket.IO packets on a connection already joined to "/".

struct socketio_case {
    const char* name;
    std::vector<ws_message> frames;
};

std::ostream& operator<<(std::ostream& out, const socketio_case& c) { return out << c.name; }

ws_message text(std::string data) { return {false, std::move(data)}; }
ws_message binary(std::string data) { return {true, std::move(data)}; }

class malformed_socketio : public ::testing::TestWithParam<socketio_case> {};

TEST_P(malformed_socketio, closes_the_connection) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    for (const auto& frame : GetParam().frames) {
        // Raw writes: the server may already have closed after an earlier frame.
        ws.send_raw(encode_ws_frame(frame.binary ? opcode::binary : opcode::text, frame.data));
    }
    const auto closed = ws.wait_closed(default_timeout, /*answer_engineio_pings=*/true);
    EXPECT_TRUE(closed.closed) << GetParam().name << " left the connection open";
    expect_server_alive();
}

const std::string placeholder0 = R"({"_placeholder":true,"num":0})";

// The control: a valid packet with the same harness leaves the connection open,
// so "closed" above is the server's verdict, not a side effect of the harness.
TEST(malformed_socketio_control, valid_packet_keeps_the_connection_open) {
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(open_socketio_session(ws));
    ws.send_raw(encode_ws_frame(opcode::text, R"(42["message",1])"));
    const auto outcome = ws.wait_closed(std::chrono::milliseconds(connect_timeout_ms + 500), true);
    EXPECT_FALSE(outcome.closed);
    EXPECT_EQ(outcome.messages, std::vector<ws_message>{text(R"(42["message-back",1])")});
}

INSTANTIATE_TEST_SUITE_P(
    packets, malformed_socketio,
    ::testing::Values(
        socketio_case{"unknown_type_letter", {text("4abc")}},
        socketio_case{"unknown_type_7", {text("47")}},
        socketio_case{"unknown_type_9", {text(R"(49["message"])")}},
        socketio_case{"event_payload_is_an_object", {text("42{}")}},
        socketio_case{"event_payload_is_empty", {text("42[]")}},
        socketio_case{"event_payload_is_a_string", {text(R"(42"message")")}},
        socketio_case{"event_name_is_an_object", {text(R"(42[{"a":1}])")}},
        socketio_case{"event_name_is_reserved", {text(R"(42["connect"])")}},
        socketio_case{"event_payload_is_invalid_json", {text(R"(42["message",)")}},
        socketio_case{"event_ack_id_is_not_a_number", {text(R"(42abc["message-with-ack",1,"2",{"3":[false]}])")}},
        socketio_case{"event_to_an_unconnected_namespace", {text(R"(42/custom,["message",1])")}},
        socketio_case{"event_to_an_unknown_namespace", {text(R"(42/random,["message",1])")}},
        socketio_case{"connect_twice_to_the_same_namespace", {text("40")}},
        socketio_case{"connect_payload_is_an_array", {text("40/custom,[]")}},
        socketio_case{"connect_payload_is_a_string", {text(R"(40/custom,"token")")}},
        socketio_case{"connect_payload_is_not_json", {text("40/custom,{token")}},
        socketio_case{"disconnect_with_a_payload", {text("41{}")}},
        socketio_case{"client_sends_connect_error", {text(R"(44{"message":"x"})")}},
        socketio_case{"ack_payload_is_an_object", {text("431{}")}},
        socketio_case{"attachment_count_missing", {text(R"(45["message"])")}},
        socketio_case{"attachment_count_empty", {text(R"(45-["message"])")}},
        socketio_case{"attachment_count_zero", {text(R"(450-["message"])")}},
        socketio_case{"attachment_count_not_a_number", {text(R"(45x-["message"])")}},
        // The reference parser allows at most 10 attachments per packet.
        socketio_case{"attachment_count_over_the_limit", {text(R"(4511-["message"])")}},
        socketio_case{"binary_ack_attachment_count_zero", {text("460-1[]")}},
        socketio_case{"placeholder_index_out_of_range",
                      {text(R"(451-["message",{"_placeholder":true,"num":1}])"), binary("\x01")}},
        socketio_case{"placeholder_index_negative",
                      {text(R"(451-["message",{"_placeholder":true,"num":-1}])"), binary("\x01")}},
        socketio_case{"placeholder_index_is_a_string",
                      {text(R"(451-["message",{"_placeholder":true,"num":"0"}])"), binary("\x01")}},
        socketio_case{"binary_frame_without_a_pending_packet", {binary(std::string("\x01\x02", 2))}},
        socketio_case{"text_frame_while_attachments_are_pending",
                      {text(R"(451-["message",)" + placeholder0 + "]"), text(R"(42["message",1])")}},
        socketio_case{"more_attachments_than_announced",
                      {text(R"(451-["message",)" + placeholder0 + "]"), binary("\x01"), binary("\x02")}}),
    [](const ::testing::TestParamInfo<socketio_case>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Engine.IO packets on a WebSocket.

void expect_engineio_text_closes(const std::string& packet) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_text(packet);
    EXPECT_TRUE(ws.wait_closed().closed) << "'" << packet << "' left the connection open";
    expect_server_alive();
}

TEST(malformed_engineio_websocket, empty_text_message_closes) { expect_engineio_text_closes(""); }

TEST(malformed_engineio_websocket, unknown_packet_type_closes) { expect_engineio_text_closes("9"); }

TEST(malformed_engineio_websocket, client_ping_closes) {
    // In v4 only the server pings; the reference treats a client ping as an
    // "invalid heartbeat direction" error.
    expect_engineio_text_closes("2");
}

// ---------------------------------------------------------------------------
// Engine.IO packets and bodies on long-polling.

// A session closed by the server either is gone at once, or hands the close
// packet to the next poll (the reference sends noop + close: "6\x1e1").
void expect_polling_session_closed(const std::string& sid) {
    auto http = make_http_client();
    auto response = http.get(polling_target(sid));
    if (response.status == 200) {
        const auto packets = split_payload(response.body);
        EXPECT_NE(std::find(packets.begin(), packets.end(), "1"), packets.end())
            << "a poll after the error got '" << response.body << "' instead of a close packet";
        response = http.get(polling_target(sid));
    }
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.body, R"({"code":1,"message":"Session ID unknown"})");
}

TEST(malformed_engineio_polling, empty_body_closes_the_session) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    http.send("POST", polling_target(sid), "");
    // The reference answers 200 "ok" before noticing the payload is empty.
    if (const auto response = http.try_receive()) {
        EXPECT_TRUE(response->status == 200 || response->status == 400) << response->status;
    }
    expect_polling_session_closed(sid);
    expect_server_alive();
}

TEST(malformed_engineio_polling, octet_stream_body_closes_the_session) {
    // Engine.IO v4 polling carries binary as base64 text only.
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    http.send("POST", polling_target(sid), std::string("\x01\x02\x03", 3),
              {{"Content-Type", "application/octet-stream"}});
    if (const auto response = http.try_receive()) {
        EXPECT_EQ(response->status, 400);
    }
    expect_polling_session_closed(sid);
    expect_server_alive();
}

TEST(malformed_engineio_polling, socketio_error_closes_the_session) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    ASSERT_EQ(http.post(polling_target(sid), "40").body, "ok");
    (void)poll_packets(http, sid, 2);
    http.send("POST", polling_target(sid), "4abc");
    if (const auto response = http.try_receive()) {
        EXPECT_TRUE(response->status == 200 || response->status == 400) << response->status;
    }
    expect_polling_session_closed(sid);
    expect_server_alive();
}

TEST(malformed_engineio_polling, post_to_an_upgraded_session_is_refused) {
    auto http = make_http_client();
    const auto sid = open_polling_session(http);
    ASSERT_FALSE(sid.empty());
    auto ws = make_websocket_client();
    ASSERT_NO_FATAL_FAILURE(upgrade_to_websocket(http, sid, ws));
    ws.send_text("40");
    ASSERT_EQ(next_text(ws).substr(0, 9), R"(40{"sid":)");
    const auto response = http.post(polling_target(sid), R"(42["message",1])");
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.body, R"({"code":3,"message":"Bad request"})");
    ws.send_close();
}

// ---------------------------------------------------------------------------
// WebSocket framing (RFC 6455). The reference ('ws') closes with the RFC
// status code for each violation.

struct framing_case {
    const char* name;
    std::string bytes;  // written raw after the Engine.IO open packet
    std::uint16_t close_code;
};

std::ostream& operator<<(std::ostream& out, const framing_case& c) { return out << c.name; }

class malformed_websocket_frame : public ::testing::TestWithParam<framing_case> {};

TEST_P(malformed_websocket_frame, closes_with_the_rfc_status) {
    auto ws = make_websocket_client();
    ASSERT_TRUE(open_websocket_session(ws).is_object());
    ws.send_raw(GetParam().bytes);
    const auto closed = ws.wait_closed();
    ASSERT_TRUE(closed.closed) << GetParam().name << " left the connection open";
    EXPECT_TRUE(closed.close_frame) << "dropped without a close frame";
    EXPECT_EQ(closed.code, std::optional<std::uint16_t>(GetParam().close_code));
    expect_server_alive();
}

std::string frame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true,
                  std::uint8_t rsv = 0) {
    return encode_ws_frame(opcode, payload, fin, masked, rsv);
}

// Only the header (and mask key) of a frame announcing `length` bytes: a
// server must refuse on the announced length, before reading the body.
std::string header_only(std::uint8_t opcode, std::size_t length, bool fin = true) {
    const auto full = encode_ws_frame(opcode, std::string(length, 'a'), fin);
    return full.substr(0, full.size() - length);
}

INSTANTIATE_TEST_SUITE_P(
    frames, malformed_websocket_frame,
    ::testing::Values(
        framing_case{"unmasked_client_frame", frame(opcode::text, R"(42["message"])", true, /*masked=*/false), 1002},
        framing_case{"reserved_data_opcode", frame(0x3, "4x"), 1002},
        framing_case{"reserved_control_opcode", frame(0xB, "4x"), 1002},
        framing_case{"rsv1_without_extension", frame(opcode::text, "4x", true, true, /*rsv=*/0x4), 1002},
        framing_case{"rsv3_set", frame(opcode::text, "4x", true, true, /*rsv=*/0x1), 1002},
        framing_case{"text_with_invalid_utf8", frame(opcode::text, "42[\"\xFF\xFE\"]"), 1007},
        framing_case{"text_with_truncated_utf8", frame(opcode::text, "42[\"\xE2\x9C\"]"), 1007},
        // 'ws' enforces maxPayload (= maxHttpBufferSize) with 1009 "too big".
        framing_case{"message_over_max_payload", header_only(opcode::text, max_payload + 1), 1009},
        framing_case{"fragments_over_max_payload",
                     frame(opcode::text, std::string(600000, 'a'), /*fin=*/false) +
                         header_only(opcode::continuation, 500000),
                     1009},
        framing_case{"control_frame_over_125_bytes", frame(opcode::ping, std::string(126, 'p')), 1002},
        framing_case{"fragmented_control_frame", frame(opcode::ping, "p", /*fin=*/false), 1002},
        framing_case{"continuation_without_a_message", frame(opcode::continuation, "4x"), 1002},
        framing_case{"new_message_inside_a_fragmented_one",
                     frame(opcode::text, "4", /*fin=*/false) + frame(opcode::text, "x"), 1002},
        framing_case{"close_with_invalid_status", frame(opcode::close, std::string("\x03\xE7", 2)), 1002},
        framing_case{"close_with_one_byte_payload", frame(opcode::close, "x"), 1002}),
    [](const ::testing::TestParamInfo<framing_case>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Raw HTTP.

// The server either answers with a 4xx or drops the connection.
void expect_refused_raw(const std::string& request) {
    tcp_connection connection;
    ASSERT_FALSE(connection.connect(server_host(), server_port()));
    ASSERT_FALSE(connection.write(request));
    try {
        const auto response = read_http_response(connection);
        EXPECT_EQ(response.status / 100, 4) << response.status << " " << response.body;
    } catch (const client_error&) {
        // closed without an answer: acceptable
    }
    expect_server_alive();
}

TEST(malformed_http, garbage_request_line) { expect_refused_raw("GARBAGE\r\n\r\n"); }

TEST(malformed_http, oversized_header) {
    // The reference (Node's http) answers 431.
    expect_refused_raw("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: " +
                       std::string(20000, 'a') + "\r\n\r\n");
}

TEST(malformed_http, invalid_content_length) {
    expect_refused_raw("POST /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: x\r\n"
                       "Content-Length: nope\r\n\r\n40");
}

TEST(malformed_http, websocket_upgrade_with_unsupported_version) {
    auto ws = make_websocket_client();
    const auto response = ws.handshake(websocket_target(), {{"Sec-WebSocket-Version", "12"}});
    EXPECT_FALSE(ws.is_open()) << "accepted an upgrade for a WebSocket version it does not speak";
    // The reference ('ws') answers 400; RFC 6455 suggests 426 Upgrade Required.
    EXPECT_TRUE(response.status == 400 || response.status == 426) << response.status;
    expect_server_alive();
}

TEST(malformed_http, websocket_upgrade_without_key) {
    tcp_connection connection;
    ASSERT_FALSE(connection.connect(server_host(), server_port()));
    ASSERT_FALSE(connection.write("GET " + websocket_target() +
                                  " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Version: 13\r\n\r\n"));
    try {
        const auto response = read_http_response(connection);
        EXPECT_NE(response.status, 101);
        EXPECT_EQ(response.status / 100, 4) << response.status;
    } catch (const client_error&) {
        // closed without an answer: acceptable
    }
    expect_server_alive();
}

TEST(malformed_http, connection_dropped_mid_request) {
    {
        tcp_connection connection;
        ASSERT_FALSE(connection.connect(server_host(), server_port()));
        ASSERT_FALSE(connection.write("POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Length: 100\r\n\r\n40"));
    }
    {
        auto ws = make_websocket_client();
        ASSERT_TRUE(open_websocket_session(ws).is_object());
        ws.send_raw(frame(opcode::text, std::string(1000, 'a')).substr(0, 500));
    }
    std::this_thread::sleep_for(50ms);
    expect_server_alive();
}

}  // namespace
}  // namespace switchboard::tests::integration
