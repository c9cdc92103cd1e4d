// Switchboard plugin SDK for C++: a header-only wrapper over sdk.h.
//
// Write a plugin as a function that registers lambdas, then name it once:
//
//     #include <switchboard/sdk.hpp>
//
//     static void load(switchboard::sdk::plugin& p) {
//         p.on("echo:say", [](switchboard::sdk::event& e) { e.ack(e.args); });
//     }
//     SWITCHBOARD_PLUGIN("echo", "1.0.0", "Echoes what it hears", nullptr, load)
//
// Everything here compiles into the plugin: the kernel sees only the C ABI, so the
// plugin's compiler, standard library and nlohmann version are its own business.
// No exception crosses into the kernel: each trampoline catches it, logs it, and, for
// an event whose client waits for an ack, answers the ack with
// {"code": "internal_error", "message": ...} (or the code of a thrown sdk::error).
//
// Threads: callbacks run on the handler pool (in order per socket) unless registered
// with `inline_handler = true`; every method of `plugin` may be called from any thread.
//
// Values: sdk::json is nlohmann::ordered_json, so an object keeps the key order the
// client wrote ({"token":..., "n":...} is read and written back in that order). The
// client's own argument text is there too (event::raw()): forwarding it with emit_raw
// / ack_raw sends it byte for byte, numbers and escapes as written, without a parse.
//
// The parts: sdk/abi.hpp (statuses, errors, what a kernel's minor offers),
// sdk/args.hpp (arguments and their binary placeholders), sdk/values.hpp (socket_info,
// target, HTTP and auth values); this file holds the event and the plugin handle.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "switchboard/sdk.h"
#include "switchboard/sdk/abi.hpp"
#include "switchboard/sdk/args.hpp"
#include "switchboard/sdk/values.hpp"

namespace switchboard::sdk {

class plugin;

// A client's event.
class event {
public:
    socket_id socket = 0;
    std::string nsp;
    std::string name;
    json args;          // the arguments (array); binary values are json::binary; empty
                        // for a handler registered with parse_args = false
    json user;          // the authenticated user, null if anonymous
    std::int64_t ack_id = -1;

    bool wants_ack() const noexcept { return ack_id >= 0; }
    // The arguments as the client wrote them (see raw_args: valid during the handler).
    const raw_args& raw() const noexcept { return raw_; }
    // Answers the client's ack with `args` (an array, or one value). Once.
    void ack(json args) const;
    // Answers the ack with arguments text as it is (e.g. raw(): an exact echo). Once.
    void ack_raw(const raw_args& args) const;
    // Answers the ack with {"code", "message"}.
    void fail(std::string_view code, std::string_view message) const;
    // Answers the ack the platform's way for a success: [null, result], so a client
    // writes `socket.emit(name, payload, (error, result) => ...)`.
    void reply(json result) const;

    // The signed-in user's id (see detail::user_id_of), "" for an anonymous socket.
    std::string user_id() const { return detail::user_id_of(user); }
    // The user's id, or throws sdk::error("unauthorized") for an anonymous socket.
    std::string require_user() const {
        auto id = user_id();
        if (id.empty()) throw error("unauthorized", "this event needs a signed-in user");
        return id;
    }

    // The socket as its connect hooks saw it (SDK 1.1 kernels; an older one leaves the
    // id empty and the rest null). Parsed when asked: an event pays nothing for them.
    std::string_view id() const noexcept { return detail::view(identity_.id); }   // the Socket.IO socket id
    json auth() const { return detail::parse_or_null(identity_.auth_json); }
    json handshake() const { return detail::parse_or_null(identity_.handshake_json); }
    // {"engineio": 4|3, "socketio": 5|4, "parser": "json"|"msgpack"}.
    json dialect() const { return detail::parse_or_null(identity_.dialect_json); }

private:
    friend class plugin;
    plugin* plugin_ = nullptr;
    raw_args raw_;
    struct identity {
        switchboard_str_t id{}, auth_json{}, handshake_json{}, dialect_json{};
    } identity_;
};


class plugin;

// A database transaction: statements on one connection until commit or rollback.
class transaction {
public:
    json query(std::string_view sql, const json& params = json::object()) const;
    std::uint64_t exec(std::string_view sql, const json& params = json::object()) const;

private:
    friend class plugin;
    transaction(plugin& p, switchboard_tx_t id) : plugin_(p), id_(id) {}
    plugin& plugin_;
    switchboard_tx_t id_;
};

struct handler_options {
    bool inline_handler = false;   // run on the network worker: must not block
    // serve() only: the event an ack-less refusal is sent as; empty for `<feature>:error`
    // (see refuse()). For a feature whose events have several prefixes.
    std::string error_event = {};
    // false: event::args is left empty and the handler reads event::raw(), saving the
    // parse (a relay that passes the client's arguments on as they are).
    bool parse_args = true;
};

// The plugin's handle on the kernel. Lives from on_load to on_unload.
class plugin {
public:
    using event_handler = std::function<void(event&)>;
    // Throw sdk::error to refuse (the client sees its code and message).
    using connect_handler = std::function<void(const socket_info&)>;
    using disconnect_handler = std::function<void(const socket_info&, std::string_view reason)>;
    using connected_handler = std::function<void(const socket_info&)>;
    using join_handler = std::function<void(const socket_info&, std::string_view room)>;
    using ack_handler = std::function<void(std::optional<json> answer)>;
    using timer_handler = std::function<void()>;
    using http_handler = std::function<http_response(const http_request&)>;
    // Returns the user (a JSON object), or nothing to let the next hook decide; throw
    // sdk::error to refuse.
    using auth_handler = std::function<std::optional<json>(const auth_request&)>;
    using presence_handler = std::function<void(std::string_view user_id, bool online)>;
    using bus_handler = std::function<void(std::string_view topic, const json& payload)>;

