// string.find, string.match, string.gmatch and string.gsub on pattern_matcher: the
// same behaviour as Lua's (5.4), with every matching step charged to the run's
// instruction budget. Results are built in Lua buffers, so the memory limit covers
// them too.
#include "bounded_strings.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "pattern.hpp"

namespace switchboard::plugins::lua {

namespace {

constexpr std::string_view specials = "^$*+?.([%-";

// Lua's rule for a start position: negative counts from the end, 0 is 1.
std::size_t start_position(lua_Integer position, std::size_t length) {
    if (position > 0) return static_cast<std::size_t>(position);
    if (position == 0) return 1;
    if (position < -static_cast<lua_Integer>(length)) return 1;
    return length + static_cast<std::size_t>(position) + 1;
}

std::string_view string_arg(lua_State* L, int index) {
    std::size_t size = 0;
    const char* data = luaL_checklstring(L, index, &size);
    return {data, size};
}

// Every function here has the charge function as its first upvalue.
pattern_matcher make_matcher(lua_State* L, std::string_view subject, std::string_view pattern, bool anchor_allowed) {
    const auto charge = reinterpret_cast<charge_function>(lua_touserdata(L, lua_upvalueindex(1)));
    return pattern_matcher(
        subject, pattern, anchor_allowed, [L, charge](std::int64_t steps) { charge(L, steps); },
        [L](const std::string& message) { luaL_error(L, "%s", message.c_str()); });
}

// Pushes capture `i` (the whole match [s, e) when the pattern has none).
void push_capture(lua_State* L, const pattern_matcher& m, int i, std::string_view subject, std::size_t s,
                  std::size_t e) {
    if (i >= m.capture_count()) {
        if (i != 0) luaL_error(L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(L, subject.data() + s, e - s);
        return;
    }
    const auto& c = m.capture_at(i);
    if (c.length == pattern_matcher::position_capture) {
        lua_pushinteger(L, static_cast<lua_Integer>(c.start) + 1);
    } else if (c.length < 0) {
        luaL_error(L, "unfinished capture");
    } else {
        lua_pushlstring(L, subject.data() + c.start, static_cast<std::size_t>(c.length));
    }
}

// Pushes every capture; with `whole`, the whole match when there are none.
int push_captures(lua_State* L, const pattern_matcher& m, std::string_view subject, std::size_t s, std::size_t e,
                  bool whole) {
    const int count = (m.capture_count() == 0 && whole) ? 1 : m.capture_count();
    luaL_checkstack(L, count, "too many captures");
    for (int i = 0; i < count; ++i) push_capture(L, m, i, subject, s, e);
    return count;
}

int find_or_match(lua_State* L, bool find) {
    const std::string_view subject = string_arg(L, 1);
    const std::string_view pattern = string_arg(L, 2);
    const std::size_t init = start_position(luaL_optinteger(L, 3, 1), subject.size()) - 1;
    if (init > subject.size()) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || pattern.find_first_of(specials) == std::string_view::npos)) {
        const std::size_t at = subject.find(pattern, init);
        if (at == std::string_view::npos) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, static_cast<lua_Integer>(at) + 1);
        lua_pushinteger(L, static_cast<lua_Integer>(at + pattern.size()));
        return 2;
    }
    auto m = make_matcher(L, subject, pattern, true);
    std::size_t s = init;
    do {
        const std::size_t e = m.match_at(s);
        if (e != std::string_view::npos) {
            m.settle();
            if (!find) return push_captures(L, m, subject, s, e, true);
            lua_pushinteger(L, static_cast<lua_Integer>(s) + 1);
            lua_pushinteger(L, static_cast<lua_Integer>(e));
            return push_captures(L, m, subject, s, e, false) + 2;
        }
    } while (s++ < subject.size() && !m.anchored());
    m.settle();
    luaL_pushfail(L);
    return 1;
}

int bounded_find(lua_State* L) { return find_or_match(L, true); }
int bounded_match(lua_State* L) { return find_or_match(L, false); }

// gmatch's iterator: upvalues are the charge function, the subject, the pattern and
// the position state.
struct gmatch_state {
    std::size_t next = 0;
    std::size_t last_match = std::string_view::npos;
};

