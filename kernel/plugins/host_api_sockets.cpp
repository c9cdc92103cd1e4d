// The host table's socket calls. Each reaches sockets by handle through the Socket.IO
// server, so it is safe from any thread.
#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <optional>

#include "kernel/core/worker.hpp"
#include "kernel/plugins/host_api_support.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::plugins::host_calls {

using nlohmann::json;

namespace {

// A plugin's arguments (a JSON array with placeholders, plus attachments), checked and
// owned; they are sent as written, never parsed into values and dumped again.
std::optional<socketio::encoded_arguments> arguments_of(switchboard_str_t args_json,
                                                        const switchboard_str_t* attachments, std::size_t count) {
    if (count && !attachments) return std::nullopt;
    socketio::encoded_arguments args;
    args.text = text(args_json).empty() ? std::string("[]") : std::string(text(args_json));
    if (!socketio::are_arguments_valid(args.text, count)) return std::nullopt;
    args.attachments.reserve(count);
    for (std::size_t i = 0; i < count; ++i) args.attachments.emplace_back(text(attachments[i]));
    return args;
}

std::vector<std::string> to_strings(const switchboard_str_t* items, std::size_t count) {
    std::vector<std::string> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) out.emplace_back(text(items[i]));
    return out;
}

switchboard_status_t emit_to_socket(switchboard_plugin_t* self, const switchboard_emit_t& emit,
                                    socketio::encoded_arguments args) {
    auto& host = *self->host;
    std::string event(text(emit.event));
    const bool is_volatile = (emit.flags & SWITCHBOARD_EMIT_VOLATILE) != 0;
    if (!emit.on_ack) {
        host.environment().socketio.with_socket(emit.socket, [event = std::move(event), args = std::move(args),
                                                           is_volatile](socketio::socket* s) mutable {
            if (s) s->emit_text(event, std::move(args), is_volatile);
        });
        return SWITCHBOARD_OK;
    }
    // The ack callback runs on the pool (it may block) and exactly once; it gets the
    // client's answer as the client wrote it.
    auto answer = [&host, fn = emit.on_ack,
                   user_data = emit.ack_user_data](std::optional<socketio::encoded_arguments> response) {
        host.pool().post([fn, user_data, response = std::move(response)] {
            if (!response) return fn(user_data, 1, switchboard_str_t{nullptr, 0}, nullptr, 0);
            std::vector<switchboard_str_t> attachments;
            for (const auto& bytes : response->attachments) attachments.push_back(view(bytes));
            fn(user_data, 0, view(response->text), attachments.data(), attachments.size());
        });
    };
    const auto timeout = std::chrono::milliseconds(emit.ack_timeout_ms ? emit.ack_timeout_ms : 5000);
    host.environment().socketio.with_socket(emit.socket, [event = std::move(event), args = std::move(args), timeout,
                                                       answer = std::move(answer)](socketio::socket* s) mutable {
        if (!s) return answer(std::nullopt);
        s->emit_text_with_ack(event, std::move(args), timeout, std::move(answer));
    });
    return SWITCHBOARD_OK;
}

// Reads `read(socket)` on the socket's worker and waits for it. On a network worker
// only that worker's sockets answer (dispatch runs them there and then); waiting for
// another worker could wait on one that waits on us.
template <class T>
switchboard_status_t read_socket(switchboard_plugin_t* self, switchboard_socket_t handle,
                                 std::function<T(const socketio::socket&)> read, T& out) {
    auto promise = std::make_shared<std::promise<std::optional<T>>>();
    auto answer = promise->get_future();
    self->host->environment().socketio.with_socket(handle, [promise, read = std::move(read)](socketio::socket* s) {
        promise->set_value(s ? std::optional<T>(read(*s)) : std::nullopt);
    });
    if (worker::current() && answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        SB_LOG(error, self->name) << "a socket of another network worker cannot be read from an inline handler";
        return SWITCHBOARD_NOT_ALLOWED_HERE;
    }
    auto value = answer.get();
    if (!value) return SWITCHBOARD_NOT_FOUND;
    out = std::move(*value);
    return SWITCHBOARD_OK;
}

}  // namespace