    plugin(switchboard_plugin_t* self, const switchboard_host_t* host) : self_(self), host_(host) {
        // SDK 1.1: the kernel frees each registration's and timer's handler when it is
        // done with it (a finished timer's at once); older kernels: all at unload.
        if (SWITCHBOARD_HOST_HAS(host_, host_set_release) &&
            host_->host_set_release(self_, &plugin::release_trampoline) == SWITCHBOARD_OK)
            released_by_host_ = true;
    }
    plugin(const plugin&) = delete;
    plugin& operator=(const plugin&) = delete;

    const switchboard_host_t& host() const noexcept { return *host_; }
    switchboard_plugin_t* self() const noexcept { return self_; }

    // ---- registration (during load) ----

    void on(std::string_view event_name, event_handler fn, handler_options options = {}) {
        on(std::string_view("*"), event_name, std::move(fn), options);
    }
    void on(std::string_view nsp, std::string_view event_name, event_handler fn, handler_options options = {}) {
        auto* state = keep(parsing_handler{std::move(fn), options.parse_args});
        adopt(state, host_->host_on_event(self_, detail::view(nsp), detail::view(event_name), flags(options),
                                   &plugin::event_trampoline, state),
              "register a handler");
    }
    void on_connect(connect_handler fn, std::string_view nsp = "*", handler_options options = {}) {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_on_connect(self_, detail::view(nsp), flags(options), &plugin::connect_trampoline, state),
              "register a connect hook");
    }
    void on_disconnect(disconnect_handler fn, std::string_view nsp = "*", handler_options options = {}) {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_on_disconnect(self_, detail::view(nsp), flags(options), &plugin::disconnect_trampoline,
                                        state),
              "register a disconnect hook");
    }
    // SDK 1.1: `fn` runs once the socket is accepted, before its events; each socket it
    // ran for gets on_disconnect later (a refused socket gets neither).
    void on_connected(connected_handler fn, std::string_view nsp = "*", handler_options options = {}) {
        require(SWITCHBOARD_HOST_HAS(host_, host_on_connected), "on_connected");
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_on_connected(self_, detail::view(nsp), flags(options), &plugin::connected_trampoline,
                                              state),
              "register a connected hook");
    }
    void on_join(join_handler fn, std::string_view nsp = "*") {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_on_join(self_, detail::view(nsp), &plugin::join_trampoline, state), "register a join hook");
    }
    // Serves `method path` on the server's port. A segment written `{name}` matches any
    // one segment ("/api/events/{eventId}/messages"); the handler reads it from
    // request.path. A literal route wins over a pattern; the server API's paths and a
    // route another plugin took are refused.
    void route(std::string_view method, std::string_view path, http_handler fn) {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_http_route(self_, detail::view(method), detail::view(path), &plugin::http_trampoline, state),
              "register an HTTP route");
    }

    void on_auth(auth_handler fn, std::string_view nsp = "*") {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_on_auth(self_, detail::view(nsp), &plugin::auth_trampoline, state), "register an auth hook");
    }
    void on_presence(presence_handler fn) {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_on_presence(self_, &plugin::presence_trampoline, state), "register a presence hook");
    }
    void subscribe(std::string_view topic, bus_handler fn) {
        auto* state = keep(std::move(fn));
        adopt(state, host_->host_subscribe(self_, detail::view(topic), &plugin::bus_trampoline, state), "subscribe");
    }
    // Called when the deployment reloads (SIGHUP or `switchboard reload`).
    void on_reload(std::function<void()> fn) { reload_ = std::move(fn); }

    // A handler in the platform's convention (ARCHITECTURE.md, Conventions): `fn` returns
    // the result, and the ack becomes [null, result]; it throws sdk::error to refuse, and
    // the client gets {code, message} (see refuse()). A database failure reaches the
    // client as "unavailable" or "internal_error"; its SQL and driver text stay in the log.
    using result_handler = std::function<json(event&)>;
    void serve(std::string_view nsp, std::string_view event_name, result_handler fn, handler_options options = {}) {
        on(nsp, event_name, [this, fn = std::move(fn), error_event = options.error_event](event& e) {
            const auto refuse = [&](std::string_view code, std::string_view message) {
                this->refuse(e, code, message, error_event);
            };
            try {
                e.reply(fn(e));
            } catch (const database_error& failure) {
                log_error(e.name + ": " + failure.code() + ": " + failure.what());
                count("database_errors");
                const bool down = failure.code() == "db_unavailable";
                refuse(down ? "unavailable" : "internal_error",
                       down ? "the database is unavailable, try again" : "the server failed to handle the event");
            } catch (const error& failure) {
                if (failure.code() == "not_allowed_here") {
                    log_error(e.name + ": " + failure.what());
                    refuse("internal_error", "the server failed to handle the event");
                } else {
                    refuse(failure.code(), failure.what());
                }
            } catch (const std::exception& failure) {
                log_error(e.name + " failed: " + failure.what());
                refuse("internal_error", "the server failed to handle the event");
            }
        }, options);
    }

    // Tells the event's sender that it was refused: in its ack as [{code, message}], or,
    // when it sent no ack callback, as `<feature>:error` {event, code, message} (feature:
    // the event name up to its first ':'), so a mistake is never silent. `error_event`,
    // when not empty, names that event instead.
    void refuse(const event& e, std::string_view code, std::string_view message,
                std::string_view error_event = {}) {
        if (e.wants_ack()) {
            e.fail(code, message);
            return;
        }
        const std::string name =
            error_event.empty() ? e.name.substr(0, e.name.find(':')) + ":error" : std::string(error_event);
        emit(target::to_socket(e.socket), name,
             json::array({json{{"event", e.name}, {"code", code}, {"message", message}}}));
    }

    // ---- actions (any thread) ----

    // Returns the kernel's answer: SWITCHBOARD_INVALID_ARGUMENT for an empty event name,
    // no rooms, an ack on a broadcast... (a gone socket is not known yet: OK).
    status emit(const target& to, std::string_view event_name, json args = json::array()) {
        return emit_impl(to, event_name, std::move(args), nullptr, 0);
    }
    // Emits arguments text as it is (e.g. an event's raw(): a byte-faithful relay). The
    // kernel checks it (a JSON array, placeholders naming the attachments); returns
    // false when it refused.
    bool emit_raw(const target& to, std::string_view event_name, const raw_args& args) {
        return send_emit(to, event_name, args, nullptr, 0) == SWITCHBOARD_OK;
    }
    // Emits to one socket and waits up to `timeout` for its ack; `fn` gets the
    // answer's arguments, or nothing on timeout.
    status emit_with_ack(socket_id socket, std::string_view event_name, json args, std::chrono::milliseconds timeout,
                         ack_handler fn) {
        return emit_impl(target::to_socket(socket), event_name, std::move(args), new ack_handler(std::move(fn)),
                         static_cast<std::uint32_t>(timeout.count()));
    }
    // Joins `room`. With `authorize`, the join hooks decide first: a refusal throws
    // sdk::error with their code and message.
    void join(socket_id socket, std::string_view room, bool authorize = false) {
        std::string refusal;
        const auto status = host_->host_join(
            self_, socket, detail::view(room), authorize ? SWITCHBOARD_JOIN_AUTHORIZE : 0,
            [](void* out, switchboard_str_t value) { static_cast<std::string*>(out)->assign(detail::view(value)); },
            &refusal);
        if (status == SWITCHBOARD_REFUSED) {
            const json reason = json::parse(refusal, nullptr, false);
            if (reason.is_object())
                throw error(reason.value("code", "forbidden"), reason.value("message", "join refused"));
            throw error("forbidden", "join refused");
        }
        check(status, "join a room");
    }
    status leave(socket_id socket, std::string_view room) { return host_->host_leave(self_, socket, detail::view(room)); }
    status disconnect(socket_id socket, bool close_connection = false) {
        return host_->host_disconnect(self_, socket, close_connection ? 1 : 0);
    }

    // ---- SDK 1.1 (on an older kernel these throw sdk::error "unsupported") ----

    // The rooms `socket` is in (its own id room aside), sorted; empty when it is gone.
    // From an inline handler only sockets of the same worker (its own event's socket):
    // others throw sdk::error "not_allowed_here".
    std::vector<std::string> rooms_of(socket_id socket) const {
        require(SWITCHBOARD_HOST_HAS(host_, host_socket_rooms), "rooms_of");
        std::string text;
        const auto s = host_->host_socket_rooms(self_, socket, &plugin::assign_sink, &text);
        if (s == SWITCHBOARD_NOT_FOUND) return {};
        check_query(s, "rooms_of");
        const json names = json::parse(text, nullptr, false);
        std::vector<std::string> out;
        if (names.is_array())
            for (const auto& name : names) out.push_back(name.get<std::string>());
        return out;
    }
    // Whether `socket` is in `room` (false when it is gone). As rooms_of for threads.
    bool in_room(socket_id socket, std::string_view room) const {
        require(SWITCHBOARD_HOST_HAS(host_, host_socket_in_room), "in_room");
        int member = 0;
        const auto s = host_->host_socket_in_room(self_, socket, detail::view(room), &member);
        if (s == SWITCHBOARD_NOT_FOUND) return false;
        check_query(s, "in_room");
        return member != 0;
    }
    // Every socket of `nsp` in any of `in_rooms` (empty: all of them) leaves
    // `leave_rooms`, on every node of the cluster.
    status sockets_leave(std::string_view nsp, const std::vector<std::string>& in_rooms,
                         const std::vector<std::string>& leave_rooms) {
        require(SWITCHBOARD_HOST_HAS(host_, host_sockets_leave), "sockets_leave");
        std::vector<switchboard_str_t> in, leave;
        for (const auto& room : in_rooms) in.push_back(detail::view(room));
        for (const auto& room : leave_rooms) leave.push_back(detail::view(room));
        return host_->host_sockets_leave(self_, detail::view(nsp), in.data(), in.size(), leave.data(), leave.size());
    }
    // Empties `room` of `nsp`: every member leaves it, on every node.
    status clear_room(std::string_view nsp, const std::string& room) { return sockets_leave(nsp, {room}, {room}); }


    // The plugin's validated config section, with defaults filled in.
    json config() const {
        std::string text;
        host_->host_config(
            self_, [](void* out, switchboard_str_t value) { static_cast<std::string*>(out)->assign(detail::view(value)); },
            &text);
        json value = json::parse(text, nullptr, false);
        return value.is_object() ? value : json::object();
    }

    // The deployment's directory: resolve relative paths of the config against it.
    std::string deployment_dir() const {
        std::string text;
        host_->host_deployment_dir(self_, &plugin::assign_sink, &text);
        return text;
    }

    void log(switchboard_log_level_t level, std::string_view message) const {
        host_->host_log(self_, level, detail::view(message));
    }
    void log_info(std::string_view message) const { log(SWITCHBOARD_LOG_INFO, message); }
    void log_warn(std::string_view message) const { log(SWITCHBOARD_LOG_WARN, message); }
    void log_error(std::string_view message) const { log(SWITCHBOARD_LOG_ERROR, message); }

    // Adds `delta` to the counter switchboard_plugin_<plugin>_<name> on /metrics
    // (characters outside [A-Za-z0-9_] become '_').
    void count(std::string_view name, std::int64_t delta = 1) const {
        host_->host_counter_add(self_, detail::view(name), delta);
    }

    // Calls `fn` after `delay`, then every `interval` (zero: once). Returns the timer.
    switchboard_timer_t start_timer(std::chrono::milliseconds delay, std::chrono::milliseconds interval,
                                    timer_handler fn, handler_options options = {}) {
        auto* state = keep(std::move(fn));
        switchboard_timer_t timer = 0;
        adopt(state, host_->host_timer_start(self_, static_cast<std::uint64_t>(delay.count()),
                                      static_cast<std::uint64_t>(interval.count()), flags(options),
                                      &plugin::timer_trampoline, state, &timer),
              "start a timer");
        return timer;
    }
    void cancel_timer(switchboard_timer_t timer) { host_->host_timer_cancel(self_, timer); }

    std::uint32_t user_sessions(std::string_view user_id) const {
        return host_->host_user_sessions(self_, detail::view(user_id));
    }
    json users_online(std::uint64_t offset = 0, std::uint32_t limit = 100) const {
        std::string text;
        host_->host_users_online(self_, offset, limit, &plugin::assign_sink, &text);
        json value = json::parse(text, nullptr, false);
        return value.is_array() ? value : json::array();
    }
    void publish(std::string_view topic, const json& payload) {
        const std::string text = payload.dump(-1, ' ', false, json::error_handler_t::replace);
        check(host_->host_publish(self_, detail::view(topic), detail::view(text)), "publish");
    }

    // ---- the database (blocking: not from inline handlers) ----
    // Failures throw sdk::error with the host's code ("db_unavailable", "db_constraint",
    // "db_error") and message.

    json query(std::string_view sql, const json& params = json::object()) { return query_in(0, sql, params); }
    std::uint64_t exec(std::string_view sql, const json& params = json::object()) { return exec_in(0, sql, params); }

    // Runs `fn(transaction&)` in a transaction: committed when it returns, rolled back
    // when it throws (the exception goes on).
    template <class Fn>
    auto in_transaction(Fn&& fn) {
        switchboard_tx_t id = 0;
        std::string failure;
        db_check(host_->host_db_begin(self_, &id, &plugin::assign_sink, &failure), failure);
        transaction tx(*this, id);
        try {
            if constexpr (std::is_void_v<decltype(fn(tx))>) {
                fn(tx);
                db_check(host_->host_db_commit(self_, id, &plugin::assign_sink, &failure), failure);
            } else {
                auto result = fn(tx);
                db_check(host_->host_db_commit(self_, id, &plugin::assign_sink, &failure), failure);
                return result;
            }
        } catch (...) {
            host_->host_db_rollback(self_, id);
            throw;
        }
    }

    // Frees everything registered (called by the kernel at unload through the macro).
    ~plugin() {
        for (auto& release : owned_) release();
    }

    void reload() {
        if (reload_) reload_();
    }