int gmatch_step(lua_State* L) {
    std::size_t size = 0;
    const char* data = lua_tolstring(L, lua_upvalueindex(2), &size);
    const std::string_view subject(data, size);
    data = lua_tolstring(L, lua_upvalueindex(3), &size);
    const std::string_view pattern(data, size);
    auto* state = static_cast<gmatch_state*>(lua_touserdata(L, lua_upvalueindex(4)));
    auto m = make_matcher(L, subject, pattern, false);
    for (std::size_t s = state->next; s <= subject.size(); ++s) {
        const std::size_t e = m.match_at(s);
        if (e != std::string_view::npos && e != state->last_match) {
            m.settle();
            state->next = state->last_match = e;
            return push_captures(L, m, subject, s, e, true);
        }
    }
    m.settle();
    state->next = subject.size() + 1;
    return 0;
}

int bounded_gmatch(lua_State* L) {
    const std::string_view subject = string_arg(L, 1);
    string_arg(L, 2);
    std::size_t init = start_position(luaL_optinteger(L, 3, 1), subject.size()) - 1;
    if (init > subject.size()) init = subject.size() + 1;
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    auto* state = static_cast<gmatch_state*>(lua_newuserdatauv(L, sizeof(gmatch_state), 0));
    *state = gmatch_state{init, std::string_view::npos};
    lua_pushcclosure(L, &gmatch_step, 4);
    return 1;
}

// Adds the replacement string at index 3, with %0-%9 and %% expanded.
void add_replacement_string(lua_State* L, luaL_Buffer& b, const pattern_matcher& m, std::string_view subject,
                            std::size_t s, std::size_t e) {
    std::size_t size = 0;
    const char* data = lua_tolstring(L, 3, &size);
    const std::string_view text(data, size);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            luaL_addchar(&b, text[i]);
            continue;
        }
        ++i;
        const char c = i < text.size() ? text[i] : '\0';
        if (c == '%') {
            luaL_addchar(&b, '%');
        } else if (c == '0') {
            luaL_addlstring(&b, subject.data() + s, e - s);
        } else if (c >= '1' && c <= '9') {
            push_capture(L, m, c - '1', subject, s, e);
            luaL_tolstring(L, -1, nullptr);   // a position capture is a number
            lua_remove(L, -2);
            luaL_addvalue(&b);
        } else {
            luaL_error(L, "invalid use of '%%' in replacement string");
        }
    }
}

// Adds the replacement of the match [s, e). False when the original text was kept.
bool add_replacement(lua_State* L, luaL_Buffer& b, const pattern_matcher& m, std::string_view subject, std::size_t s,
                     std::size_t e, int kind) {
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        const int n = push_captures(L, m, subject, s, e, true);
        lua_call(L, n, 1);
    } else if (kind == LUA_TTABLE) {
        push_capture(L, m, 0, subject, s, e);
        lua_gettable(L, 3);
    } else {
        add_replacement_string(L, b, m, subject, s, e);
        return true;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(&b, subject.data() + s, e - s);
        return false;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1)) != 0;
    luaL_addvalue(&b);
    return true;
}

int bounded_gsub(lua_State* L) {
    const std::string_view subject = string_arg(L, 1);
    const std::string_view pattern = string_arg(L, 2);
    const int kind = lua_type(L, 3);
    const lua_Integer max_replacements = luaL_optinteger(L, 4, static_cast<lua_Integer>(subject.size()) + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                     "string/function/table");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    auto m = make_matcher(L, subject, pattern, true);
    std::size_t s = 0;
    std::size_t last_match = std::string_view::npos;
    lua_Integer replaced = 0;
    bool changed = false;
    while (replaced < max_replacements) {
        const std::size_t e = m.match_at(s);
        if (e != std::string_view::npos && e != last_match) {
            ++replaced;
            changed = add_replacement(L, b, m, subject, s, e, kind) || changed;
            s = last_match = e;
        } else if (s < subject.size()) {
            luaL_addchar(&b, subject[s++]);
        } else {
            break;
        }
        if (m.anchored()) break;
    }
    m.settle();
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, subject.data() + s, subject.size() - s);
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, replaced);
    return 2;
}

}  // namespace

void open_bounded_strings(lua_State* L, charge_function charge) {
    lua_getglobal(L, "string");
    const std::pair<const char*, lua_CFunction> functions[] = {
        {"find", &bounded_find}, {"match", &bounded_match}, {"gmatch", &bounded_gmatch}, {"gsub", &bounded_gsub}};
    for (const auto& [name, fn] : functions) {
        lua_pushlightuserdata(L, reinterpret_cast<void*>(charge));
        lua_pushcclosure(L, fn, 1);
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
}

}  // namespace switchboard::plugins::lua
