// The `switchboard` Lua module (global, and require("switchboard")). README.md
// documents it for script authors.
//
//   api_module.cpp    the module table, declarations (on, on_connect...), values,
//                     config, log, the ctx and socket objects
//   api_json.cpp      switchboard.json (key order kept)
//   api_util.cpp      switchboard.crypto, uuid, now, monotonic
//   api_actions.cpp   emit, ask, join, leave, disconnect, timers, publish, presence
//   api_database.cpp  switchboard.db
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <lua.hpp>
#include <switchboard/sdk.hpp>

#include "socket_directory.hpp"

namespace switchboard::plugins::lua {

class vm;

// Creates the module in `L` (global `switchboard` and package.loaded.switchboard).
void open_api(lua_State* L, vm& owner);

// What a handler's ctx shows.
struct context {
    sdk::socket_id socket = 0;
    std::shared_ptr<const socket_entry> entry;   // id, nsp, auth, handshake (null: unknown)
    std::string_view nsp;
    const sdk::json* user = nullptr;             // the socket's user, null JSON if anonymous
    std::string_view event;                      // the event's name; empty for hooks
};
void push_context(lua_State* L, const context& c);

// A socket object: {id, handle, nsp} with the socket methods (emit, join...).
void push_socket(lua_State* L, sdk::socket_id handle, std::string_view id, std::string_view nsp);
// The handle of the socket object (or integer handle) at `index`; raises otherwise.
sdk::socket_id check_socket(lua_State* L, int index);
// True when the value at `index` is a socket object.
bool is_socket(lua_State* L, int index);

// Raises the Lua error {code = code, message = message}.
[[noreturn]] void raise_error(lua_State* L, std::string_view code, std::string_view message);

// Runs a C function body, turning C++ exceptions into Lua errors (an sdk::error
// into {code, message}). Lua's own errors pass through untouched.
template <int (*Body)(lua_State*)>
int guarded(lua_State* L) {
    std::string code;
    std::string message;
    try {
        return Body(L);
    } catch (const sdk::error& e) {
        code = e.code();
        message = e.what();
    } catch (const std::exception& e) {
        message = e.what();
    }
    if (!code.empty()) raise_error(L, code, message);
    return luaL_error(L, "%s", message.c_str());
}

// The parts of the module the other files add.
void add_actions(lua_State* L, int module);
void add_database(lua_State* L, int module);
void add_json(lua_State* L, int module);
void add_util(lua_State* L, int module);
void add_socket_methods(lua_State* L, int methods);

}  // namespace switchboard::plugins::lua
