// The `switchboard` module: declarations, values, config, log, and the ctx and
// socket objects handlers receive.
#include <string>

#include "api.hpp"
#include "runtime.hpp"
#include "values.hpp"
#include "vm.hpp"

namespace switchboard::plugins::lua {

namespace {

const char socket_mark = 0;   // metatable of socket objects
const char ctx_mark = 0;      // metatable of ctx tables
const char entry_mark = 0;    // metatable of the userdata a ctx keeps its socket's details in
const char entry_key = 0;     // where a ctx keeps that userdata
const char error_mark = 0;    // metatable of {code, message} errors

struct entry_holder {
    std::shared_ptr<const socket_entry> entry;
};

void require_loading(lua_State* L, const vm& owner, const char* what) {
    if (!owner.loading())
        luaL_error(L, "%s can only be called while the script loads (at its top level), not from a handler", what);
}

bool option_bool(lua_State* L, int options, const char* name) {
    if (!lua_istable(L, options)) return false;
    lua_getfield(L, options, name);
    const bool value = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return value;
}

std::string option_nsp(lua_State* L, int options) {
    if (!lua_istable(L, options)) return "*";
    lua_getfield(L, options, "nsp");
    std::string nsp = lua_isnil(L, -1) ? "*" : luaL_checkstring(L, -1);
    lua_pop(L, 1);
    if (nsp != "*" && (nsp.empty() || nsp.front() != '/'))
        luaL_error(L, "nsp must be \"*\" or start with \"/\" (got \"%s\")", nsp.c_str());
    return nsp;
}

// ---------------------------------------------------------------- declarations

int on(lua_State* L) {
    vm& owner = vm::of(L);
    require_loading(L, owner, "switchboard.on");
    const std::string name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (name.empty()) return luaL_argerror(L, 1, "an event name");
    for (const char* reserved : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                                 "removeListener"}) {
        if (name == reserved)
            return luaL_error(L, "\"%s\" is reserved by Socket.IO: clients cannot emit it (use on_connect or "
                                 "on_disconnect)", reserved);
    }
    event_declaration d;
    d.name = name;
    d.nsp = option_nsp(L, 3);
    d.is_inline = option_bool(L, 3, "inline");
    d.where = vm::where(L, 1);
    if (const auto* earlier = owner.declaring().find_exact(d.nsp, d.name))
        return luaL_error(L, "event \"%s\" in namespace %s already has a handler (%s)", name.c_str(), d.nsp.c_str(),
                          earlier->where.c_str());
    lua_pushvalue(L, 2);
    d.index = owner.keep_function(L);
    owner.declaring().add_event(std::move(d));
    return 0;
}

template <std::vector<hook_declaration> catalog::*Hooks>
int declare_hook(lua_State* L, const char* what, bool may_be_inline) {
    vm& owner = vm::of(L);
    require_loading(L, owner, what);
    luaL_checktype(L, 1, LUA_TFUNCTION);
    hook_declaration d;
    d.nsp = option_nsp(L, 2);
    d.is_inline = may_be_inline && option_bool(L, 2, "inline");
    d.where = vm::where(L, 1);
    lua_pushvalue(L, 1);
    d.index = owner.keep_function(L);
    (owner.declaring().*Hooks).push_back(std::move(d));
    return 0;
}

int on_connect(lua_State* L) { return declare_hook<&catalog::connect>(L, "switchboard.on_connect", true); }
int on_disconnect(lua_State* L) { return declare_hook<&catalog::disconnect>(L, "switchboard.on_disconnect", true); }
int on_join(lua_State* L) { return declare_hook<&catalog::join>(L, "switchboard.on_join", false); }
int on_auth(lua_State* L) { return declare_hook<&catalog::auth>(L, "switchboard.on_auth", false); }

int on_presence(lua_State* L) {
    vm& owner = vm::of(L);
    require_loading(L, owner, "switchboard.on_presence");
    luaL_checktype(L, 1, LUA_TFUNCTION);
    declared d;
    d.where = vm::where(L, 1);
    lua_pushvalue(L, 1);
    d.index = owner.keep_function(L);
    owner.declaring().presence.push_back(std::move(d));
    return 0;
}

int subscribe(lua_State* L) {
    vm& owner = vm::of(L);
    require_loading(L, owner, "switchboard.subscribe");
    topic_declaration d;
    d.topic = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (d.topic.empty()) return luaL_argerror(L, 1, "a topic name");
    d.where = vm::where(L, 1);
    lua_pushvalue(L, 2);
    d.index = owner.keep_function(L);
    owner.declaring().topics.push_back(std::move(d));
    return 0;
}

int route(lua_State* L) {
    vm& owner = vm::of(L);
    require_loading(L, owner, "switchboard.route");
    route_declaration d;
    d.method = luaL_checkstring(L, 1);
    d.path = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TFUNCTION);
    if (d.path.empty() || d.path.front() != '/') return luaL_argerror(L, 2, "a path starting with /");
    for (const auto& r : owner.declaring().routes)
        if (r.method == d.method && r.path == d.path)
            return luaL_error(L, "route %s %s is declared twice (%s)", d.method.c_str(), d.path.c_str(),
                              r.where.c_str());
    d.where = vm::where(L, 1);
    lua_pushvalue(L, 3);
    d.index = owner.keep_function(L);
    owner.declaring().routes.push_back(std::move(d));
    return 0;
}

