// switchboard.json: encode and decode, keeping the key order of objects.
//
// Tables have no order, so the order lives beside them: decode records each object's
// keys, in a table weakly keyed by the object, and encode writes the recorded keys
// first (those still present), then the others sorted. json.order(t, keys) sets an
// order for a table a script builds; json.keys(t) lists the keys in that order.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include "api.hpp"
#include "values.hpp"

namespace switchboard::plugins::lua {

namespace {

using ordered_json = nlohmann::ordered_json;

const char order_key = 0;   // registry: object table -> {key, key, ...} (weak keys)
constexpr int max_depth = 200;

void push_order_table(lua_State* L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &order_key) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &order_key);
}

void push_decoded(lua_State* L, const ordered_json& value, int depth) {
    if (depth > max_depth) luaL_error(L, "JSON nested deeper than %d levels", max_depth);
    luaL_checkstack(L, 6, "JSON nested too deep");
    switch (value.type()) {
        case ordered_json::value_t::object: {
            push_object(L, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 16)));
            const int object = lua_gettop(L);
            lua_createtable(L, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 16)), 0);
            const int keys = lua_gettop(L);
            lua_Integer n = 0;
            for (const auto& [key, item] : value.items()) {
                lua_pushlstring(L, key.data(), key.size());
                lua_pushvalue(L, -1);
                lua_rawseti(L, keys, ++n);
                push_decoded(L, item, depth + 1);
                lua_rawset(L, object);
            }
            push_order_table(L);
            lua_pushvalue(L, object);
            lua_pushvalue(L, keys);
            lua_rawset(L, -3);
            lua_settop(L, object);
            return;
        }
        case ordered_json::value_t::array: {
            push_array(L, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 16)));
            lua_Integer i = 0;
            for (const auto& item : value) {
                push_decoded(L, item, depth + 1);
                lua_rawseti(L, -2, ++i);
            }
            return;
        }
        case ordered_json::value_t::null: push_null(L); return;
        case ordered_json::value_t::boolean: lua_pushboolean(L, value.get<bool>()); return;
        case ordered_json::value_t::number_integer: lua_pushinteger(L, value.get<std::int64_t>()); return;
        case ordered_json::value_t::number_unsigned: {
            const auto n = value.get<std::uint64_t>();
            if (n <= static_cast<std::uint64_t>(LUA_MAXINTEGER)) lua_pushinteger(L, static_cast<lua_Integer>(n));
            else lua_pushnumber(L, static_cast<lua_Number>(n));
            return;
        }
        case ordered_json::value_t::number_float: lua_pushnumber(L, value.get<double>()); return;
        case ordered_json::value_t::string: {
            const auto& text = value.get_ref<const std::string&>();
            lua_pushlstring(L, text.data(), text.size());
            return;
        }
        default: push_json(L, json(value)); return;
    }
}

// Pushes t[key] for a key as to_json wrote it (integer keys became text).
void push_field(lua_State* L, int table, const std::string& key) {
    lua_pushlstring(L, key.data(), key.size());
    lua_rawget(L, table);
    if (!lua_isnil(L, -1)) return;
    lua_pop(L, 1);
    char* end = nullptr;
    const long long n = std::strtoll(key.c_str(), &end, 10);
    if (!key.empty() && end && *end == '\0') lua_rawgeti(L, table, n);
    else lua_pushnil(L);
}

// `converted` is to_json's reading of the table at `index` (which checked every value);
// this puts its objects' keys in the recorded order.
ordered_json reorder(lua_State* L, int index, const json& converted) {
    index = lua_absindex(L, index);
    if (!lua_istable(L, index) || !(converted.is_object() || converted.is_array())) return ordered_json(converted);
    luaL_checkstack(L, 6, "JSON nested too deep");
    if (converted.is_array()) {
        ordered_json out = ordered_json::array();
        lua_Integer i = 0;
        for (const auto& item : converted) {
            lua_rawgeti(L, index, ++i);
            out.push_back(reorder(L, -1, item));
            lua_pop(L, 1);
        }
        return out;
    }
    ordered_json out = ordered_json::object();
    std::unordered_set<std::string> written;
    push_order_table(L);
    lua_pushvalue(L, index);
    lua_rawget(L, -2);
    if (lua_istable(L, -1)) {
        const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, -1));
        for (lua_Integer i = 1; i <= n; ++i) {
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) == LUA_TSTRING) {
                const std::string key = lua_tostring(L, -1);
                const auto found = converted.find(key);
                if (found != converted.end() && written.insert(key).second) {
                    push_field(L, index, key);
                    out[key] = reorder(L, -1, *found);
                    lua_pop(L, 1);
                }
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 2);
    for (const auto& [key, item] : converted.items()) {
        if (written.count(key)) continue;
        push_field(L, index, key);
        out[key] = reorder(L, -1, item);
        lua_pop(L, 1);
    }
    return out;
}

int json_encode(lua_State* L) {
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    const std::string text = reorder(L, 1, to_json(L, 1)).dump(-1, ' ', false, json::error_handler_t::replace);
    lua_pushlstring(L, text.data(), text.size());
    return 1;
}

int json_decode(lua_State* L) {
    std::size_t size = 0;
    const char* text = luaL_checklstring(L, 1, &size);
    ordered_json value;
    std::string problem;
    try {
        value = ordered_json::parse(std::string_view(text, size));
    } catch (const ordered_json::parse_error& e) {
        problem = e.what();
    }
    if (!problem.empty()) {
        lua_pushnil(L);
        lua_pushstring(L, problem.c_str());
        return 2;
    }
    push_decoded(L, value, 0);
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
    const ordered_json ordered = reorder(L, 1, converted);
    lua_Integer i = 0;
    for (const auto& [key, item] : ordered.items()) {
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
    push_order_table(L);
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
