// The values a plugin is handed or hands over besides arguments: a socket as its hooks
// see it (with the one rule for a user's id), an auth request, an HTTP request and its
// answer, and where an emit goes. Part of sdk.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sdk/abi.hpp"

namespace switchboard::sdk {

namespace detail {

// The one rule for a user's id: the `id` claim of the socket's user, a string as it is,
// a number by its JSON text ("42"); anything else (anonymous, no id, an object) is "".
inline std::string user_id_of(const json& user) {
    if (!user.is_object()) return {};
    const auto id = user.find("id");
    if (id == user.end()) return {};
    if (id->is_string()) return id->get<std::string>();
    if (id->is_number_integer()) return id->dump();
    return {};
}

}  // namespace detail

// A socket in a connect, disconnect or join hook.
struct socket_info {
    socket_id socket = 0;
    std::string id;
    std::string nsp;
    json auth;
    json user;
    json handshake;
    json dialect;   // as event::dialect(); null from a kernel older than SDK 1.1

    // The signed-in user's id (see detail::user_id_of), "" for an anonymous socket.
    std::string user_id() const { return detail::user_id_of(user); }

    // Connection state recovery (socketio.recovery) gave this connect its old session
    // back: the client missed no event, so a connect hook skips re-sending what it has.
    // The kernel reports it as the handshake's "recovered" (sdk.h unchanged).
    bool recovered() const {
        const auto flag = handshake.find("recovered");
        return flag != handshake.end() && flag->is_boolean() && flag->get<bool>();
    }
};

// An HTTP request to a plugin route, and its answer.
struct http_request {
    std::string method;
    std::string path;
    std::string query;
    json headers;
    std::string body;
};
struct http_response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

// Where an emit goes.
struct target {
    switchboard_target_t kind = SWITCHBOARD_TO_NAMESPACE;
    socket_id socket = 0;
    std::string nsp = "/";
    std::vector<std::string> rooms;
    std::vector<std::string> except_rooms;
    socket_id except_socket = 0;
    std::string user_id;
    bool is_volatile = false;

    static target to_socket(socket_id s) {
        target t;
        t.kind = SWITCHBOARD_TO_SOCKET;
        t.socket = s;
        return t;
    }
    static target to_room(std::string nsp, std::string room) {
        target t;
        t.kind = SWITCHBOARD_TO_ROOMS;
        t.nsp = std::move(nsp);
        t.rooms.push_back(std::move(room));
        return t;
    }
    static target to_namespace(std::string nsp) {
        target t;
        t.nsp = std::move(nsp);
        return t;
    }
    static target to_user(std::string nsp, std::string user_id) {
        target t;
        t.kind = SWITCHBOARD_TO_USER;
        t.nsp = std::move(nsp);
        t.user_id = std::move(user_id);
        return t;
    }
    target& except(std::string room) {
        except_rooms.push_back(std::move(room));
        return *this;
    }
    target& except(socket_id s) {
        except_socket = s;
        return *this;
    }
    target& volatile_() {
        is_volatile = true;
        return *this;
    }
};

// A connecting client, as an auth hook sees it.
struct auth_request {
    std::string nsp;
    json auth;        // the CONNECT auth payload
    json handshake;   // {headers, query, address, issued}
};

}  // namespace switchboard::sdk
