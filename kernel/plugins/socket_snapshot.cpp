#include "kernel/plugins/socket_snapshot.hpp"

#include "kernel/net/http_message.hpp"
#include "kernel/plugins/sdk_strings.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

namespace {

json query_object(std::string_view query) {
    json out = json::object();
    for (auto& [name, value] : net::parse_query(query)) out[name] = std::move(value);
    return out;
}

// The protocol a socket's client speaks, as SDK 1.1's dialect_json says it.
std::string dialect_of(const socketio::socket& s, config::packet_parser parser) {
    const int engineio = s.session().protocol();
    return json{{"engineio", engineio},
                {"socketio", engineio == 3 ? 4 : 5},
                {"parser", parser == config::packet_parser::msgpack ? "msgpack" : "json"}}
        .dump();
}

}  // namespace

socket_snapshot::socket_snapshot(socketio::socket& s, config::packet_parser parser)
    : handle(s.handle()),
      id(s.id()),
      nsp(s.nsp()),
      auth_json(s.auth().dump(-1, ' ', false, json::error_handler_t::replace)),
      user_json(s.user().dump(-1, ' ', false, json::error_handler_t::replace)),
      dialect_json(dialect_of(s, parser)) {
    const auto& h = s.handshake();
    handshake_json = json{{"headers", headers_object(h.headers)},
                          {"query", query_object(h.query)},
                          {"address", h.remote_address},
                          {"issued", h.issued_ms},
                          // Connection state recovery took over a session: the
                          // socket missed nothing (plugins skip re-sending).
                          {"recovered", s.recovered()}}
                         .dump(-1, ' ', false, json::error_handler_t::replace);
}

switchboard_socket_info_t socket_snapshot::info() const {
    switchboard_socket_info_t out{};
    out.struct_size = sizeof out;
    out.socket = handle;
    out.id = view(id);
    out.nsp = view(nsp);
    out.auth_json = view(auth_json);
    out.user_json = view(user_json);
    out.handshake_json = view(handshake_json);
    out.dialect_json = view(dialect_json);
    return out;
}

}  // namespace switchboard::kernel::plugins
