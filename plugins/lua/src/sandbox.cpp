#include "sandbox.hpp"

#include <string>
#include <utility>

#include "bounded_strings.hpp"
#include "generation.hpp"
#include "vm.hpp"

namespace switchboard::plugins::lua {

namespace {

int refuse_call(lua_State* L) {
    return luaL_error(L, "%s is not available to Switchboard scripts (sandbox)",
                      lua_tostring(L, lua_upvalueindex(1)));
}

// Replaces `table.name` by a function that raises a clear error.
void forbid(lua_State* L, int table, const char* table_name, const char* name) {
    table = lua_absindex(L, table);
    lua_pushfstring(L, "%s%s%s", table_name, *table_name ? "." : "", name);
    lua_pushcclosure(L, &refuse_call, 1);
    lua_setfield(L, table, name);
}

int refuse_index(lua_State* L) {
    const char* library = lua_tostring(L, lua_upvalueindex(1));
    const char* why = lua_tostring(L, lua_upvalueindex(2));
    return luaL_error(L, "%s.%s is not available to Switchboard scripts: %s", library, luaL_tolstring(L, 2, nullptr),
                      why);
}

// A global library table where every field raises (io, debug but traceback).
void forbid_library(lua_State* L, const char* name, const char* why) {
    lua_getglobal(L, name);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
    }
    lua_newtable(L);   // the metatable
    lua_pushstring(L, name);
    lua_pushstring(L, why);
    lua_pushcclosure(L, &refuse_index, 2);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setglobal(L, name);
}

// load(chunk [, name [, mode [, env]]]): text only, whatever mode says. Bytecode can
// crash the VM; source cannot.
int text_only_load(lua_State* L) {
    const int nargs = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));   // the original load
    lua_pushvalue(L, 1);
    if (nargs >= 2) lua_pushvalue(L, 2);
    else lua_pushnil(L);
    lua_pushliteral(L, "t");
    if (nargs >= 4) {
        lua_pushvalue(L, 4);
        lua_call(L, 4, LUA_MULTRET);
    } else {
        lua_call(L, 3, LUA_MULTRET);
    }
    return lua_gettop(L) - nargs;
}

int restricted_collectgarbage(lua_State* L) {
    const std::string option = luaL_optstring(L, 1, "collect");
    if (option != "collect" && option != "count" && option != "step" && option != "isrunning")
        return luaL_error(L, "collectgarbage(\"%s\") is not available to Switchboard scripts (sandbox)",
                          option.c_str());
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// setmetatable refuses __gc: a finalizer runs at a time no budget covers (even while
// the state closes).
int guarded_setmetatable(lua_State* L) {
    if (lua_istable(L, 2)) {
        lua_pushliteral(L, "__gc");
        lua_rawget(L, 2);
        const bool has_gc = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (has_gc) return luaL_error(L, "__gc metamethods are not available to Switchboard scripts (sandbox)");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

// xpcall's message handler runs inside lua_error. When the error is the count hook's
// (the run is over its budget), Lua has turned hooks off there: a handler that loops
// would never be stopped. So the handler runs only for the script's own errors.
int budgeted_message_handler(lua_State* L) {
    if (vm::of(L).over_budget()) return 1;   // the error as it is
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

int return_all(lua_State* L, int, lua_KContext) { return lua_gettop(L); }

// xpcall(f, msgh, ...): the original, with msgh wrapped. lua_callk keeps a yield
// (ask) inside f possible, as with the original.
int budgeted_xpcall(lua_State* L) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, &budgeted_message_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, &return_all);
    return lua_gettop(L);
}

int sandboxed_require(lua_State* L) {
    const std::string name = luaL_checkstring(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getfield(L, -1, name.c_str());
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);

    vm& owner = vm::of(L);
    std::string error;
    const auto found = owner.gen().module_source(name, error);
    if (!found) return luaL_error(L, "%s", error.c_str());
    const std::string chunk_name = "@" + found->name;
    if (luaL_loadbufferx(L, found->source.data(), found->source.size(), chunk_name.c_str(), "t") != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, name.c_str());
    lua_pushstring(L, found->name.c_str());
    lua_call(L, 2, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name.c_str());
    return 1;
}

int refuse_new_global(lua_State* L) {
    return luaL_error(L,
                      "assignment to undeclared global '%s': handlers run on several threads, each with a Lua "
                      "state of its own, so globals are not shared (keep shared state in the database; declare "
                      "script-wide values with local at the top of the file)",
                      luaL_tolstring(L, 2, nullptr));
}

}  // namespace

void open_sandbox(lua_State* L, vm&) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1);
    luaL_requiref(L, LUA_DBLIBNAME, luaopen_debug, 1);
    lua_settop(L, 0);

    lua_pushglobaltable(L);
    const int globals = lua_gettop(L);
    for (const char* name : {"dofile", "loadfile"}) forbid(L, globals, "", name);
    // Each guard wraps the original, which it holds as its upvalue.
    for (const auto& [name, guard] : {std::pair<const char*, lua_CFunction>{"load", &text_only_load},
                                      {"collectgarbage", &restricted_collectgarbage},
                                      {"setmetatable", &guarded_setmetatable},
                                      {"xpcall", &budgeted_xpcall}}) {
        lua_getfield(L, globals, name);
        lua_pushcclosure(L, guard, 1);
        lua_setfield(L, globals, name);
    }
    lua_pushnil(L);
    lua_setfield(L, globals, "warn");   // would write to the server's stderr

    lua_getglobal(L, "os");
    for (const char* name : {"execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale"})
        forbid(L, -1, "os", name);
    lua_pop(L, 1);
    lua_getglobal(L, "string");
    forbid(L, -1, "string", "dump");
    lua_pop(L, 1);
    open_bounded_strings(L, [](lua_State* co, std::int64_t steps) { vm::of(co).charge(co, steps); });

    // debug: traceback only; the rest could change the limits' hook or reach the registry.
    lua_getglobal(L, "debug");
    lua_getfield(L, -1, "traceback");
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setfield(L, -2, "traceback");
    lua_setglobal(L, "debug");
    lua_pop(L, 1);
    forbid_library(L, "debug", "only debug.traceback is");
    forbid_library(L, "io", "scripts have no file access; use switchboard.db for storage");

    // package: the loaded table only; require finds Lua source files, never native code.
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_setfield(L, -2, "loaded");
    forbid(L, -1, "package", "loadlib");
    lua_setglobal(L, "package");
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    for (const char* name : {"io", "package", "debug"}) {
        lua_getglobal(L, name);
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, &sandboxed_require);
    lua_setfield(L, globals, "require");
    lua_settop(L, 0);
}

void seal_globals(lua_State* L) {
    lua_pushglobaltable(L);
    lua_newtable(L);
    lua_pushcfunction(L, &refuse_new_global);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

}  // namespace switchboard::plugins::lua
