// What handlers do: emit, ask, join, leave, disconnect, timers, publish, presence.
#include <string>
#include <vector>

#include "api.hpp"
#include "runtime.hpp"
#include "values.hpp"
#include "vm.hpp"

namespace switchboard::plugins::lua {

namespace {

constexpr std::uint32_t default_ask_timeout_ms = 5000;

// Actions make sense in a run: a script's top level runs once per handler thread.
const std::shared_ptr<task>& require_run(lua_State* L, const vm& owner, const char* what) {
    if (owner.loading() || !owner.current())
        luaL_error(L, "%s cannot run while the script loads (the top level runs once in every handler thread)", what);
    return owner.current();
}

std::string field_string(lua_State* L, int table, const char* name, bool required) {
    lua_getfield(L, table, name);
    std::string value;
    if (lua_type(L, -1) == LUA_TSTRING) value = lua_tostring(L, -1);
    else if (!lua_isnil(L, -1) || required) luaL_error(L, "%s: a string expected, got %s", name, luaL_typename(L, -1));
    lua_pop(L, 1);
    return value;
}

// The arguments of an emit or an ask: `data` (one value) or `args` (a list).
json field_args(lua_State* L, int table) {
    lua_getfield(L, table, "data");
    lua_getfield(L, table, "args");
    json args = json::array();
    const bool has_data = !lua_isnil(L, -2);
    const bool has_args = !lua_isnil(L, -1);
    if (has_data && has_args) luaL_error(L, "give data (one value) or args (a list of values), not both");
    if (has_data) args.push_back(to_json(L, -2));
    if (has_args) {
        if (!lua_istable(L, -1)) luaL_error(L, "args: a list of values expected, got %s", luaL_typename(L, -1));
        const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
        for (lua_Integer i = 1; i <= n; ++i) {
            lua_rawgeti(L, -1, i);
            args.push_back(to_json(L, -1));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 2);
    return args;
}

// A room name, a socket, or a list of them, into `rooms` and `socket`.
void read_targets(lua_State* L, int index, const char* name, std::vector<std::string>& rooms, sdk::socket_id* socket) {
    index = lua_absindex(L, index);
    auto one = [&](int at) {
        if (lua_type(L, at) == LUA_TSTRING) {
            rooms.emplace_back(lua_tostring(L, at));
        } else if (socket && (is_socket(L, at) || lua_isinteger(L, at))) {
            if (*socket) luaL_error(L, "%s: one socket at most", name);
            *socket = check_socket(L, at);
        } else {
            luaL_error(L, "%s: a room name%s expected, got %s", name, socket ? " or a socket" : "",
                       luaL_typename(L, at));
        }
    };
    if (lua_istable(L, index) && !is_socket(L, index)) {
        const auto n = static_cast<lua_Integer>(lua_rawlen(L, index));
        for (lua_Integer i = 1; i <= n; ++i) {
            lua_rawgeti(L, index, i);
            one(lua_gettop(L));
            lua_pop(L, 1);
        }
    } else {
        one(index);
    }
}

void check_status(lua_State* L, switchboard_status_t status, const char* what) {
    if (status == SWITCHBOARD_OK) return;
    if (status == SWITCHBOARD_INVALID_ARGUMENT) raise_error(L, "invalid_payload", std::string(what) + ": invalid arguments");
    if (status == SWITCHBOARD_NOT_FOUND) raise_error(L, "not_found", std::string(what) + ": no such socket");
    raise_error(L, "internal_error", std::string(what) + " failed (status " + std::to_string(status) + ")");
}

// switchboard.emit{to=, user=, nsp=, except=, event=, data= | args=, volatile=}
int emit(lua_State* L) {
    vm& owner = vm::of(L);
    const auto& run = require_run(L, owner, "switchboard.emit");
    luaL_checktype(L, 1, LUA_TTABLE);
    outgoing_emit out;
    out.event = field_string(L, 1, "event", true);
    if (out.event.empty()) return luaL_error(L, "event: an event name expected");
    out.args = field_args(L, 1);
    lua_getfield(L, 1, "volatile");
    out.is_volatile = lua_toboolean(L, -1);
    lua_pop(L, 1);
    out.nsp = field_string(L, 1, "nsp", false);
    if (out.nsp.empty()) out.nsp = run->nsp.empty() ? "/" : run->nsp;
    out.user_id = field_string(L, 1, "user", false);

    lua_getfield(L, 1, "to");
    const int to = lua_gettop(L);
    if (!out.user_id.empty()) {
        if (!lua_isnil(L, to)) return luaL_error(L, "give to or user, not both");
        out.target = SWITCHBOARD_TO_USER;
    } else if (lua_isnil(L, to)) {
        out.target = SWITCHBOARD_TO_NAMESPACE;
    } else if (is_socket(L, to) || lua_isinteger(L, to)) {
        out.target = SWITCHBOARD_TO_SOCKET;
        out.socket = check_socket(L, to);
    } else {
        out.target = SWITCHBOARD_TO_ROOMS;
        read_targets(L, to, "to", out.rooms, nullptr);
        if (out.rooms.empty()) return 0;   // to = {}: nobody
    }
    lua_getfield(L, 1, "except");
    if (!lua_isnil(L, -1)) read_targets(L, -1, "except", out.except_rooms, &out.except_socket);
    check_status(L, owner.rt().emit(out), "emit");
    return 0;
}

// socket:emit(event, ...)
int socket_emit(lua_State* L) {
    vm& owner = vm::of(L);
    require_run(L, owner, "socket:emit");
    outgoing_emit out;
    out.target = SWITCHBOARD_TO_SOCKET;
    out.socket = check_socket(L, 1);
    out.event = luaL_checkstring(L, 2);
    out.args = args_to_json(L, 3);
    check_status(L, owner.rt().emit(out), "emit");
    return 0;
}

// switchboard.ask{to=socket, event=, data= | args=, timeout=ms}, socket:ask{...} and
// socket:ask(event, ...): the client's answer (the list of its ack's arguments), or
// nil, "timeout".
int ask(lua_State* L) {
    vm& owner = vm::of(L);
    const auto& run = require_run(L, owner, "switchboard.ask");
    if (run->co != L || !run->may_wait || !lua_isyieldable(L))
        return luaL_error(L, "switchboard.ask cannot wait here: only in the handler's own code (not in a coroutine "
                             "the script made, nor inside db.transaction), and only in handlers nobody waits for "
                             "(events, timers, on_disconnect, on_presence, subscribers)");
    sdk::socket_id socket = 0;
    std::string event;
    json args = json::array();
    std::uint32_t timeout = default_ask_timeout_ms;
    const bool method_form = is_socket(L, 1);
    const int spec = method_form ? 2 : 1;
    if (method_form) socket = check_socket(L, 1);
    if (lua_istable(L, spec)) {
        if (!method_form) {
            lua_getfield(L, spec, "to");
            socket = check_socket(L, lua_gettop(L));
            lua_pop(L, 1);
        }
        event = field_string(L, spec, "event", true);
        args = field_args(L, spec);
        lua_getfield(L, spec, "timeout");
        if (!lua_isnil(L, -1)) timeout = static_cast<std::uint32_t>(std::max<lua_Integer>(1, luaL_checkinteger(L, -1)));
        lua_pop(L, 1);
    } else if (method_form) {
        event = luaL_checkstring(L, 2);
        args = args_to_json(L, 3);
    } else {
        return luaL_argerror(L, 1, "{to = socket, event = ..., data = ..., timeout = ms}");
    }
    if (event.empty()) return luaL_error(L, "event: an event name expected");
    if (!owner.rt().ask(owner, run, socket, event, std::move(args), timeout))
        raise_error(L, "internal_error", "the host refused the emit");
    return lua_yield(L, 0);
}

// switchboard.join(socket, room [, {authorize = true}]) and socket:join(room, ...)
int join(lua_State* L) {
    vm& owner = vm::of(L);
    const auto& run = require_run(L, owner, "join");
    const auto socket = check_socket(L, 1);
    const std::string room = luaL_checkstring(L, 2);
    bool authorize = false;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "authorize");
        authorize = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    // Authorizing waits for the socket's worker: from a worker (or from the pool while
    // holding a worker's state, after an ask) that wait could be on itself.
    if (authorize && run->is_inline)
        raise_error(L, "not_allowed_here",
                    "join with authorize = true is not allowed in an inline handler: it waits for the socket's worker");
    owner.rt().plugin().join(socket, room, authorize);   // a refusal throws sdk::error: {code, message}
    return 0;
}

int leave(lua_State* L) {
    vm& owner = vm::of(L);
    require_run(L, owner, "leave");
    const auto socket = check_socket(L, 1);
    owner.rt().plugin().leave(socket, luaL_checkstring(L, 2));
    return 0;
}

int disconnect(lua_State* L) {
    vm& owner = vm::of(L);
    require_run(L, owner, "disconnect");
    owner.rt().plugin().disconnect(check_socket(L, 1), lua_toboolean(L, 2));
    return 0;
}

// socket:rooms(): the socket's rooms, sorted, its own id room aside (SDK 1.1). From an
// inline handler only its own event's socket can be asked (else not_allowed_here).
int rooms(lua_State* L) {
    vm& owner = vm::of(L);
    require_run(L, owner, "rooms");
    push_json(L, sdk::json(owner.rt().plugin().rooms_of(check_socket(L, 1))));
    return 1;
}

// socket:in_room(room): whether the socket is in `room`; as rooms() for inline handlers.
int in_room(lua_State* L) {
    vm& owner = vm::of(L);
    require_run(L, owner, "in_room");
    lua_pushboolean(L, owner.rt().plugin().in_room(check_socket(L, 1), luaL_checkstring(L, 2)));
    return 1;
}

// switchboard.timer(delay_ms, fn [, {every = ms}]): at a script's top level, a timer
// of the scripts (one, whatever the number of states; a reload replaces it); in a
// handler, a timer of that handler's state (a reload stops the periodic ones).
int timer(lua_State* L) {
    vm& owner = vm::of(L);
    const lua_Integer delay = luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_Integer every = 0;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "every");
        every = luaL_optinteger(L, -1, 0);
        lua_pop(L, 1);
    }
    if (delay < 0 || every < 0) return luaL_error(L, "timer: delays are milliseconds, >= 0");
    const std::string where = vm::where(L, 1);
    if (owner.loading()) {
        timer_declaration d;
        d.delay_ms = static_cast<std::uint64_t>(delay);
        d.interval_ms = static_cast<std::uint64_t>(every);
        d.where = where;
        lua_pushvalue(L, 2);
        d.index = owner.keep_function(L);
        owner.declaring().timers.push_back(std::move(d));
        return 0;
    }
    require_run(L, owner, "switchboard.timer");
    lua_pushvalue(L, 2);
    const auto id = owner.rt().start_timer(owner, L, static_cast<std::uint64_t>(delay), static_cast<std::uint64_t>(every),
                                           where);
    lua_pushinteger(L, static_cast<lua_Integer>(id));
    return 1;
}

