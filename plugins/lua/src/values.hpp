// Values between JSON (what the SDK carries) and Lua.
//
//   JSON null      <-> switchboard.null (a light userdata: nil cannot sit in an array)
//   JSON array     <-> a table marked as an array   (switchboard.array)
//   JSON object    <-> a table marked as an object  (switchboard.object)
//   binary bytes   <-> a table {data = "<bytes>"} marked as binary (switchboard.binary)
//   numbers, strings and booleans map to themselves.
//
// Decoded tables carry their mark, so an echo gives back `[]` for `[]` and `{}` for
// `{}`. An unmarked table is an array when its keys are exactly 1..n (n >= 1),
// otherwise an object; an empty unmarked table is an object.
//
// Key order: tables have none, so it lives beside them. Pushing an object records its
// keys in order (in a registry table weakly keyed by the object); converting a table
// back writes the recorded keys still present first, in that order, then any others
// sorted. An echo gives back the client's key order; switchboard.json.order sets one.
//
// Numbers: a JSON integer within 64 bits stays a Lua integer (exact, 2^53+1 too);
// anything else is a Lua float (a double), written back by nlohmann's shortest form:
// 1.0 stays "1.0", 1e21 is "1e+21", but 1e-7 comes back "1e-07", an integer past
// 2^63-1 loses its low digits, "-0" reads as integer 0. The values are the same for a
// JavaScript reader (JSON.parse gives equal numbers); the text can differ.
#pragma once

#include <stdexcept>
#include <string>

#include <lua.hpp>
#include <nlohmann/json.hpp>

namespace switchboard::plugins::lua {

// Ordered: objects keep their key order (as sdk::json).
using json = nlohmann::ordered_json;

// A Lua value that has no JSON form (a function, a cycle...).
class conversion_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Creates the marks' metatables in the registry. Once per state.
void open_values(lua_State* L);

// Pushes `value`. May raise a Lua error (memory): call where Lua errors are caught.
void push_json(lua_State* L, const json& value);
// Pushes a new empty table marked as an array or an object.
void push_array(lua_State* L, int size_hint = 0);
void push_object(lua_State* L, int size_hint = 0);
void push_null(lua_State* L);
void push_binary(lua_State* L, std::string_view bytes);

// The JSON form of the value at `index`. Throws conversion_error; allocates nothing in
// Lua, so it is safe outside a protected call.
json to_json(lua_State* L, int index);
// The values from `first` to the top as a JSON array (an event's or an ack's args).
json args_to_json(lua_State* L, int first);

// Pushes the registry table of recorded key orders (object table -> {key, ...}).
void push_key_orders(lua_State* L);

bool is_null(lua_State* L, int index);
bool is_binary(lua_State* L, int index);

// Sets the mark on the table at `index` (nothing else changes).
void mark_array(lua_State* L, int index);
void mark_object(lua_State* L, int index);

}  // namespace switchboard::plugins::lua
