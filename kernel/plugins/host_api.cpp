// The SDK's host table: the C functions a plugin calls. Each one checks its arguments
// and never throws (an exception here would cross into plugin code). This file: the
// registrations (staged while the plugin's on_load runs), results, timers, counters,
// the bus, and the table itself; sockets and the database are in host_api_*.cpp.
#include <algorithm>
#include <cctype>

#include "kernel/plugins/host_api_support.hpp"

namespace switchboard::kernel::plugins::host_calls {

using nlohmann::json;

namespace {

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
    if (!self->staging) {
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
        self->staging->add_event_handler(std::string(text(nsp)), std::string(text(event)),
                                      {self, fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_on_connect(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                     switchboard_connect_fn fn, void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_connect", [&] {
        self->staging->add_connect_hook({self, std::string(text(nsp)), fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_on_disconnect(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                        switchboard_disconnect_fn fn, void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_disconnect", [&] {
        self->staging->add_disconnect_hook(
            {self, std::string(text(nsp)), fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_on_join(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_join_fn fn,
                                  void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_join", [&] {
        self->staging->add_join_hook({self, std::string(text(nsp)), fn, user_data});
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
        const auto id = self->host->timers().start(*self, delay_ms, interval_ms, (flags & SWITCHBOARD_INLINE) != 0, fn,
                                                user_data);
        if (out_timer) *out_timer = id;
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_timer_cancel(switchboard_plugin_t* self, switchboard_timer_t timer) {
    if (!self) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_timer_cancel",
                   [&] { return self->host->timers().cancel(timer, self) ? SWITCHBOARD_OK : SWITCHBOARD_NOT_FOUND; });
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
        // Taken by a plugin loaded before, or by this one already.
        std::string route_method(text(method)), route_path(text(path));
        if (self->host->registry().has_route(route_method, route_path) ||
            !self->staging->add_route(std::move(route_method), std::move(route_path), {self, fn, user_data}))
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
        self->staging->add_auth_hook({self, std::string(text(nsp)), fn, user_data});
    });
}

switchboard_status_t host_on_presence(switchboard_plugin_t* self, switchboard_presence_fn fn, void* user_data) {
    return register_with(self, view("*"), fn, user_data, "host_on_presence", [&] {
        self->staging->add_presence_hook({self, fn, user_data});
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
            return emit_to_other_nodes(self, t.substr(server_side_emit_prefix.size()), payload);
        }
        self->host->publish(std::string(text(topic)), std::string(payload));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_subscribe(switchboard_plugin_t* self, switchboard_str_t topic, switchboard_bus_fn fn,
                                    void* user_data) {
    if (text(topic).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return register_with(self, view("*"), fn, user_data, "host_subscribe", [&] {
        self->staging->add_subscriber(std::string(text(topic)), {self, fn, user_data});
    });
}

switchboard_status_t host_deployment_dir(switchboard_plugin_t* self, switchboard_sink_fn sink, void* user_data) {
    if (!self || !sink) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_deployment_dir", [&] {
        const std::string dir = self->host->environment().deployment_dir;
        sink(user_data, view(dir));
        return SWITCHBOARD_OK;
    });
}

// ---- SDK 1.1 ----

switchboard_status_t host_on_connected(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                       switchboard_connected_fn fn, void* user_data) {
    return register_with(self, nsp, fn, user_data, "host_on_connected", [&] {
        self->staging->add_connected_hook(
            {self, std::string(text(nsp)), fn, user_data, (flags & SWITCHBOARD_INLINE) != 0});
    });
}

switchboard_status_t host_set_release(switchboard_plugin_t* self, switchboard_release_fn release) {
    if (!self) return SWITCHBOARD_INVALID_ARGUMENT;
    if (!self->staging) {
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

}  // namespace switchboard::kernel::plugins::host_calls

namespace switchboard::kernel::plugins {

const switchboard_host_t* plugin_host::table() const noexcept { return &host_calls::host_table; }

}  // namespace switchboard::kernel::plugins
