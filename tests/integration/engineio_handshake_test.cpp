// Engine.IO v4 handshake on both transports, and the exact refusals a client
// sees for a bad version, transport, method or session id.

#include "support/session.hpp"

#include <gtest/gtest.h>

namespace switchboard::tests::integration {
namespace {

void expect_open_packet(const nlohmann::json& open, const nlohmann::json& upgrades) {
    ASSERT_TRUE(open.is_object());
    EXPECT_EQ(open.size(), 5u) << open.dump();
    ASSERT_TRUE(open.contains("sid") && open["sid"].is_string()) << open.dump();
    EXPECT_FALSE(open["sid"].get<std::string>().empty());
    EXPECT_EQ(open["upgrades"], upgrades);
    EXPECT_EQ(open["pingInterval"], ping_interval_ms);
    EXPECT_EQ(open["pingTimeout"], ping_timeout_ms);
    EXPECT_EQ(open["maxPayload"], max_payload);
}

// Every handshake refusal is a 400 with a JSON {code, message} body.
void expect_refusal(const http_response& response, int code, std::string_view message) {
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    EXPECT_EQ(response.body, nlohmann::json({{"code", code}, {"message", message}}).dump());
}

TEST(engineio_handshake, polling_opens_a_session) {
    auto http = make_http_client();
    const auto response = http.get(polling_target());
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=UTF-8");
    ASSERT_FALSE(response.body.empty());
    EXPECT_EQ(response.body.front(), '0');
    expect_open_packet(parse_open_packet(response.body), {"websocket"});
}

TEST(engineio_handshake, every_session_gets_its_own_sid) {
    auto http = make_http_client();
    const auto first = open_polling_session(http);
    const auto second = open_polling_session(http);
    EXPECT_FALSE(first.empty());
    EXPECT_NE(first, second);
}

TEST(engineio_handshake, extra_query_parameters_are_ignored) {
    // Clients add a cache-busting "t" parameter to every polling request.
    auto http = make_http_client();
    const auto response = http.get("/socket.io/?EIO=4&transport=polling&t=PbQ4Y1x&foo=bar");
    EXPECT_EQ(response.status, 200);
    expect_open_packet(parse_open_packet(response.body), {"websocket"});
}

TEST(engineio_handshake, websocket_opens_a_session) {
    auto ws = make_websocket_client();
    const auto response = ws.handshake(websocket_target());
    ASSERT_TRUE(ws.is_open()) << ws.handshake_error();
    EXPECT_EQ(response.status, 101);
    const auto open_text = ws.read_text();
    EXPECT_EQ(open_text.front(), '0');
    expect_open_packet(parse_open_packet(open_text), nlohmann::json::array());
    ws.send_close();
}

TEST(engineio_handshake, polling_refuses_a_missing_or_invalid_eio) {
    auto http = make_http_client();
    expect_refusal(http.get("/socket.io/?transport=polling"), 5, "Unsupported protocol version");
    expect_refusal(http.get("/socket.io/?EIO=abc&transport=polling"), 5, "Unsupported protocol version");
    // Engine.IO v3 is not enabled (socket.io's allowEIO3 defaults to false).
    expect_refusal(http.get("/socket.io/?EIO=3&transport=polling"), 5, "Unsupported protocol version");
    expect_refusal(http.get("/socket.io/?EIO=5&transport=polling"), 5, "Unsupported protocol version");
}

TEST(engineio_handshake, polling_refuses_a_missing_or_unknown_transport) {
    auto http = make_http_client();
    expect_refusal(http.get("/socket.io/?EIO=4"), 0, "Transport unknown");
    expect_refusal(http.get("/socket.io/?EIO=4&transport=abc"), 0, "Transport unknown");
}

TEST(engineio_handshake, polling_refuses_a_handshake_that_is_not_a_get) {
    auto http = make_http_client();
    expect_refusal(http.request("POST", polling_target()), 2, "Bad handshake method");
    expect_refusal(http.request("PUT", polling_target()), 2, "Bad handshake method");
}

TEST(engineio_handshake, polling_refuses_an_unknown_sid) {
    auto http = make_http_client();
    expect_refusal(http.get(polling_target("unknown-sid")), 1, "Session ID unknown");
    expect_refusal(http.post(polling_target("unknown-sid"), "40"), 1, "Session ID unknown");
}

TEST(engineio_handshake, polling_answers_cors_for_any_origin) {
    auto http = make_http_client();
    const auto response = http.get(polling_target(), {{"Origin", "https://example.com"}});
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("Access-Control-Allow-Origin"), "*");
    // Refusals carry CORS headers too, so a browser can read the error.
    const auto refusal = http.get("/socket.io/?EIO=4", {{"Origin", "https://example.com"}});
    EXPECT_EQ(refusal.status, 400);
    EXPECT_EQ(refusal.header("Access-Control-Allow-Origin"), "*");
}

TEST(engineio_handshake, polling_answers_a_cors_preflight) {
    auto http = make_http_client();
    const auto response = http.request("OPTIONS", polling_target(),
                                       {}, {{"Origin", "https://example.com"},
                                            {"Access-Control-Request-Method", "POST"},
                                            {"Access-Control-Request-Headers", "content-type"}});
    EXPECT_EQ(response.status, 204);
    EXPECT_EQ(response.header("Access-Control-Allow-Origin"), "*");
    const auto methods = response.header("Access-Control-Allow-Methods");
    EXPECT_NE(methods.find("GET"), std::string::npos) << methods;
    EXPECT_NE(methods.find("POST"), std::string::npos) << methods;
}

// The reference refuses a bad upgrade before switching protocols: a plain
// 400 whose body is the error message as text.
void expect_upgrade_refused(std::string_view target, std::string_view message) {
    auto ws = make_websocket_client();
    const auto response = ws.handshake(target);
    EXPECT_FALSE(ws.is_open());
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(response.body, message) << target;
}

TEST(engineio_handshake, websocket_refuses_a_missing_or_invalid_eio) {
    for (const auto* target : {"/socket.io/?transport=websocket", "/socket.io/?EIO=abc&transport=websocket",
                               "/socket.io/?EIO=3&transport=websocket"}) {
        auto ws = make_websocket_client();
        const auto response = ws.handshake(target);
        if (!ws.is_open()) {
            EXPECT_EQ(response.status, 400) << target;
            continue;
        }
        // The reference checks the version only after switching protocols: it
        // answers 101, writes a raw "HTTP/1.1 400" into the upgraded stream and
        // drops the connection. Either way no session may open.
        const auto closed = ws.wait_closed();
        EXPECT_TRUE(closed.closed) << target;
        for (const auto& message : closed.messages)
            EXPECT_NE(message.data.substr(0, 1), "0") << target << ": a session opened";
    }
    expect_server_alive();
}

TEST(engineio_handshake, websocket_refuses_a_missing_or_unknown_transport) {
    expect_upgrade_refused("/socket.io/?EIO=4", "Transport unknown");
    expect_upgrade_refused("/socket.io/?EIO=4&transport=abc", "Transport unknown");
    expect_server_alive();
}

TEST(engineio_handshake, websocket_refuses_an_unknown_sid) {
    expect_upgrade_refused(websocket_target("unknown-sid"), "Session ID unknown");
    expect_server_alive();
}

}  // namespace
}  // namespace switchboard::tests::integration
