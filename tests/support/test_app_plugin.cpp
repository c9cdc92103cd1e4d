// The kernel test application (tests/e2e/README.md) as a plugin on the SDK alone.
//
// tests/support/test_app.cpp installs the same behavior on the kernel's internal API;
// this one may use nothing but sdk.hpp, so the e2e suite run through it proves the SDK
// can express everything the reference server does. Where the SDK offers no query
// (a socket's id, its rooms), the plugin keeps the answer itself: it sees every
// connect, join, leave and disconnect of the sockets it serves.
//
// Every handler is inline: none blocks, and running on the socket's worker keeps each
// socket's events in order, as the kernel test app does.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::tests {

namespace {

namespace sdk = switchboard::sdk;
using sdk::json;

// What the plugin remembers of each connected socket.
struct socket_record {
    std::string id;
    std::set<std::string> rooms;   // joined through "join", without the socket's own room
};

class socket_registry {
public:
    void connected(sdk::socket_id socket, std::string id) {
        std::lock_guard lock(mutex_);
        sockets_[socket] = socket_record{std::move(id), {}};
    }
    void disconnected(sdk::socket_id socket) {
        std::lock_guard lock(mutex_);
        sockets_.erase(socket);
    }
    void joined(sdk::socket_id socket, const std::string& room) {
        std::lock_guard lock(mutex_);
        if (const auto found = sockets_.find(socket); found != sockets_.end()) found->second.rooms.insert(room);
    }
    void left(sdk::socket_id socket, const std::string& room) {
        std::lock_guard lock(mutex_);
        if (const auto found = sockets_.find(socket); found != sockets_.end()) found->second.rooms.erase(room);
    }
    // [...socket.rooms].sort(): its own id and the rooms it joined.
    json rooms_of(sdk::socket_id socket) const {
        std::lock_guard lock(mutex_);
        const auto found = sockets_.find(socket);
        if (found == sockets_.end()) return json::array();
        std::set<std::string> all = found->second.rooms;
        all.insert(found->second.id);
        return json(std::vector<std::string>(all.begin(), all.end()));
    }

private:
    mutable std::mutex mutex_;
    std::map<sdk::socket_id, socket_record> sockets_;
};

socket_registry registry;

// A room argument: socket.io takes a room or an array of rooms.
std::vector<std::string> as_rooms(const json& value) {
    std::vector<std::string> out;
    if (value.is_string()) out.push_back(value.get<std::string>());
    if (value.is_array())
        for (const auto& item : value)
            if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

const json& arg(const sdk::event& e, std::size_t i) {
    static const json null_value;
    return i < e.args.size() ? e.args[i] : null_value;
}

json args_of(const json& spec) {
    const auto found = spec.find("args");
    return found != spec.end() && found->is_array() ? *found : json::array();
}

// "emit" ({to, except, event, args, exclude_self, volatile}, ack?): the operator
// `(exclude_self ? socket.broadcast : nsp).to(to).except(except).volatile.emit(...)`.
void on_emit(sdk::plugin& p, sdk::event& e) {
    const json& spec = arg(e, 0);
    if (!spec.is_object()) return;
    sdk::target to = sdk::target::to_namespace(e.nsp);
    if (spec.contains("to")) {
        to.rooms = as_rooms(spec["to"]);
        if (!to.rooms.empty()) to.kind = SWITCHBOARD_TO_ROOMS;
    }
    if (spec.contains("except")) to.except_rooms = as_rooms(spec["except"]);
    if (spec.value("exclude_self", false)) to.except(e.socket);
    to.is_volatile = spec.value("volatile", false);
    p.emit(to, spec.value("event", std::string("message")), args_of(spec));
    e.ack(true);
}

// "ask" ({event, args, timeout}, ack): a server-to-client emit with an ack and a timeout;
// the client's answer, or {error: "timeout"}, goes back in the asker's ack.
void on_ask(sdk::plugin& p, sdk::event& e) {
    const json& spec = arg(e, 0);
    if (!spec.is_object()) return;
    const auto timeout = std::chrono::milliseconds(spec.value("timeout", 1000));
    p.emit_with_ack(e.socket, spec.value("event", std::string("ask")), args_of(spec), timeout,
                    [asker = e](std::optional<json> response) {
                        asker.ack(response ? json{{"response", std::move(*response)}} : json{{"error", "timeout"}});
                    });
}

void load(sdk::plugin& p) {
    const sdk::handler_options inline_handler{true};
    auto on = [&p, inline_handler](std::string_view event, sdk::plugin::event_handler fn) {
        p.on(event, std::move(fn), inline_handler);
    };

    p.on_connect(
        [&p](const sdk::socket_info& s) {
            registry.connected(s.socket, s.id);
            // Emitted from the connect hook, it follows the CONNECT reply.
            p.emit(sdk::target::to_socket(s.socket), "auth",
                   json::array({s.auth.is_object() ? s.auth : json::object()}));
        },
        "*", inline_handler);
    p.on_disconnect([](const sdk::socket_info& s, std::string_view) { registry.disconnected(s.socket); }, "*",
                    inline_handler);

    on("message", [&p](sdk::event& e) { p.emit(sdk::target::to_socket(e.socket), "message-back", e.args); });
    on("message-with-ack", [](sdk::event& e) { e.ack(e.args); });
    on("join", [&p](sdk::event& e) {
        for (const auto& room : as_rooms(arg(e, 0))) {
            p.join(e.socket, room);
            registry.joined(e.socket, room);
        }
        e.ack(true);
    });
    on("leave", [&p](sdk::event& e) {
        for (const auto& room : as_rooms(arg(e, 0))) {
            p.leave(e.socket, room);
            registry.left(e.socket, room);
        }
        e.ack(true);
    });
    on("rooms", [](sdk::event& e) { e.ack(json::array({registry.rooms_of(e.socket)})); });
    on("emit", [&p](sdk::event& e) { on_emit(p, e); });
    on("ask", [&p](sdk::event& e) { on_ask(p, e); });
    // socket.disconnect(): this namespace only; the client does not reconnect by itself.
    on("disconnect-me", [&p](sdk::event& e) { p.disconnect(e.socket); });
    // socket.conn.close(): the whole connection; the client reconnects by itself.
    on("drop-me", [&p](sdk::event& e) { p.disconnect(e.socket, true); });
}

}  // namespace

}  // namespace switchboard::tests

SWITCHBOARD_PLUGIN("test-app", "1.0.0", "The e2e test application on the SDK", nullptr, switchboard::tests::load)
