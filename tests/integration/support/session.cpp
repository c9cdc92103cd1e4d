#include "support/session.hpp"

#include "support/server_process.hpp"

#include <gtest/gtest.h>

namespace switchboard::tests::integration {

std::string server_host() { return "127.0.0.1"; }

std::uint16_t server_port() { return server_environment::server().port(); }

http_client make_http_client() { return http_client(server_host(), server_port()); }

websocket_client make_websocket_client() { return websocket_client(server_host(), server_port()); }

std::string polling_target(std::string_view sid) {
    std::string target = "/socket.io/?EIO=4&transport=polling";
    if (!sid.empty()) target.append("&sid=").append(sid);
    return target;
}

std::string websocket_target(std::string_view sid) {
    std::string target = "/socket.io/?EIO=4&transport=websocket";
    if (!sid.empty()) target.append("&sid=").append(sid);
    return target;
}

nlohmann::json parse_open_packet(std::string_view packet) {
    if (packet.empty() || packet.front() != '0') return nullptr;
    auto value = nlohmann::json::parse(packet.substr(1), nullptr, /*allow_exceptions=*/false);
    return value.is_discarded() ? nlohmann::json(nullptr) : value;
}

std::string open_polling_session(http_client& client) {
    const auto response = client.get(polling_target());
    EXPECT_EQ(response.status, 200) << response.body;
    const auto open = parse_open_packet(response.body);
    EXPECT_TRUE(open.is_object() && open.contains("sid") && open["sid"].is_string())
        << "not an open packet: " << response.body;
    if (!open.is_object() || !open.contains("sid") || !open["sid"].is_string()) return {};
    return open["sid"].get<std::string>();
}

nlohmann::json open_websocket_session(websocket_client& ws) {
    const auto response = ws.handshake(websocket_target());
    EXPECT_TRUE(ws.is_open()) << "WebSocket handshake refused: " << ws.handshake_error();
    if (!ws.is_open()) return nullptr;
    const auto open_text = ws.read_text();
    const auto open = parse_open_packet(open_text);
    EXPECT_TRUE(open.is_object()) << "not an open packet: " << open_text;
    return open;
}

std::vector<std::string> split_payload(std::string_view body) {
    std::vector<std::string> packets;
    for (;;) {
        const auto at = body.find(record_separator);
        packets.emplace_back(body.substr(0, at));
        if (at == std::string_view::npos) return packets;
        body.remove_prefix(at + 1);
    }
}

std::vector<std::string> poll_packets(http_client& client, std::string_view sid, std::size_t count,
                                      std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<std::string> packets;
    while (packets.size() < count) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw client_error("polling: only " + std::to_string(packets.size()) + " of " +
                                                  std::to_string(count) + " packets arrived in time");
        client.send("GET", polling_target(sid));
        const auto response = client.receive(left);
        if (response.status != 200)
            throw client_error("polling: GET answered " + std::to_string(response.status) + " " + response.body);
        bool pinged = false;
        for (auto& packet : split_payload(response.body)) {
            if (packet == "2")
                pinged = true;
            else
                packets.push_back(std::move(packet));
        }
        if (pinged) {
            const auto pong = client.post(polling_target(sid), "3");
            if (pong.status != 200) throw client_error("polling: pong answered " + std::to_string(pong.status));
        }
    }
    return packets;
}

ws_message next_message(websocket_client& ws, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        ws_message message;
        try {
            message = ws.read_message(std::max(left, std::chrono::milliseconds(1)));
        } catch (const client_error& e) {
            throw client_error(std::string(e.what()) + " (waited " + std::to_string(timeout.count()) +
                               " ms in all for a packet other than a ping)");
        }
        if (!message.binary && message.data == "2") {
            ws.send_text("3");
            continue;
        }
        return message;
    }
}

std::string next_text(websocket_client& ws, std::chrono::milliseconds timeout) {
    auto message = next_message(ws, timeout);
    if (message.binary)
        throw client_error("expected a text message, got " + std::to_string(message.data.size()) + " binary bytes");
    return std::move(message.data);
}

std::string socketio_connect(websocket_client& ws, std::string_view nsp, std::string_view auth) {
    const std::string prefix = nsp == "/" ? "" : std::string(nsp) + ",";
    ws.send_text("40" + prefix + std::string(auth));
    const auto connected = next_text(ws);
    const std::string expected_start = "40" + prefix;
    EXPECT_EQ(connected.substr(0, expected_start.size()), expected_start) << connected;
    const auto handshake = nlohmann::json::parse(connected.substr(std::min(expected_start.size(), connected.size())),
                                                 nullptr, false);
    EXPECT_TRUE(handshake.is_object() && handshake.size() == 1 && handshake.contains("sid") &&
                handshake["sid"].is_string())
        << "CONNECT answer must carry exactly {\"sid\":string}: " << connected;
    const std::string auth_json = auth.empty() ? "{}" : std::string(auth);
    EXPECT_EQ(next_text(ws), "42" + prefix + "[\"auth\"," + auth_json + "]");
    if (!handshake.is_object() || !handshake.contains("sid") || !handshake["sid"].is_string()) return {};
    return handshake["sid"].get<std::string>();
}

void open_socketio_session(websocket_client& ws) {
    const auto open = open_websocket_session(ws);
    ASSERT_TRUE(open.is_object());
    const auto sid = socketio_connect(ws);
    ASSERT_FALSE(sid.empty());
}

void upgrade_to_websocket(http_client& http, const std::string& sid, websocket_client& ws) {
    ws.handshake(websocket_target(sid));
    ASSERT_TRUE(ws.is_open()) << ws.handshake_error();
    ws.send_text("2probe");
    ASSERT_EQ(ws.read_text(), "3probe");
    const auto poll = http.get(polling_target(sid));
    ASSERT_EQ(poll.status, 200);
    // A slow test may find a ping queued before the noop.
    auto packets = split_payload(poll.body);
    const bool pinged = packets.size() == 2 && packets[0] == "2";
    if (pinged) packets.erase(packets.begin());
    ASSERT_EQ(packets, std::vector<std::string>{"6"}) << poll.body;
    ws.send_text("5");
    if (pinged) ws.send_text("3");
}

void expect_server_alive() {
    auto& server = server_environment::server();
    ASSERT_TRUE(server.running()) << "the server under test " << server.exit_description() << ". Its output:\n"
                                  << server.log_tail();
    try {
        auto http = make_http_client();
        const auto sid = open_polling_session(http);
        EXPECT_FALSE(sid.empty()) << "a fresh polling handshake failed";
        auto ws = make_websocket_client();
        const auto open = open_websocket_session(ws);
        EXPECT_TRUE(open.is_object()) << "a fresh WebSocket session failed";
        ws.send_close();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "the server stopped serving fresh clients: " << e.what() << "\nIts output:\n"
                      << server.log_tail();
    }
}

}  // namespace switchboard::tests::integration