// ---------------------------------------------------------------- values

int make_array(lua_State* L) {
    if (lua_istable(L, 1)) {
        lua_settop(L, 1);
        mark_array(L, 1);
        return 1;
    }
    push_array(L);
    return 1;
}

int make_object(lua_State* L) {
    if (lua_istable(L, 1)) {
        lua_settop(L, 1);
        mark_object(L, 1);
        return 1;
    }
    push_object(L);
    return 1;
}

int make_binary(lua_State* L) {
    std::size_t size = 0;
    const char* data = luaL_checklstring(L, 1, &size);
    push_binary(L, std::string_view(data, size));
    return 1;
}

int check_binary(lua_State* L) {
    lua_pushboolean(L, is_binary(L, 1));
    return 1;
}

// ---------------------------------------------------------------- log and metrics

std::string log_line(lua_State* L, int first) {
    std::string text = vm::where(L, 1);
    if (!text.empty()) text += ": ";
    const int top = lua_gettop(L);
    for (int i = first; i <= top; ++i) {
        std::size_t size = 0;
        const char* part = luaL_tolstring(L, i, &size);
        if (i > first) text += ' ';
        text.append(part, size);
        lua_pop(L, 1);
    }
    return text;
}

template <switchboard_log_level_t Level>
int log_at(lua_State* L) {
    vm::of(L).rt().log(Level, log_line(L, 1));
    return 0;
}

int log_call(lua_State* L) {   // switchboard.log(...): the table called as a function
    vm::of(L).rt().log(SWITCHBOARD_LOG_INFO, log_line(L, 2));
    return 0;
}

int count(lua_State* L) {
    const std::string name = luaL_checkstring(L, 1);
    const lua_Integer delta = luaL_optinteger(L, 2, 1);
    if (name.empty()) return luaL_argerror(L, 1, "a counter name");
    vm::of(L).rt().plugin().count(name, delta);
    return 0;
}

// ---------------------------------------------------------------- ctx and sockets

int entry_gc(lua_State* L) {
    static_cast<entry_holder*>(lua_touserdata(L, 1))->~entry_holder();
    return 0;
}

// ctx.handshake and ctx.auth are built when a handler first reads them: most never do.
int ctx_index(lua_State* L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    const std::string key = lua_tostring(L, 2);
    if (key != "handshake" && key != "auth") return 0;
    lua_rawgetp(L, 1, &entry_key);
    const auto* holder = static_cast<const entry_holder*>(lua_touserdata(L, -1));
    if (!holder || !holder->entry) return 0;
    push_json(L, key == "handshake" ? holder->entry->handshake : holder->entry->auth);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

int socket_tostring(lua_State* L) {
    lua_getfield(L, 1, "id");
    lua_pushfstring(L, "socket %s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "?");
    return 1;
}

int socket_equal(lua_State* L) {
    lua_getfield(L, 1, "handle");
    lua_getfield(L, 2, "handle");
    lua_pushboolean(L, lua_rawequal(L, -1, -2));
    return 1;
}

int error_tostring(lua_State* L) {
    lua_getfield(L, 1, "code");
    lua_getfield(L, 1, "message");
    lua_pushfstring(L, "%s: %s", luaL_optstring(L, -2, "error"), luaL_optstring(L, -1, ""));
    return 1;
}

void set_function(lua_State* L, int table, const char* name, lua_CFunction fn) {
    lua_pushcfunction(L, fn);
    lua_setfield(L, table, name);
}

}  // namespace

void raise_error(lua_State* L, std::string_view code, std::string_view message) {
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, code.data(), code.size());
    lua_setfield(L, -2, "code");
    lua_pushlstring(L, message.data(), message.size());
    lua_setfield(L, -2, "message");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &error_mark);
    lua_setmetatable(L, -2);
    lua_error(L);
    __builtin_unreachable();
}

void push_socket(lua_State* L, sdk::socket_id handle, std::string_view id, std::string_view nsp) {
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, static_cast<lua_Integer>(handle));
    lua_setfield(L, -2, "handle");
    if (!id.empty()) {
        lua_pushlstring(L, id.data(), id.size());
        lua_setfield(L, -2, "id");
    }
    if (!nsp.empty()) {
        lua_pushlstring(L, nsp.data(), nsp.size());
        lua_setfield(L, -2, "nsp");
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &socket_mark);
    lua_setmetatable(L, -2);
}

