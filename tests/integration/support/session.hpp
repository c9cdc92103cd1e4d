#pragma once

// Engine.IO / Socket.IO steps shared by the test files: open a session on
// either transport, join a namespace, skip heartbeats, check the server is
// still up. Each helper asserts with gtest; call them through ASSERT_NO_FATAL_FAILURE
// when later steps depend on them.

#include "support/raw_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::tests::integration {

// The test app's server options (see the test application description).
inline constexpr int ping_interval_ms = 300;
inline constexpr int ping_timeout_ms = 200;
inline constexpr long max_payload = 1000000;
inline constexpr int connect_timeout_ms = 1000;

inline constexpr std::string_view record_separator = "\x1e";

std::string server_host();
std::uint16_t server_port();

http_client make_http_client();
websocket_client make_websocket_client();

// "/socket.io/?EIO=4&transport=polling[&sid=...]"
std::string polling_target(std::string_view sid = {});
std::string websocket_target(std::string_view sid = {});

// Parses an Engine.IO open packet ('0{...}'); a null json on failure.
nlohmann::json parse_open_packet(std::string_view packet);

// GET handshake on `client`; returns the sid (empty after a gtest failure).
std::string open_polling_session(http_client& client);
// WebSocket handshake plus the open packet; returns the open packet's JSON.
nlohmann::json open_websocket_session(websocket_client& ws);

// Splits a polling payload on the record separator.
std::vector<std::string> split_payload(std::string_view body);
// GETs until `count` packets other than pings arrived, answering each ping
// with a POSTed pong, so a test does not depend on how the server batches.
std::vector<std::string> poll_packets(http_client& client, std::string_view sid, std::size_t count,
                                      std::chrono::milliseconds timeout = default_timeout);

// Next WebSocket text message that is not an Engine.IO ping; pings are answered.
std::string next_text(websocket_client& ws, std::chrono::milliseconds timeout = default_timeout);
// Next data message (text or binary) that is not an Engine.IO ping.
ws_message next_message(websocket_client& ws, std::chrono::milliseconds timeout = default_timeout);

// Sends CONNECT for `nsp` ("/" or "/custom") with an optional JSON auth text,
// checks the '40...{"sid":...}' answer and the "auth" event the test app
// emits; returns the Socket.IO sid.
std::string socketio_connect(websocket_client& ws, std::string_view nsp = "/", std::string_view auth = {});
// WebSocket session already connected to "/".
void open_socketio_session(websocket_client& ws);

// Upgrades polling session `sid` to `ws`: probe, the noop that releases the
// poll (fetched with `http`), then the upgrade packet.
void upgrade_to_websocket(http_client& http, const std::string& sid, websocket_client& ws);

// A fresh client completes a polling handshake and a WebSocket open: the
// server survived whatever the test just did to it.
void expect_server_alive();

}  // namespace switchboard::tests::integration
