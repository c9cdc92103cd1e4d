// The pattern functions of the string library (find, match, gmatch, gsub), replaced by
// versions whose matching counts against the run's instruction budget. Lua's own
// run inside one C call that no hook interrupts: a pathological pattern would hold
// its thread for minutes.
#pragma once

#include <cstdint>

#include <lua.hpp>

namespace switchboard::plugins::lua {

// Called with the steps a match took, in batches; raises a Lua error to stop it.
using charge_function = void (*)(lua_State* L, std::int64_t steps);

// Replaces the functions in the global `string` table (also the strings' methods).
void open_bounded_strings(lua_State* L, charge_function charge);

}  // namespace switchboard::plugins::lua
