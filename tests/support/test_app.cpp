#include "tests/support/test_app.hpp"

#include <algorithm>

#include "kernel/server.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::tests {

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

constexpr std::int64_t no_ack = kernel::socketio::no_ack_id;

void on_emit(kernel::socketio::server& io, socket& s, const json& spec, std::int64_t ack_id) {
    if (!spec.is_object()) return;
    kernel::socketio::broadcast_options options;
    if (spec.contains("to")) options.rooms = as_list(spec["to"]);
    if (spec.contains("except")) options.except = as_list(spec["except"]);
    if (spec.value("exclude_self", false)) options.except.push_back(s.id());
    options.is_volatile = spec.value("volatile", false);
    json args = spec.contains("args") && spec["args"].is_array() ? spec["args"] : json::array();
    io.broadcast(s.nsp(), options, spec.value("event", std::string("message")), std::move(args));
    if (ack_id != no_ack) s.ack(ack_id, json::array({true}));
}

void on_ask(kernel::socketio::server& io, socket& s, const json& spec, std::int64_t ack_id) {
    if (!spec.is_object()) return;
    json args = spec.contains("args") && spec["args"].is_array() ? spec["args"] : json::array();
    const auto timeout = std::chrono::milliseconds(spec.value("timeout", 1000));
    s.emit_with_ack(spec.value("event", std::string("ask")), std::move(args), timeout,
                    [&io, handle = s.handle(), ack_id](std::optional<json> response) {
                        if (ack_id == no_ack) return;
                        json answer = response ? json{{"response", std::move(*response)}} : json{{"error", "timeout"}};
                        // The socket may be gone by now: reach it by handle.
                        io.with_socket(handle, [ack_id, answer = std::move(answer)](socket* s) mutable {
                            if (s) s->ack(ack_id, json::array({std::move(answer)}));
                        });
                    });
}

}  // namespace

void install_test_app(kernel::server& server) {
    auto& io = server.socketio();
    kernel::socketio::namespace_handlers handlers;
    handlers.on_connection = [](socket& s) { s.emit("auth", json::array({s.auth()})); };
    handlers.on_event = [&io](socket& s, std::string_view event, json& args, std::int64_t ack_id) {
        if (event == "message") {
            s.emit("message-back", std::move(args));
        } else if (event == "message-with-ack") {
            if (ack_id != no_ack) s.ack(ack_id, std::move(args));
        } else if (event == "join" || event == "leave") {
            const json& room = arg(args, 0);
            if (room.is_string()) event == "join" ? s.join(room.get<std::string>()) : s.leave(room.get<std::string>());
            if (ack_id != no_ack) s.ack(ack_id, json::array({true}));
        } else if (event == "rooms") {
            std::vector<std::string> rooms(s.rooms().begin(), s.rooms().end());
            rooms.push_back(s.id());
            std::sort(rooms.begin(), rooms.end());
            if (ack_id != no_ack) s.ack(ack_id, json::array({rooms}));
        } else if (event == "emit") {
            on_emit(io, s, arg(args, 0), ack_id);
        } else if (event == "ask") {
            on_ask(io, s, arg(args, 0), ack_id);
        } else if (event == "disconnect-me") {
            s.disconnect(false);
        } else if (event == "drop-me") {
            s.session().close("forced close");
        }
    };
    for (const auto& nsp : io.settings().namespaces) io.set_handlers(nsp.name, handlers);
}

}  // namespace switchboard::tests