private:
    friend class event;
    friend class transaction;

    static void assign_sink(void* out, switchboard_str_t value) {
        static_cast<std::string*>(out)->assign(detail::view(value));
    }

    static void db_check(switchboard_status_t status, const std::string& failure) {
        if (status == SWITCHBOARD_OK) return;
        const json reason = json::parse(failure, nullptr, false);
        if (status == SWITCHBOARD_NOT_ALLOWED_HERE)
            throw error("not_allowed_here", "database calls are not allowed in inline handlers");
        if (reason.is_object())
            throw database_error(reason.value("code", "db_error"), reason.value("message", "database error"));
        throw database_error("db_error", "database error (status " + std::to_string(status) + ")");
    }

    // One user_data for the two sinks of host_db_query.
    struct query_output {
        std::string rows;
        std::string failure;
    };
    static void rows_sink(void* out, switchboard_str_t value) {
        static_cast<query_output*>(out)->rows.assign(detail::view(value));
    }
    static void failure_sink(void* out, switchboard_str_t value) {
        static_cast<query_output*>(out)->failure.assign(detail::view(value));
    }

    json query_in(switchboard_tx_t tx, std::string_view sql, const json& params) {
        const std::string params_text = params.dump(-1, ' ', false, json::error_handler_t::replace);
        query_output out;
        db_check(host_->host_db_query(self_, tx, detail::view(sql), detail::view(params_text), &plugin::rows_sink,
                                      &plugin::failure_sink, &out),
                 out.failure);
        json value = json::parse(out.rows, nullptr, false);
        return value.is_array() ? value : json::array();
    }

    std::uint64_t exec_in(switchboard_tx_t tx, std::string_view sql, const json& params) {
        const std::string params_text = params.dump(-1, ' ', false, json::error_handler_t::replace);
        std::string failure;
        std::uint64_t affected = 0;
        db_check(host_->host_db_exec(self_, tx, detail::view(sql), detail::view(params_text), &affected,
                                     &plugin::assign_sink, &failure),
                 failure);
        return affected;
    }

    static std::uint32_t flags(handler_options options) { return options.inline_handler ? SWITCHBOARD_INLINE : 0u; }

    static void require(bool present, const char* what) {
        if (!present) throw error("unsupported", std::string(what) + " needs a kernel of SDK 1.1 or later");
    }
    static void check_query(status s, const char* what) {
        if (s == SWITCHBOARD_OK) return;
        throw error(std::string(status_name(s)), std::string(what) + " failed");
    }

    void check(switchboard_status_t status, const char* what) const {
        if (status != SWITCHBOARD_OK)
            throw std::runtime_error(std::string("cannot ") + what + " (status " + std::to_string(status) + ")");
    }

    // A handler object; user_data points at it. The kernel releases it (SDK 1.1), or,
    // from an older kernel, it lives until the plugin unloads.
    struct holder_base {
        virtual ~holder_base() = default;
    };
    template <class Fn>
    struct holder : holder_base {
        holder(plugin* o, Fn f) : owner(o), fn(std::move(f)) {}
        plugin* owner;
        Fn fn;
    };
    template <class Fn>
    holder<Fn>* keep(Fn fn) {
        auto* state = new holder<Fn>(this, std::move(fn));
        if (released_by_host_) {
            std::lock_guard lock(host_released().mutex);
            host_released().holders.insert(state);
            return state;
        }
        std::lock_guard lock(mutex_);
        owned_.push_back([state] { delete state; });
        return state;
    }
    // Checks a registration of `state`; one the kernel refused is never released by
    // it, so it is freed here.
    void adopt(holder_base* state, status s, const char* what) {
        if (s != SWITCHBOARD_OK && released_by_host_) release_trampoline(state);
        check(s, what);
    }

    // The handlers this SDK gave the kernel to release. The kernel hands back every
    // registration's and timer's user_data, also those a plugin passed to a raw host
    // call with data of its own (the Lua runtime's timers): only ours are freed here.
    // One set for the library: the release callback carries no plugin.
    struct released_holders {
        std::mutex mutex;
        std::unordered_set<holder_base*> holders;
    };
    static released_holders& host_released() {
        static released_holders set;
        return set;
    }
    static void release_trampoline(void* user_data) noexcept {
        auto* state = static_cast<holder_base*>(user_data);
        {
            std::lock_guard lock(host_released().mutex);
            if (host_released().holders.erase(state) == 0) return;   // not ours: its owner frees it
        }
        delete state;
    }

    status emit_impl(const target& to, std::string_view event_name, json args, ack_handler* ack,
                     std::uint32_t timeout_ms) {
        const auto encoded = detail::encode_args(std::move(args));
        return send_emit(to, event_name, raw_args{encoded.text, encoded.attachments.data(), encoded.attachments.size()}, ack,
                  timeout_ms);
    }

    switchboard_status_t send_emit(const target& to, std::string_view event_name, const raw_args& args,
                                   ack_handler* ack, std::uint32_t timeout_ms) {
        std::vector<switchboard_str_t> rooms;
        for (const auto& room : to.rooms) rooms.push_back(detail::view(room));
        std::vector<switchboard_str_t> except;
        for (const auto& room : to.except_rooms) except.push_back(detail::view(room));
        switchboard_emit_t emit{};
        emit.struct_size = sizeof emit;
        emit.target = to.kind;
        emit.socket = to.socket;
        emit.nsp = detail::view(to.nsp);
        emit.rooms = rooms.data();
        emit.room_count = rooms.size();
        emit.except_rooms = except.data();
        emit.except_count = except.size();
        emit.except_socket = to.except_socket;
        emit.user_id = detail::view(to.user_id);
        emit.event = detail::view(event_name);
        emit.args_json = detail::view(args.text);
        emit.attachments = args.attachments;
        emit.attachment_count = args.attachment_count;
        emit.flags = to.is_volatile ? SWITCHBOARD_EMIT_VOLATILE : 0u;
        if (ack) {
            emit.on_ack = &plugin::ack_trampoline;
            emit.ack_user_data = ack;
            emit.ack_timeout_ms = timeout_ms;
        }
        const auto status = host_->host_emit(self_, &emit);
        // The host calls on_ack exactly once when it accepted the emit, never otherwise.
        if (status != SWITCHBOARD_OK && ack) delete ack;
        return status;
    }

    void send_ack(socket_id socket, std::int64_t ack_id, json args) {
        const auto encoded = detail::encode_args(std::move(args));
        send_raw_ack(socket, ack_id, raw_args{encoded.text, encoded.attachments.data(), encoded.attachments.size()});
    }
    void send_raw_ack(socket_id socket, std::int64_t ack_id, const raw_args& args) {
        host_->host_ack(self_, socket, ack_id, detail::view(args.text), args.attachments, args.attachment_count);
    }

    // An event handler and whether its event's arguments are parsed for it.
    struct parsing_handler {
        event_handler fn;
        bool parse_args;
    };

    void report(const char* where, const char* what) const {
        log(SWITCHBOARD_LOG_ERROR, std::string(where) + " threw: " + what);
    }

    static socket_info to_info(const switchboard_socket_info_t* s) {
        socket_info info;
        info.socket = s->socket;
        info.id = std::string(detail::view(s->id));
        info.nsp = std::string(detail::view(s->nsp));
        info.auth = json::parse(detail::view(s->auth_json), nullptr, false);
        info.user = json::parse(detail::view(s->user_json), nullptr, false);
        info.handshake = json::parse(detail::view(s->handshake_json), nullptr, false);
        if (info.user.is_discarded()) info.user = nullptr;
        if (SWITCHBOARD_HAS_MEMBER(s, dialect_json)) info.dialect = detail::parse_or_null(s->dialect_json);
        return info;
    }

    // The one try/catch of every trampoline: nothing unwinds into the kernel. An
    // sdk::error reaches `refuse` with its code and message; a database_error with its
    // code and a generic message (its SQL and driver text go to the log); anything else
    // is logged and refused as "internal_error" with `failed` as the message. `refuse`
    // does nothing where nobody can be told (disconnect hooks, timers...).
    template <class Body, class Refuse>
    void guarded(const char* where, const char* failed, Body&& body, Refuse&& refuse) const noexcept {
        try {
            try {
                body();
            } catch (const database_error& failure) {
                report(where, failure.what());
                refuse(failure.code(), failure.code() == "db_unavailable" ? "the database is unavailable"
                                                                           : "the database refused the request");
            } catch (const error& failure) {
                refuse(failure.code(), failure.what());
            } catch (const std::exception& failure) {
                report(where, failure.what());
                refuse("internal_error", failed);
            } catch (...) {
                report(where, "an unknown exception");
                refuse("internal_error", failed);
            }
        } catch (...) {
            // The refusal itself failed (out of memory): nothing more to do safely.
        }
    }
    static void nobody_to_tell(std::string_view, std::string_view) noexcept {}
    // A hook's refusal, written into its result.
    auto refusal_into(switchboard_result_t* result) const {
        return [this, result](std::string_view code, std::string_view message) {
            host_->host_result_error(result, detail::view(code), detail::view(message));
        };
    }

    static void event_trampoline(void* user_data, const switchboard_event_t* raw) noexcept {
        auto* state = static_cast<holder<parsing_handler>*>(user_data);
        event e;
        e.plugin_ = state->owner;
        e.socket = raw->socket;
        e.ack_id = raw->ack_id;
        e.raw_ = raw_args{detail::view(raw->args_json), raw->attachments, raw->attachment_count};
        if (SWITCHBOARD_HAS_MEMBER(raw, dialect_json))
            e.identity_ = {raw->id, raw->auth_json, raw->handshake_json, raw->dialect_json};
        state->owner->guarded("event handler", "the handler failed", [&] {
            e.nsp = std::string(detail::view(raw->nsp));
            e.name = std::string(detail::view(raw->event));
            e.args = state->fn.parse_args ? detail::parse_args(raw->args_json, raw->attachments, raw->attachment_count)
                                          : json::array();
            e.user = json::parse(detail::view(raw->user_json), nullptr, false);
            if (e.user.is_discarded()) e.user = nullptr;
            state->fn.fn(e);
        }, [&](std::string_view code, std::string_view message) { e.fail(code, message); });
    }

    static void connect_trampoline(void* user_data, const switchboard_socket_info_t* raw,
                                   switchboard_result_t* result) noexcept {
        auto* state = static_cast<holder<connect_handler>*>(user_data);
        state->owner->guarded("connect hook", "the connect hook failed", [&] { state->fn(to_info(raw)); },
                              state->owner->refusal_into(result));
    }

    static void connected_trampoline(void* user_data, const switchboard_socket_info_t* raw) noexcept {
        auto* state = static_cast<holder<connected_handler>*>(user_data);
        state->owner->guarded("connected hook", "", [&] { state->fn(to_info(raw)); }, &plugin::nobody_to_tell);
    }

    static void disconnect_trampoline(void* user_data, const switchboard_socket_info_t* raw,
                                      switchboard_str_t reason) noexcept {
        auto* state = static_cast<holder<disconnect_handler>*>(user_data);
        state->owner->guarded("disconnect hook", "", [&] { state->fn(to_info(raw), detail::view(reason)); },
                              &plugin::nobody_to_tell);
    }

    static void join_trampoline(void* user_data, const switchboard_socket_info_t* raw, switchboard_str_t room,
                                switchboard_result_t* result) noexcept {
        auto* state = static_cast<holder<join_handler>*>(user_data);
        state->owner->guarded("join hook", "the join hook failed", [&] { state->fn(to_info(raw), detail::view(room)); },
                              state->owner->refusal_into(result));
    }

    static void ack_trampoline(void* user_data, int timed_out, switchboard_str_t args_json,
                               const switchboard_str_t* attachments, std::size_t count) noexcept {
        std::unique_ptr<ack_handler> fn(static_cast<ack_handler*>(user_data));
        try {
            if (timed_out) (*fn)(std::nullopt);
            else (*fn)(detail::parse_args(args_json, attachments, count));
        } catch (...) {
            // Nobody to tell, and no plugin handle to log with: the ack's caller is gone.
        }
    }

    static void auth_trampoline(void* user_data, const switchboard_auth_request_t* raw,
                                switchboard_result_t* result) noexcept {
        auto* state = static_cast<holder<auth_handler>*>(user_data);
        const auto& host = *state->owner->host_;
        state->owner->guarded("auth hook", "the auth hook failed", [&] {
            auth_request request;
            request.nsp = std::string(detail::view(raw->nsp));
            request.auth = json::parse(detail::view(raw->auth_json), nullptr, false);
            request.handshake = json::parse(detail::view(raw->handshake_json), nullptr, false);
            if (const auto user = state->fn(request)) {
                const std::string text = user->dump(-1, ' ', false, json::error_handler_t::replace);
                host.host_result_json(result, detail::view(text));
            }
        }, state->owner->refusal_into(result));
    }

    static void presence_trampoline(void* user_data, switchboard_str_t user_id, int online) noexcept {
        auto* state = static_cast<holder<presence_handler>*>(user_data);
        state->owner->guarded("presence hook", "", [&] { state->fn(detail::view(user_id), online != 0); },
                              &plugin::nobody_to_tell);
    }

    static void bus_trampoline(void* user_data, switchboard_str_t topic, switchboard_str_t payload) noexcept {
        auto* state = static_cast<holder<bus_handler>*>(user_data);
        state->owner->guarded("bus subscriber", "", [&] {
            const json value = json::parse(detail::view(payload), nullptr, false);
            state->fn(detail::view(topic), value);
        }, &plugin::nobody_to_tell);
    }

    static void timer_trampoline(void* user_data, switchboard_timer_t) noexcept {
        auto* state = static_cast<holder<timer_handler>*>(user_data);
        state->owner->guarded("timer", "", [&] { state->fn(); }, &plugin::nobody_to_tell);
    }

    static void http_trampoline(void* user_data, const switchboard_http_request_t* raw,
                                switchboard_result_t* result) noexcept {
        auto* state = static_cast<holder<http_handler>*>(user_data);
        const auto& host = *state->owner->host_;
        state->owner->guarded("HTTP route", "the handler failed", [&] {
            http_request request;
            request.method = std::string(detail::view(raw->method));
            request.path = std::string(detail::view(raw->path));
            request.query = std::string(detail::view(raw->query));
            request.headers = json::parse(detail::view(raw->headers_json), nullptr, false);
            request.body = std::string(detail::view(raw->body));
            const http_response response = state->fn(request);
            host.host_result_http(result, response.status, detail::view(response.content_type),
                                  detail::view(response.body));
        }, [&](std::string_view code, std::string_view message) {
            // A refusal (sdk::error) is the client's mistake; anything else the server's.
            const int status = code == "internal_error" || code.starts_with("db_") ? 500 : 400;
            const std::string body = detail::error_args(code, message)[0].dump();
            host.host_result_http(result, status, detail::view("application/json"), detail::view(body));
        });
    }

    switchboard_plugin_t* self_;
    const switchboard_host_t* host_;
    std::mutex mutex_;
    std::vector<std::function<void()>> owned_;
    std::function<void()> reload_;
    bool released_by_host_ = false;
};

