#include "values.hpp"

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <limits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace switchboard::plugins::lua {

namespace {

// Registry keys: addresses, so finding a mark allocates nothing.
const char array_mark = 0;
const char object_mark = 0;
const char binary_mark = 0;
const char null_value = 0;
const char data_key = 0;   // the string "data", kept so reading a binary value allocates nothing
const char key_orders = 0;   // object table -> {key, key, ...}, weak keys

// Deeper than this is a cycle or an abuse; socket.io-parser has no limit, but a Lua
// stack does.
constexpr int max_depth = 200;

bool has_mark(lua_State* L, int index, const char* mark) {
    if (!lua_getmetatable(L, index)) return false;
    lua_rawgetp(L, LUA_REGISTRYINDEX, mark);
    const bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

void set_mark(lua_State* L, int index, const char* mark) {
    index = lua_absindex(L, index);
    lua_rawgetp(L, LUA_REGISTRYINDEX, mark);
    lua_setmetatable(L, index);
}

void new_mark(lua_State* L, const char* mark, const char* name) {
    lua_createtable(L, 0, 2);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, mark);
}

int binary_length(lua_State* L) {
    lua_getfield(L, 1, "data");
    lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, -1)));
    return 1;
}

int binary_tostring(lua_State* L) {
    lua_getfield(L, 1, "data");
    lua_pushfstring(L, "binary: %I bytes", static_cast<lua_Integer>(lua_rawlen(L, -1)));
    return 1;
}

void push_value(lua_State* L, const json& value, int depth) {
    if (depth > max_depth) luaL_error(L, "JSON nested deeper than %d levels", max_depth);
    luaL_checkstack(L, 3, "JSON nested too deeply");
    switch (value.type()) {
        case json::value_t::null:
        case json::value_t::discarded:
            push_null(L);
            return;
        case json::value_t::boolean:
            lua_pushboolean(L, value.get<bool>());
            return;
        case json::value_t::number_integer:
            lua_pushinteger(L, static_cast<lua_Integer>(value.get<std::int64_t>()));
            return;
        case json::value_t::number_unsigned: {
            const auto n = value.get<std::uint64_t>();
            if (n <= static_cast<std::uint64_t>(std::numeric_limits<lua_Integer>::max()))
                lua_pushinteger(L, static_cast<lua_Integer>(n));
            else
                lua_pushnumber(L, static_cast<lua_Number>(n));
            return;
        }
        case json::value_t::number_float:
            lua_pushnumber(L, value.get<double>());
            return;
        case json::value_t::string: {
            const auto& s = value.get_ref<const std::string&>();
            lua_pushlstring(L, s.data(), s.size());
            return;
        }
        case json::value_t::binary: {
            const auto& bytes = value.get_binary();
            push_binary(L, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
            return;
        }
        case json::value_t::array: {
            push_array(L, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 16)));
            lua_Integer i = 0;
            for (const auto& item : value) {
                push_value(L, item, depth + 1);
                lua_rawseti(L, -2, ++i);
            }
            return;
        }
        case json::value_t::object: {
            luaL_checkstack(L, 6, "JSON nested too deeply");
            const int hint = static_cast<int>(std::min<std::size_t>(value.size(), 1 << 16));
            push_object(L, hint);
            const int object = lua_gettop(L);
            lua_createtable(L, hint, 0);
            const int keys = lua_gettop(L);
            lua_Integer n = 0;
            for (const auto& [key, item] : value.items()) {
                lua_pushlstring(L, key.data(), key.size());
                lua_pushvalue(L, -1);
                lua_rawseti(L, keys, ++n);
                push_value(L, item, depth + 1);
                lua_rawset(L, object);
            }
            push_key_orders(L);
            lua_pushvalue(L, object);
            lua_pushvalue(L, keys);
            lua_rawset(L, -3);
            lua_settop(L, object);
            return;
        }
    }
    push_null(L);
}

std::string type_name(lua_State* L, int index) { return lua_typename(L, lua_type(L, index)); }

json table_to_json(lua_State* L, int index, int depth);

json value_to_json(lua_State* L, int index, int depth) {
    index = lua_absindex(L, index);
    switch (lua_type(L, index)) {
        case LUA_TNIL:
            return nullptr;
        case LUA_TBOOLEAN:
            return lua_toboolean(L, index) != 0;
        case LUA_TNUMBER:
            if (lua_isinteger(L, index)) return static_cast<std::int64_t>(lua_tointeger(L, index));
            {
                const double n = lua_tonumber(L, index);
                if (!std::isfinite(n)) return nullptr;   // JSON has no NaN or infinity
                return n;
            }
        case LUA_TSTRING: {
            std::size_t size = 0;
            const char* data = lua_tolstring(L, index, &size);
            return std::string(data, size);
        }
        case LUA_TLIGHTUSERDATA:
            if (is_null(L, index)) return nullptr;
            break;
        case LUA_TTABLE:
            return table_to_json(L, index, depth);
        default:
            break;
    }
    throw conversion_error("a " + type_name(L, index) + " has no JSON form");
}

