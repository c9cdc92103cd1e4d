// The standard library scripts get: the pure parts of Lua (base, string, table, math,
// utf8, coroutine, os.time/clock/date), a text-only `load`, and a `require` for Lua
// modules from the configured module paths. Everything that reaches outside the state
// (files, processes, native modules, the debug library) raises a clear error instead.
#pragma once

#include <lua.hpp>

namespace switchboard::plugins::lua {

class vm;

// Opens the libraries into `L` and installs the restrictions and `require`.
void open_sandbox(lua_State* L, vm& owner);

// After loading: assigning a new global raises. Handlers run on many threads, each
// with a state of its own, so a global set by one handler is invisible to the others.
void seal_globals(lua_State* L);

}  // namespace switchboard::plugins::lua