inline json transaction::query(std::string_view sql, const json& params) const {
    return plugin_.query_in(id_, sql, params);
}

inline std::uint64_t transaction::exec(std::string_view sql, const json& params) const {
    return plugin_.exec_in(id_, sql, params);
}

inline void event::ack(json args) const {
    if (!wants_ack() || !plugin_) return;
    plugin_->send_ack(socket, ack_id, std::move(args));
}

inline void event::ack_raw(const raw_args& args) const {
    if (!wants_ack() || !plugin_) return;
    plugin_->send_raw_ack(socket, ack_id, args);
}

inline void event::fail(std::string_view code, std::string_view message) const {
    if (!wants_ack() || !plugin_) return;
    plugin_->send_ack(socket, ack_id, detail::error_args(code, message));
}

inline void event::reply(json result) const { ack(json::array({nullptr, std::move(result)})); }

namespace detail {

// The glue SWITCHBOARD_PLUGIN expands to: creates the sdk::plugin, runs the load
// function, turns exceptions into a refusal.
inline switchboard_status_t load_plugin(switchboard_plugin_t* self, const switchboard_host_t* host, void** state,
                                        void (*load)(plugin&)) noexcept {
    plugin* p = nullptr;
    try {
        p = new plugin(self, host);
        load(*p);
        *state = p;
        return SWITCHBOARD_OK;
    } catch (const std::exception& failure) {
        host->host_log(self, SWITCHBOARD_LOG_ERROR, view(std::string("load failed: ") + failure.what()));
    } catch (...) {
        host->host_log(self, SWITCHBOARD_LOG_ERROR, view("load failed: an unknown exception"));
    }
    delete p;
    return SWITCHBOARD_ERROR;
}

inline void unload_plugin(void* state) noexcept { delete static_cast<plugin*>(state); }

inline void reload_plugin(void* state) noexcept {
    try {
        static_cast<plugin*>(state)->reload();
    } catch (const std::exception& failure) {
        static_cast<plugin*>(state)->log_error(std::string("reload failed: ") + failure.what());
    } catch (...) {
        static_cast<plugin*>(state)->log_error("reload failed");
    }
}

}  // namespace detail

}  // namespace switchboard::sdk

