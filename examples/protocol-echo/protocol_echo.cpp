// protocol-echo: the Socket.IO reference test server's behavior, as a plugin.
//
//   io.on("connection", s => s.emit("auth", s.handshake.auth));
//   socket.on("message", (...args) => socket.emit("message-back", ...args));
//   socket.on("message-with-ack", (...args) => ack(...args));
//   io.of("/custom").on("connection", s => s.emit("auth", s.handshake.auth));
//
// Every handler is inline: nothing here blocks, and echoing from the network worker
// is the fastest path the SDK offers. The arguments go back as the client wrote them
// (raw(), unparsed): key order, numbers and escapes byte for byte, as Node's echo
// keeps them (Node renumbers only what JSON.parse does: see tests/e2e/fidelity).
#include <switchboard/sdk.hpp>

namespace {

using switchboard::sdk::event;
using switchboard::sdk::plugin;
using switchboard::sdk::socket_info;
using switchboard::sdk::target;

void load(plugin& p) {
    const switchboard::sdk::handler_options inline_handler{true};
    switchboard::sdk::handler_options relay = inline_handler;
    relay.parse_args = false;
    // Emits made in a connect hook follow the CONNECT reply.
    p.on_connect([&p](const socket_info& s) { p.emit(target::to_socket(s.socket), "auth", {s.auth}); },
                 "*", inline_handler);
    p.on("/", "message", [&p](event& e) { p.emit_raw(target::to_socket(e.socket), "message-back", e.raw()); },
         relay);
    p.on("/", "message-with-ack", [](event& e) { e.ack_raw(e.raw()); }, relay);
}

}  // namespace

SWITCHBOARD_PLUGIN("protocol-echo", "1.0.0", "The Socket.IO reference test server's behavior", nullptr, load)
