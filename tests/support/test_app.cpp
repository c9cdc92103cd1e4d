#include "tests/support/test_app.hpp"

#include <algorithm>

#include "kernel/server.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::tests {

using kernel::socketio::ack_sender;
using kernel::socketio::json;
using kernel::socketio::socket;

namespace {

std::vector<std::string> as_list(const json& value) {
    std::vector<std::string> out;
    if (value.is_string()) out.push_back(value.get<std::string>());
    if (value.is_array())
        for (const auto& item : value)
            if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

const json& arg(const json& args, std::size_t i) {
    static const json null_value;
    return i < args.size() ? args[i] : null_value;
}

void on_emit(kernel::socketio::server& io, socket& s, const json& spec, const ack_sender& ack) {
    if (!spec.is_object()) return;
    kernel::socketio::broadcast_options options;
    if (spec.contains("to")) options.rooms = as_list(spec["to"]);
    if (spec.contains("except")) options.except = as_list(spec["except"]);
    if (spec.value("exclude_self", false)) options.except.push_back(s.id());
    options.is_volatile = spec.value("volatile", false);
    json args = spec.contains("args") && spec["args"].is_array() ? spec["args"] : json::array();
    io.broadcast(s.nsp(), options, spec.value("event", std::string("message")), std::move(args));
    if (ack) ack(json::array({true}));
}

void on_ask(socket& s, const json& spec, const ack_sender& ack) {
    if (!spec.is_object()) return;
    json args = spec.contains("args") && spec["args"].is_array() ? spec["args"] : json::array();
    const auto timeout = std::chrono::milliseconds(spec.value("timeout", 1000));
    s.emit_with_ack(spec.value("event", std::string("ask")), std::move(args), timeout,
                    [ack](std::optional<json> response) {
                        if (!ack) return;
                        if (!response) return ack(json::array({json{{"error", "timeout"}}}));
                        ack(json::array({json{{"response", std::move(*response)}}}));
                    });
}

}  // namespace

void install_test_app(kernel::server& server) {
    auto& io = server.socketio();
    kernel::socketio::namespace_handlers handlers;
    handlers.on_connection = [](socket& s) { s.emit("auth", json::array({s.auth()})); };
    handlers.on_event = [&io](socket& s, std::string_view event, json& args, ack_sender ack) {
        if (event == "message") {
            s.emit("message-back", std::move(args));
        } else if (event == "message-with-ack") {
            if (ack) ack(std::move(args));
        } else if (event == "join" || event == "leave") {
            const json& room = arg(args, 0);
            if (room.is_string()) event == "join" ? s.join(room.get<std::string>()) : s.leave(room.get<std::string>());
            if (ack) ack(json::array({true}));
        } else if (event == "rooms") {
            std::vector<std::string> rooms = s.rooms();
            rooms.push_back(s.id());
            std::sort(rooms.begin(), rooms.end());
            if (ack) ack(json::array({rooms}));
        } else if (event == "emit") {
            on_emit(io, s, arg(args, 0), ack);
        } else if (event == "ask") {
            on_ask(s, arg(args, 0), ack);
        } else if (event == "disconnect-me") {
            s.disconnect(false);
        } else if (event == "drop-me") {
            s.session().close("forced close");
        }
    };
    for (const auto& nsp : io.settings().namespaces) io.set_handlers(nsp.name, handlers);
}

}  // namespace switchboard::tests