int cancel_timer(lua_State* L) {
    vm& owner = vm::of(L);
    lua_pushboolean(L, owner.rt().cancel_timer(static_cast<std::uint64_t>(luaL_checkinteger(L, 1))));
    return 1;
}

int publish(lua_State* L) {
    vm& owner = vm::of(L);
    require_run(L, owner, "switchboard.publish");
    const std::string topic = luaL_checkstring(L, 1);
    luaL_checkany(L, 2);
    owner.rt().plugin().publish(topic, to_json(L, 2));
    return 0;
}

int user_sessions(lua_State* L) {
    vm& owner = vm::of(L);
    lua_pushinteger(L, owner.rt().plugin().user_sessions(luaL_checkstring(L, 1)));
    return 1;
}

int users_online(lua_State* L) {
    vm& owner = vm::of(L);
    const auto offset = luaL_optinteger(L, 1, 0);
    const auto limit = luaL_optinteger(L, 2, 100);
    if (offset < 0 || limit < 0) return luaL_error(L, "users_online: offset and limit are >= 0");
    push_json(L, owner.rt().plugin().users_online(static_cast<std::uint64_t>(offset), static_cast<std::uint32_t>(limit)));
    return 1;
}

void set_function(lua_State* L, int table, const char* name, lua_CFunction fn) {
    lua_pushcfunction(L, fn);
    lua_setfield(L, table, name);
}

}  // namespace

void add_actions(lua_State* L, int module) {
    set_function(L, module, "emit", &guarded<emit>);
    set_function(L, module, "ask", &guarded<ask>);
    set_function(L, module, "join", &guarded<join>);
    set_function(L, module, "leave", &guarded<leave>);
    set_function(L, module, "disconnect", &guarded<disconnect>);
    set_function(L, module, "timer", &guarded<timer>);
    set_function(L, module, "cancel_timer", &guarded<cancel_timer>);
    set_function(L, module, "publish", &guarded<publish>);
    set_function(L, module, "user_sessions", &guarded<user_sessions>);
    set_function(L, module, "users_online", &guarded<users_online>);
}

void add_socket_methods(lua_State* L, int methods) {
    set_function(L, methods, "emit", &guarded<socket_emit>);
    set_function(L, methods, "ask", &guarded<ask>);
    set_function(L, methods, "join", &guarded<join>);
    set_function(L, methods, "leave", &guarded<leave>);
    set_function(L, methods, "disconnect", &guarded<disconnect>);
    set_function(L, methods, "rooms", &guarded<rooms>);
    set_function(L, methods, "in_room", &guarded<in_room>);
}

}  // namespace switchboard::plugins::lua
