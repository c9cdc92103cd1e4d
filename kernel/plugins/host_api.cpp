// The SDK's host table: the C functions a plugin calls. Each one checks its arguments,
// never throws (an exception here would cross into plugin code), and reaches sockets
// by handle through the Socket.IO server, so it is safe from any thread.
#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <optional>

#include "kernel/core/log.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/server.hpp"
#include "kernel/socketio/server.hpp"
#include "kernel/store/database.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

namespace {

std::string_view text(switchboard_str_t s) noexcept { return {s.data ? s.data : "", s.size}; }
switchboard_str_t view(std::string_view s) noexcept { return {s.data(), s.size()}; }

// Runs `body`, turning any exception into SWITCHBOARD_ERROR with a log line.
template <class Body>
switchboard_status_t guarded(switchboard_plugin_t* self, const char* what, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        SB_LOG(error, self ? self->name : "plugins") << what << " failed: " << e.what();
    } catch (...) {
        SB_LOG(error, self ? self->name : "plugins") << what << " failed";
    }
    if (self) self->failures.fetch_add(1, std::memory_order_relaxed);
    return SWITCHBOARD_ERROR;
}

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

void host_log(switchboard_plugin_t* self, switchboard_log_level_t level, switchboard_str_t message) {
    const auto l = static_cast<log::level>(std::clamp(static_cast<int>(level), 0, 4));
    const std::string_view component = self ? std::string_view(self->name) : std::string_view("plugins");
    if (!log::enabled(l, component)) return;
    log::record(l, component).with("plugin", component) << text(message);
}

