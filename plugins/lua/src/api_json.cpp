// switchboard.json: encode and decode, keeping the key order of objects.
//
// Tables have no order, so the order lives beside them (see values.hpp): decode
// records each object's keys, and encode writes the recorded keys first (those still
// present), then the others sorted. json.order(t, keys) sets an order for a table a
// script builds; json.keys(t) lists the keys in that order.
#include <string>

#include "api.hpp"
#include "values.hpp"

namespace switchboard::plugins::lua {

namespace {

int json_encode(lua_State* L) {
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    const std::string text = to_json(L, 1).dump(-1, ' ', false, json::error_handler_t::replace);
    lua_pushlstring(L, text.data(), text.size());
    return 1;
}

int json_decode(lua_State* L) {
    std::size_t size = 0;
    const char* text = luaL_checklstring(L, 1, &size);
    json value;
    std::string problem;
    try {
        value = json::parse(std::string_view(text, size));
    } catch (const json::parse_error& e) {
        problem = e.what();
    }
    if (!problem.empty()) {
        lua_pushnil(L);
        lua_pushstring(L, problem.c_str());
        return 2;
    }
    push_json(L, value);
    return 1;
}

// keys(t): t's keys, the recorded ones first (in order), then the other string keys
// sorted.
int json_keys(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    const json converted = to_json(L, 1);
    lua_newtable(L);
    if (!converted.is_object()) return 1;
    lua_Integer i = 0;
    for (const auto& [key, item] : converted.items()) {
        lua_pushlstring(L, key.data(), key.size());
        lua_rawseti(L, 2, ++i);
    }
    return 1;
}

// order(t, {key, ...}): the order encode writes t's keys in. Returns t.
int json_order(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_newtable(L);
    const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 2));
    for (lua_Integer i = 1; i <= n; ++i) {
        if (lua_rawgeti(L, 2, i) != LUA_TSTRING) return luaL_argerror(L, 2, "a list of key names");
        lua_rawseti(L, 3, i);
    }
    push_key_orders(L);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);
    lua_rawset(L, -3);
    lua_settop(L, 1);
    return 1;
}

}  // namespace

void add_json(lua_State* L, int module) {
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, &guarded<json_encode>);
    lua_setfield(L, -2, "encode");
    lua_pushcfunction(L, &guarded<json_decode>);
    lua_setfield(L, -2, "decode");
    lua_pushcfunction(L, &guarded<json_keys>);
    lua_setfield(L, -2, "keys");
    lua_pushcfunction(L, &guarded<json_order>);
    lua_setfield(L, -2, "order");
    lua_setfield(L, module, "json");
}

}  // namespace switchboard::plugins::lua