bool is_socket(lua_State* L, int index) {
    if (lua_type(L, index) != LUA_TTABLE || !lua_getmetatable(L, index)) return false;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &socket_mark);
    const bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

sdk::socket_id check_socket(lua_State* L, int index) {
    if (lua_isinteger(L, index)) return static_cast<sdk::socket_id>(lua_tointeger(L, index));
    if (is_socket(L, index)) {
        lua_getfield(L, index, "handle");
        const auto handle = static_cast<sdk::socket_id>(lua_tointeger(L, -1));
        lua_pop(L, 1);
        return handle;
    }
    luaL_argerror(L, index, "a socket (ctx.socket) or a socket handle");
    return 0;
}

void push_context(lua_State* L, const context& c) {
    lua_createtable(L, 0, 6);
    const int ctx = lua_gettop(L);
    push_socket(L, c.socket, c.entry ? std::string_view(c.entry->id) : std::string_view(), c.nsp);
    lua_setfield(L, ctx, "socket");
    lua_pushlstring(L, c.nsp.data(), c.nsp.size());
    lua_setfield(L, ctx, "nsp");
    if (!c.event.empty()) {
        lua_pushlstring(L, c.event.data(), c.event.size());
        lua_setfield(L, ctx, "event");
    }
    if (c.user && !c.user->is_null() && !c.user->is_discarded()) {
        push_json(L, *c.user);
        lua_setfield(L, ctx, "user");
        // The SDK's one rule for a user's id, as C++ plugins read it: a signed-in user
        // without a string or integer id is as anonymous to scripts as to them.
        if (const auto id = sdk::detail::user_id_of(*c.user); !id.empty()) {
            lua_pushlstring(L, id.data(), id.size());
            lua_setfield(L, ctx, "user_id");
        }
    }
    if (c.entry) {
        new (lua_newuserdatauv(L, sizeof(entry_holder), 0)) entry_holder{c.entry};
        lua_rawgetp(L, LUA_REGISTRYINDEX, &entry_mark);
        lua_setmetatable(L, -2);
        lua_rawsetp(L, ctx, &entry_key);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_mark);
    lua_setmetatable(L, ctx);
}

void open_api(lua_State* L, vm& owner) {
    // Metatables.
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, &entry_gc);
    lua_setfield(L, -2, "__gc");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &entry_mark);

    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, &ctx_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "switchboard.ctx");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ctx_mark);

    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, &error_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "switchboard.error");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &error_mark);

    lua_createtable(L, 0, 4);
    lua_newtable(L);
    add_socket_methods(L, lua_gettop(L));
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, &socket_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, &socket_equal);
    lua_setfield(L, -2, "__eq");
    lua_pushliteral(L, "switchboard.socket");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &socket_mark);

    // The module.
    lua_newtable(L);
    const int module = lua_gettop(L);
    set_function(L, module, "on", &guarded<on>);
    set_function(L, module, "on_connect", &guarded<on_connect>);
    set_function(L, module, "on_disconnect", &guarded<on_disconnect>);
    set_function(L, module, "on_join", &guarded<on_join>);
    set_function(L, module, "on_auth", &guarded<on_auth>);
    set_function(L, module, "on_presence", &guarded<on_presence>);
    set_function(L, module, "subscribe", &guarded<subscribe>);
    set_function(L, module, "route", &guarded<route>);

    push_null(L);
    lua_setfield(L, module, "null");
    set_function(L, module, "array", &make_array);
    set_function(L, module, "object", &make_object);
    set_function(L, module, "binary", &make_binary);
    set_function(L, module, "is_binary", &check_binary);
    add_json(L, module);
    add_util(L, module);

    push_json(L, owner.rt().config().script_settings);
    lua_setfield(L, module, "config");

    lua_createtable(L, 0, 4);
    const int log = lua_gettop(L);
    set_function(L, log, "debug", &log_at<SWITCHBOARD_LOG_DEBUG>);
    set_function(L, log, "info", &log_at<SWITCHBOARD_LOG_INFO>);
    set_function(L, log, "warn", &log_at<SWITCHBOARD_LOG_WARN>);
    set_function(L, log, "error", &log_at<SWITCHBOARD_LOG_ERROR>);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, &log_call);
    lua_setfield(L, -2, "__call");
    lua_setmetatable(L, log);
    lua_setfield(L, module, "log");
    set_function(L, module, "count", &guarded<count>);

    add_actions(L, module);
    add_database(L, module);

    lua_pushvalue(L, module);
    lua_setglobal(L, "switchboard");
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, module);
    lua_setfield(L, -2, "switchboard");
    lua_pop(L, 1);
    // print goes to the server's log, tagged with the plugin and the script's line.
    lua_pushcfunction(L, &log_at<SWITCHBOARD_LOG_INFO>);
    lua_setglobal(L, "print");
    lua_settop(L, module - 1);
}

}  // namespace switchboard::plugins::lua