switchboard_status_t host_ack(switchboard_plugin_t* self, switchboard_socket_t socket, int64_t ack_id,
                              switchboard_str_t args_json, const switchboard_str_t* attachments,
                              size_t attachment_count) {
    if (!self || ack_id < 0) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_ack", [&] {
        auto args = arguments_of(args_json, attachments, attachment_count);
        if (!args) return SWITCHBOARD_INVALID_ARGUMENT;
        self->host->environment().socketio.with_socket(socket, [ack_id, args = std::move(*args)](socketio::socket* s) mutable {
            if (s) s->ack_text(ack_id, std::move(args));
        });
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_emit(switchboard_plugin_t* self, const switchboard_emit_t* emit) {
    if (!self || !emit || emit->struct_size < offsetof(switchboard_emit_t, ack_timeout_ms) + sizeof(uint32_t))
        return SWITCHBOARD_INVALID_ARGUMENT;
    if (text(emit->event).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_emit", [&] {
        auto args = arguments_of(emit->args_json, emit->attachments, emit->attachment_count);
        if (!args) return SWITCHBOARD_INVALID_ARGUMENT;
        if (emit->target == SWITCHBOARD_TO_SOCKET) return emit_to_socket(self, *emit, std::move(*args));
        if (emit->on_ack) return SWITCHBOARD_INVALID_ARGUMENT;   // acks come from one socket only
        socketio::broadcast_options options;
        options.except = to_strings(emit->except_rooms, emit->except_count);
        options.except_socket = emit->except_socket;
        options.is_volatile = (emit->flags & SWITCHBOARD_EMIT_VOLATILE) != 0;
        switch (emit->target) {
            case SWITCHBOARD_TO_ROOMS:
                options.rooms = to_strings(emit->rooms, emit->room_count);
                if (options.rooms.empty()) return SWITCHBOARD_INVALID_ARGUMENT;
                break;
            case SWITCHBOARD_TO_USER:
                if (text(emit->user_id).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
                options.rooms.push_back("user:" + std::string(text(emit->user_id)));
                break;
            case SWITCHBOARD_TO_NAMESPACE:
                break;
            default:
                return SWITCHBOARD_INVALID_ARGUMENT;
        }
        const auto nsp = text(emit->nsp).empty() ? std::string_view("/") : text(emit->nsp);
        self->host->environment().socketio.broadcast_text(nsp, options, text(emit->event), std::move(*args));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_join(switchboard_plugin_t* self, switchboard_socket_t socket, switchboard_str_t room,
                               uint32_t flags, switchboard_sink_fn refusal, void* user_data) {
    if (!self || text(room).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_join", [&] {
        if (flags & SWITCHBOARD_JOIN_AUTHORIZE) {
            // Authorizing waits on the socket's worker: from a worker (an inline
            // handler) that could be waiting on itself, or on a worker waiting on us.
            if (worker::current()) {
                SB_LOG(error, self->name) << "host_join with SWITCHBOARD_JOIN_AUTHORIZE is refused in inline handlers";
                return SWITCHBOARD_NOT_ALLOWED_HERE;
            }
            if (auto refused = self->host->authorize_join(socket, text(room))) {
                if (refusal) {
                    const std::string dumped = refused->dump();
                    refusal(user_data, view(dumped));
                }
                return SWITCHBOARD_REFUSED;
            }
        }
        self->host->environment().socketio.with_socket(socket, [room = std::string(text(room))](socketio::socket* s) {
            if (s) s->join(room);
        });
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_leave(switchboard_plugin_t* self, switchboard_socket_t socket, switchboard_str_t room) {
    if (!self || text(room).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_leave", [&] {
        self->host->environment().socketio.with_socket(socket, [room = std::string(text(room))](socketio::socket* s) {
            if (s) s->leave(room);
        });
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_disconnect(switchboard_plugin_t* self, switchboard_socket_t socket, int close_connection) {
    if (!self) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_disconnect", [&] {
        self->host->environment().socketio.with_socket(socket, [close_connection](socketio::socket* s) {
            if (s) s->disconnect(close_connection != 0);
        });
        return SWITCHBOARD_OK;
    });
}

uint32_t host_user_sessions(switchboard_plugin_t* self, switchboard_str_t user_id) {
    if (!self) return 0;
    return self->host->environment().socketio.presence().sockets_of(text(user_id));
}

switchboard_status_t host_users_online(switchboard_plugin_t* self, uint64_t offset, uint32_t limit,
                                       switchboard_sink_fn sink, void* user_data) {
    if (!self || !sink) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_users_online", [&] {
        const auto ids = self->host->environment().socketio.presence().online(offset, limit);
        const std::string dumped = json(ids).dump();
        sink(user_data, view(dumped));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_socket_rooms(switchboard_plugin_t* self, switchboard_socket_t socket,
                                       switchboard_sink_fn sink, void* user_data) {
    if (!self || !sink) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_socket_rooms", [&] {
        std::vector<std::string> rooms;
        const auto status = read_socket<std::vector<std::string>>(self, socket, [](const socketio::socket& s) {
            std::vector<std::string> names(s.rooms().begin(), s.rooms().end());
            std::sort(names.begin(), names.end());
            return names;
        }, rooms);
        if (status != SWITCHBOARD_OK) return status;
        const std::string dumped = json(rooms).dump(-1, ' ', false, json::error_handler_t::replace);
        sink(user_data, view(dumped));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_socket_in_room(switchboard_plugin_t* self, switchboard_socket_t socket,
                                         switchboard_str_t room, int* out_member) {
    if (!self || !out_member || text(room).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_socket_in_room", [&] {
        bool member = false;
        const auto status = read_socket<bool>(
            self, socket, [room = std::string(text(room))](const socketio::socket& s) { return s.in_room(room); },
            member);
        if (status == SWITCHBOARD_OK) *out_member = member ? 1 : 0;
        return status;
    });
}

switchboard_status_t host_sockets_leave(switchboard_plugin_t* self, switchboard_str_t nsp,
                                        const switchboard_str_t* in_rooms, size_t in_count,
                                        const switchboard_str_t* leave_rooms, size_t leave_count) {
    if (!self || (in_count && !in_rooms) || !leave_rooms || !leave_count) return SWITCHBOARD_INVALID_ARGUMENT;
    const auto n = text(nsp).empty() ? std::string_view("/") : text(nsp);
    if (n.front() != '/') return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_sockets_leave", [&] {
        socketio::broadcast_options which;
        which.rooms = to_strings(in_rooms, in_count);
        auto leave = to_strings(leave_rooms, leave_count);
        if (std::any_of(which.rooms.begin(), which.rooms.end(), [](const auto& r) { return r.empty(); }) ||
            std::any_of(leave.begin(), leave.end(), [](const auto& r) { return r.empty(); }))
            return SWITCHBOARD_INVALID_ARGUMENT;
        // Through the cluster adapter when there is one: the other nodes' sockets leave too.
        self->host->environment().socketio.sockets_leave(n, which, std::move(leave), [](std::size_t) {});
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t emit_to_other_nodes(switchboard_plugin_t* self, std::string_view event,
                                         std::string_view payload_json) {
    json args = json::parse(payload_json);
    if (!args.is_array()) args = json::array({std::move(args)});
    self->host->environment().socketio.emit_to_other_nodes(std::string(event), args);
    return SWITCHBOARD_OK;
}

}  // namespace switchboard::kernel::plugins::host_calls