// The object of `members` (the table at `index`): its recorded keys first, in their
// order, then the others sorted. Reads the registry only: allocates nothing in Lua.
json ordered_object(lua_State* L, int index, std::vector<std::pair<std::string, json>> members) {
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json out = json::object();
    auto& object = out.get_ref<json::object_t&>();
    object.reserve(members.size());
    std::vector<bool> written(members.size(), false);
    // An integer key and a string key may both write "1": the first one wins.
    std::unordered_set<std::string_view> keys;
    const auto add = [&](std::size_t i) {
        if (written[i] || !keys.insert(members[i].first).second) return;
        written[i] = true;
        object.json::object_t::Container::emplace_back(members[i].first, std::move(members[i].second));
    };
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_orders) == LUA_TTABLE) {
        lua_pushvalue(L, index);
        if (lua_rawget(L, -2) == LUA_TTABLE) {
            const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
            for (lua_Integer k = 1; k <= n; ++k) {
                if (lua_rawgeti(L, -1, k) == LUA_TSTRING) {
                    std::size_t size = 0;
                    const char* data = lua_tolstring(L, -1, &size);
                    const std::string_view name(data, size);
                    const auto found = std::lower_bound(members.begin(), members.end(), name,
                                                        [](const auto& m, std::string_view n) { return m.first < n; });
                    if (found != members.end() && found->first == name)
                        add(static_cast<std::size_t>(found - members.begin()));
                }
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    for (std::size_t i = 0; i < members.size(); ++i) add(i);
    return out;
}

json table_to_json(lua_State* L, int index, int depth) {
    if (depth > max_depth) throw conversion_error("a table nested deeper than 200 levels (a cycle?)");
    if (!lua_checkstack(L, 4)) throw conversion_error("no Lua stack left for a nested table");
    if (has_mark(L, index, &binary_mark)) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &data_key);
        lua_rawget(L, index);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 1);
            throw conversion_error("a binary value whose data is not a string");
        }
        std::size_t size = 0;
        const char* data = lua_tolstring(L, -1, &size);
        json out = json::binary(std::vector<std::uint8_t>(data, data + (data ? size : 0)));
        lua_pop(L, 1);
        return out;
    }
    const bool marked_array = has_mark(L, index, &array_mark);
    const bool marked_object = !marked_array && has_mark(L, index, &object_mark);
    const auto length = static_cast<lua_Integer>(lua_rawlen(L, index));

    bool as_array = marked_array;
    if (!marked_array && !marked_object && length > 0) {
        // 1..n and nothing else: count the keys.
        lua_Integer keys = 0;
        lua_pushnil(L);
        while (lua_next(L, index)) {
            lua_pop(L, 1);
            ++keys;
        }
        as_array = keys == length;
    }
    if (as_array) {
        json out = json::array();
        for (lua_Integer i = 1; i <= length; ++i) {
            lua_rawgeti(L, index, i);
            out.push_back(value_to_json(L, -1, depth + 1));
            lua_pop(L, 1);
        }
        return out;
    }
    // Every member, then the recorded keys first in their order, the others sorted.
    std::vector<std::pair<std::string, json>> members;
    lua_pushnil(L);
    while (lua_next(L, index)) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
            std::size_t size = 0;
            const char* data = lua_tolstring(L, -2, &size);
            key.assign(data, size);
        } else if (lua_isinteger(L, -2)) {
            key = std::to_string(lua_tointeger(L, -2));
        } else if (lua_type(L, -2) == LUA_TNUMBER) {
            key = json(lua_tonumber(L, -2)).dump();
        } else {
            const std::string what = type_name(L, -2);
            lua_pop(L, 2);
            throw conversion_error("a table key of type " + what + " has no JSON form");
        }
        try {
            members.emplace_back(std::move(key), value_to_json(L, -1, depth + 1));
        } catch (...) {
            lua_pop(L, 2);
            throw;
        }
        lua_pop(L, 1);
    }
    return ordered_object(L, index, std::move(members));
}

}  // namespace

void open_values(lua_State* L) {
    lua_pushliteral(L, "data");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &data_key);
    new_mark(L, &array_mark, "switchboard.array");
    new_mark(L, &object_mark, "switchboard.object");
    lua_createtable(L, 0, 3);
    lua_pushstring(L, "switchboard.binary");
    lua_setfield(L, -2, "__name");
    lua_pushcfunction(L, &binary_length);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, &binary_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &binary_mark);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_orders);
}

void push_key_orders(lua_State* L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &key_orders); }

void push_json(lua_State* L, const json& value) { push_value(L, value, 0); }

void push_array(lua_State* L, int size_hint) {
    lua_createtable(L, size_hint, 0);
    set_mark(L, -1, &array_mark);
}

void push_object(lua_State* L, int size_hint) {
    lua_createtable(L, 0, size_hint);
    set_mark(L, -1, &object_mark);
}

void push_null(lua_State* L) { lua_pushlightuserdata(L, const_cast<char*>(&null_value)); }

void push_binary(lua_State* L, std::string_view bytes) {
    lua_createtable(L, 0, 1);
    lua_pushlstring(L, bytes.data(), bytes.size());
    lua_setfield(L, -2, "data");
    set_mark(L, -1, &binary_mark);
}

json to_json(lua_State* L, int index) {
    // A dangling exception must not leave values behind on the stack.
    const int top = lua_gettop(L);
    try {
        return value_to_json(L, index, 0);
    } catch (...) {
        lua_settop(L, top);
        throw;
    }
}

json args_to_json(lua_State* L, int first) {
    json out = json::array();
    const int top = lua_gettop(L);
    for (int i = first; i <= top; ++i) out.push_back(to_json(L, i));
    return out;
}

bool is_null(lua_State* L, int index) {
    return lua_type(L, index) == LUA_TLIGHTUSERDATA && lua_touserdata(L, index) == &null_value;
}

bool is_binary(lua_State* L, int index) {
    return lua_type(L, index) == LUA_TTABLE && has_mark(L, index, &binary_mark);
}

void mark_array(lua_State* L, int index) { set_mark(L, index, &array_mark); }
void mark_object(lua_State* L, int index) { set_mark(L, index, &object_mark); }

}  // namespace switchboard::plugins::lua