// Defines the plugin's entry point. `schema` is the config keys' JSON (or nullptr);
// `load` is `void load(switchboard::sdk::plugin&)`, which may throw to refuse loading.
#define SWITCHBOARD_PLUGIN(name, version, description, schema, load)                                   \
    namespace {                                                                                        \
    switchboard_status_t switchboard_on_load_(switchboard_plugin_t* self, const switchboard_host_t* host, \
                                              void** state) {                                          \
        return ::switchboard::sdk::detail::load_plugin(self, host, state, load);                       \
    }                                                                                                  \
    const switchboard_plugin_descriptor_t switchboard_descriptor_ = {                                  \
        sizeof(switchboard_plugin_descriptor_t),                                                       \
        SWITCHBOARD_ABI_MAJOR,                                                                         \
        SWITCHBOARD_ABI_MINOR,                                                                         \
        name,                                                                                          \
        version,                                                                                       \
        description,                                                                                   \
        schema,                                                                                        \
        &switchboard_on_load_,                                                                         \
        nullptr,                                                                                       \
        nullptr,                                                                                       \
        &::switchboard::sdk::detail::unload_plugin,                                                    \
        &::switchboard::sdk::detail::reload_plugin,                                                    \
    };                                                                                                 \
    }                                                                                                  \
    extern "C" SWITCHBOARD_EXPORT const switchboard_plugin_descriptor_t* switchboard_plugin_entry(void) { \
        return &switchboard_descriptor_;                                                               \
    }