switchboard_status_t host_config(switchboard_plugin_t* self, switchboard_sink_fn sink, void* user_data) {
    if (!self || !sink) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_config", [&] {
        const std::string dumped = self->config.dump();
        sink(user_data, view(dumped));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t check_registration(switchboard_plugin_t* self, switchboard_str_t nsp, const void* fn) {
    if (!self || !fn) return SWITCHBOARD_INVALID_ARGUMENT;
    if (!self->host->registering()) {
        SB_LOG(error, self->name) << "handlers can only be registered during on_load";
        return SWITCHBOARD_NOT_ALLOWED_HERE;
    }
    const auto n = text(nsp);
    if (n.empty() || (n != "*" && n.front() != '/')) return SWITCHBOARD_INVALID_ARGUMENT;
    return SWITCHBOARD_OK;
}

// The shared shape of every registration: checked, then added under guard.
template <class Fn, class Add>
switchboard_status_t register_with(switchboard_plugin_t* self, switchboard_str_t nsp, Fn fn, void* user_data,
                                   const char* what, Add&& add) {
    if (const auto status = check_registration(self, nsp, reinterpret_cast<const void*>(fn)); status != SWITCHBOARD_OK)
        return status;
    return guarded(self, what, [&] {
        add();
        self->remember_registration(user_data);
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_on_event(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_str_t event,
                                   uint32_t flags, switchboard_event_fn fn, void* user_data) {
    if (text(event).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return register_with(self, nsp, fn, user_data, "host_on_event", [&] {
        self->host->add_event_handler(std::string(text(nsp)), std::string(text(event)),
                                      {self, fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_on_connect(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                     switchboard_connect_fn fn, void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_connect", [&] {
        self->host->add_connect_hook({self, std::string(text(nsp)), fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_on_disconnect(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                        switchboard_disconnect_fn fn, void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_disconnect", [&] {
        self->host->add_disconnect_hook(
            {self, std::string(text(nsp)), fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_on_join(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_join_fn fn,
                                  void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_join", [&] {
        self->host->add_join_hook({self, std::string(text(nsp)), fn, user_data});
    });
}

switchboard_status_t host_ack(switchboard_plugin_t* self, switchboard_socket_t socket, int64_t ack_id,
                              switchboard_str_t args_json, const switchboard_str_t* attachments,
                              size_t attachment_count) {
    if (!self || ack_id < 0) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_ack", [&] {
        auto args = arguments_of(args_json, attachments, attachment_count);
        if (!args) return SWITCHBOARD_INVALID_ARGUMENT;
        self->host->kernel().socketio().with_socket(socket, [ack_id, args = std::move(*args)](socketio::socket* s) mutable {
            if (s) s->ack_text(ack_id, std::move(args));
        });
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t emit_to_socket(switchboard_plugin_t* self, const switchboard_emit_t& emit,
                                    socketio::encoded_arguments args) {
    auto& host = *self->host;
    std::string event(text(emit.event));
    const bool is_volatile = (emit.flags & SWITCHBOARD_EMIT_VOLATILE) != 0;
    if (!emit.on_ack) {
        host.kernel().socketio().with_socket(emit.socket, [event = std::move(event), args = std::move(args),
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
    host.kernel().socketio().with_socket(emit.socket, [event = std::move(event), args = std::move(args), timeout,
                                                       answer = std::move(answer)](socketio::socket* s) mutable {
        if (!s) return answer(std::nullopt);
        s->emit_text_with_ack(event, std::move(args), timeout, std::move(answer));
    });
    return SWITCHBOARD_OK;
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
        self->host->kernel().socketio().broadcast_text(nsp, options, text(emit->event), std::move(*args));
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
        self->host->kernel().socketio().with_socket(socket, [room = std::string(text(room))](socketio::socket* s) {
            if (s) s->join(room);
        });
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_leave(switchboard_plugin_t* self, switchboard_socket_t socket, switchboard_str_t room) {
    if (!self || text(room).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_leave", [&] {
        self->host->kernel().socketio().with_socket(socket, [room = std::string(text(room))](socketio::socket* s) {
            if (s) s->leave(room);
        });
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_disconnect(switchboard_plugin_t* self, switchboard_socket_t socket, int close_connection) {
    if (!self) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_disconnect", [&] {
        self->host->kernel().socketio().with_socket(socket, [close_connection](socketio::socket* s) {
            if (s) s->disconnect(close_connection != 0);
        });
        return SWITCHBOARD_OK;
    });
}

void host_result_error(switchboard_result_t* result, switchboard_str_t code, switchboard_str_t message) {
    if (!result) return;
    try {
        result->error = json{{"code", text(code).empty() ? std::string("forbidden") : std::string(text(code))},
                             {"message", std::string(text(message))}};
    } catch (...) {
    }
}

void host_result_http(switchboard_result_t* result, int status, switchboard_str_t content_type,
                      switchboard_str_t body) {
    if (!result) return;
    try {
        result->http_status = status;
        result->content_type = std::string(text(content_type));
        result->body = std::string(text(body));
    } catch (...) {
    }
}

switchboard_status_t host_timer_start(switchboard_plugin_t* self, uint64_t delay_ms, uint64_t interval_ms,
                                      uint32_t flags, switchboard_timer_fn fn, void* user_data,
                                      switchboard_timer_t* out_timer) {
    if (!self || !fn) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_timer_start", [&] {
        const auto id = self->host->start_timer(*self, delay_ms, interval_ms, (flags & SWITCHBOARD_INLINE) != 0, fn,
                                                user_data);
        if (out_timer) *out_timer = id;
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_timer_cancel(switchboard_plugin_t* self, switchboard_timer_t timer) {
    if (!self) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_timer_cancel",
                   [&] { return self->host->cancel_timer(timer) ? SWITCHBOARD_OK : SWITCHBOARD_NOT_FOUND; });
}

void host_counter_add(switchboard_plugin_t* self, switchboard_str_t name, int64_t delta) {
    if (!self || text(name).empty()) return;
    guarded(self, "host_counter_add", [&] {
        std::string metric = "switchboard_plugin_" + self->name + "_" + std::string(text(name));
        // Prometheus names: [a-zA-Z0-9_] only.
        for (char& c : metric)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        self->host->add_to_counter(metric, delta);
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_http_route(switchboard_plugin_t* self, switchboard_str_t method, switchboard_str_t path,
                                     switchboard_http_fn fn, void* user_data) {
    if (const auto status = check_registration(self, view("*"), reinterpret_cast<const void*>(fn));
        status != SWITCHBOARD_OK)
        return status;
    if (text(method).empty() || text(path).empty() || text(path).front() != '/') return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_http_route", [&] {
        if (!self->host->add_route(std::string(text(method)), std::string(text(path)), {self, fn, user_data}))
            return SWITCHBOARD_INVALID_ARGUMENT;
        self->remember_registration(user_data);
        return SWITCHBOARD_OK;
    });
}

void host_result_json(switchboard_result_t* result, switchboard_str_t value_json) {
    if (!result) return;
    try {
        json value = json::parse(text(value_json), nullptr, false);
        if (!value.is_discarded()) result->value = std::move(value);
    } catch (...) {
    }
}

switchboard_status_t host_on_auth(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_auth_fn fn,
                                  void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_auth", [&] {
        self->host->add_auth_hook({self, std::string(text(nsp)), fn, user_data});
    });
}

switchboard_status_t host_on_presence(switchboard_plugin_t* self, switchboard_presence_fn fn, void* user_data) {
    return register_with(self, view("*"), fn, user_data, "host_on_presence", [&] {
        self->host->add_presence_hook({self, fn, user_data});
    });
}

uint32_t host_user_sessions(switchboard_plugin_t* self, switchboard_str_t user_id) {
    if (!self) return 0;
    return self->host->kernel().socketio().presence().sockets_of(text(user_id));
}

switchboard_status_t host_users_online(switchboard_plugin_t* self, uint64_t offset, uint32_t limit,
                                       switchboard_sink_fn sink, void* user_data) {
    if (!self || !sink) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_users_online", [&] {
        const auto ids = self->host->kernel().socketio().presence().online(offset, limit);
        const std::string dumped = json(ids).dump();
        sink(user_data, view(dumped));
        return SWITCHBOARD_OK;
    });
}

constexpr std::string_view server_side_emit_prefix = "serverSideEmit:";

switchboard_status_t host_publish(switchboard_plugin_t* self, switchboard_str_t topic, switchboard_str_t payload_json) {
    if (!self || text(topic).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_publish", [&] {
        const auto payload = text(payload_json);
        if (payload.empty() || json::parse(payload, nullptr, false).is_discarded()) return SWITCHBOARD_INVALID_ARGUMENT;
        // A plugin's serverSideEmit: to the other nodes only, as Node's io.serverSideEmit;
        // the payload is the arguments (an array), or the one argument.
        if (const auto t = text(topic); t.starts_with(server_side_emit_prefix)) {
            if (t.size() == server_side_emit_prefix.size()) return SWITCHBOARD_INVALID_ARGUMENT;
            json args = json::parse(payload);
            if (!args.is_array()) args = json::array({std::move(args)});
            self->host->kernel().socketio().emit_to_other_nodes(std::string(t.substr(server_side_emit_prefix.size())),
                                                                args);
            return SWITCHBOARD_OK;
        }
        self->host->publish(std::string(text(topic)), std::string(payload));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_subscribe(switchboard_plugin_t* self, switchboard_str_t topic, switchboard_bus_fn fn,
                                    void* user_data) {
    if (text(topic).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return register_with(self, view("*"), fn, user_data, "host_subscribe", [&] {
        self->host->add_subscriber(std::string(text(topic)), {self, fn, user_data});
    });
}

// Reports a database failure to the plugin's error sink as {code, message}.
switchboard_status_t db_failure(switchboard_sink_fn error, void* user_data, const store::db_error& failure,
                                switchboard_status_t status = SWITCHBOARD_ERROR) {
    if (error) {
        const std::string dumped = json{{"code", failure.code}, {"message", failure.message}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
        error(user_data, view(dumped));
    }
    return status;
}

// The common checks of every database call; returns the database or reports why not.
store::database* database_for(switchboard_plugin_t* self, switchboard_sink_fn error, void* user_data,
                              switchboard_status_t& status) {
    if (worker::current()) {
        // A blocking call on a network worker would stall every socket of that worker.
        status = db_failure(error, user_data,
                            {"not_allowed_here", "database calls are refused in inline handlers: they block"},
                            SWITCHBOARD_NOT_ALLOWED_HERE);
        return nullptr;
    }
    try {
        return &self->host->kernel().database();
    } catch (const std::exception& e) {
        status = db_failure(error, user_data, {"db_unavailable", e.what()});
        return nullptr;
    }
}

std::optional<json> parse_params(switchboard_str_t params_json) {
    const auto s = text(params_json);
    if (s.empty()) return json::object();
    json value = json::parse(s, nullptr, false);
    if (!value.is_object()) return std::nullopt;
    return value;
}

switchboard_status_t host_db_exec(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                  switchboard_str_t params_json, uint64_t* affected_rows, switchboard_sink_fn error,
                                  void* user_data) {
    if (!self || text(sql).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_exec", [&] {
        switchboard_status_t status = SWITCHBOARD_OK;
        auto* db = database_for(self, error, user_data, status);
        if (!db) return status;
        const auto params = parse_params(params_json);
        if (!params) return db_failure(error, user_data, {"invalid_payload", "params must be a JSON object"},
                                       SWITCHBOARD_INVALID_ARGUMENT);
        std::uint64_t affected = 0;
        const auto started = std::chrono::steady_clock::now();
        auto failure = db->exec(tx, text(sql), *params, &affected);
        self->db_statements.observe(std::chrono::steady_clock::now() - started);
        if (failure) return db_failure(error, user_data, *failure);
        if (affected_rows) *affected_rows = affected;
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_query(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                   switchboard_str_t params_json, switchboard_sink_fn rows, switchboard_sink_fn error,
                                   void* user_data) {
    if (!self || text(sql).empty() || !rows) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_query", [&] {
        switchboard_status_t status = SWITCHBOARD_OK;
        auto* db = database_for(self, error, user_data, status);
        if (!db) return status;
        const auto params = parse_params(params_json);
        if (!params) return db_failure(error, user_data, {"invalid_payload", "params must be a JSON object"},
                                       SWITCHBOARD_INVALID_ARGUMENT);
        json result;
        const auto started = std::chrono::steady_clock::now();
        auto failure = db->query(tx, text(sql), *params, result);
        self->db_statements.observe(std::chrono::steady_clock::now() - started);
        if (failure) return db_failure(error, user_data, *failure);
        const std::string dumped = result.dump(-1, ' ', false, json::error_handler_t::replace);
        rows(user_data, view(dumped));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_begin(switchboard_plugin_t* self, switchboard_tx_t* out_tx, switchboard_sink_fn error,
                                   void* user_data) {
    if (!self || !out_tx) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_begin", [&] {
        switchboard_status_t status = SWITCHBOARD_OK;
        auto* db = database_for(self, error, user_data, status);
        if (!db) return status;
        std::uint64_t tx = 0;
        if (auto failure = db->begin(tx)) return db_failure(error, user_data, *failure);
        *out_tx = tx;
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_commit(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_sink_fn error,
                                    void* user_data) {
    if (!self || !tx) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_commit", [&] {
        switchboard_status_t status = SWITCHBOARD_OK;
        auto* db = database_for(self, error, user_data, status);
        if (!db) return status;
        if (auto failure = db->commit(tx)) return db_failure(error, user_data, *failure);
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_rollback(switchboard_plugin_t* self, switchboard_tx_t tx) {
    if (!self || !tx) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_rollback", [&] {
        self->host->kernel().database().rollback(tx);
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_deployment_dir(switchboard_plugin_t* self, switchboard_sink_fn sink, void* user_data) {
    if (!self || !sink) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_deployment_dir", [&] {
        const std::string dir = self->host->kernel().deployment_dir();
        sink(user_data, view(dir));
        return SWITCHBOARD_OK;
    });
}

// ---- SDK 1.1 ----

switchboard_status_t host_on_connected(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                       switchboard_connected_fn fn, void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_connected", [&] {
        self->host->add_connected_hook(
            {self, std::string(text(nsp)), fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

// Reads `read(socket)` on the socket's worker and waits for it. On a network worker
// only that worker's sockets answer (dispatch runs them there and then); waiting for
// another worker could wait on one that waits on us.
template <class T>
switchboard_status_t read_socket(switchboard_plugin_t* self, switchboard_socket_t handle,
                                 std::function<T(const socketio::socket&)> read, T& out) {
    auto promise = std::make_shared<std::promise<std::optional<T>>>();
    auto answer = promise->get_future();
    self->host->kernel().socketio().with_socket(handle, [promise, read = std::move(read)](socketio::socket* s) {
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
        self->host->kernel().socketio().sockets_leave(n, which, std::move(leave), [](std::size_t) {});
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_set_release(switchboard_plugin_t* self, switchboard_release_fn release) {
    if (!self) return SWITCHBOARD_INVALID_ARGUMENT;
    if (!self->host->registering()) {
        SB_LOG(error, self->name) << "host_set_release can only be called during on_load";
        return SWITCHBOARD_NOT_ALLOWED_HERE;
    }
    self->release = release;
    return SWITCHBOARD_OK;
}

const switchboard_host_t host_table = {
    sizeof(switchboard_host_t),
    SWITCHBOARD_ABI_MAJOR,
    SWITCHBOARD_ABI_MINOR,
    &host_log,
    &host_config,
    &host_on_event,
    &host_on_connect,
    &host_on_disconnect,
    &host_on_join,
    &host_ack,
    &host_emit,
    &host_join,
    &host_leave,
    &host_disconnect,
    &host_result_error,
    &host_result_http,
    &host_timer_start,
    &host_timer_cancel,
    &host_counter_add,
    &host_http_route,
    &host_result_json,
    &host_on_auth,
    &host_on_presence,
    &host_user_sessions,
    &host_users_online,
    &host_publish,
    &host_subscribe,
    &host_db_exec,
    &host_db_query,
    &host_db_begin,
    &host_db_commit,
    &host_db_rollback,
    &host_deployment_dir,
    &host_on_connected,
    &host_socket_rooms,
    &host_socket_in_room,
    &host_sockets_leave,
    &host_set_release,
};

}  // namespace

const switchboard_host_t* plugin_host::table() const noexcept { return &host_table; }

}  // namespace switchboard::kernel::plugins
