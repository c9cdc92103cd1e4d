// What an instrument watching every socket is told (the Admin UI's namespace in its
// development mode). Called on the socket's worker, during the change; an observer
// that sends anything elsewhere does so by broadcast, never by touching other sockets.
//
// The server holds at most one, set before serving; with none set, each hook costs the
// hot path one pointer test.
#pragma once

#include <string_view>

#include "kernel/cluster/adapter.hpp"
#include "kernel/socketio/packet.hpp"

namespace switchboard::kernel::socketio {

class socket;

class socket_observer {
public:
    virtual ~socket_observer() = default;
    virtual void on_connected(socket& s) = 0;
    // The socket's session moved to another transport (an upgrade to WebSocket).
    virtual void on_transport_changed(socket& s) = 0;
    virtual void on_disconnected(socket& s, std::string_view reason) = 0;
    virtual void on_joined(socket& s, std::string_view room) = 0;
    virtual void on_left(socket& s, std::string_view room) = 0;
    // A client event: its name and arguments (without the name), before any handler.
    virtual void on_event_received(socket& s, std::string_view event, const json& args) = 0;
    // An event emitted to this one socket: [name, arguments...].
    virtual void on_event_sent(socket& s, const json& event_and_args) = 0;
    // Adds what the observer keeps about `s` to its description for fetchSockets.
    virtual void describe(const socket& s, cluster::ordered_json& data) = 0;
};

}  // namespace switchboard::kernel::socketio
