// The bounded pattern functions against Lua's own: the same results and the same
// errors on a corpus of patterns, and a pathological pattern stopped by its budget.
#include "bounded_strings.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace switchboard::plugins::lua {
namespace {

std::int64_t steps_left = 0;

void charge_test_budget(lua_State* L, std::int64_t steps) {
    steps_left -= steps;
    if (steps_left <= 0) luaL_error(L, "instruction limit reached");
}

// Runs `expression` and renders every result (or the error) as one line of text.
const char* const render = R"(
local function show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = type(v) .. ":" .. tostring(v)
  end
  return table.concat(out, " | ")
end
local chunk = assert(load("return " .. ...))
return show(pcall(chunk))
)";

std::string evaluate(lua_State* L, const std::string& expression) {
    if (luaL_loadstring(L, render) != LUA_OK) return lua_tostring(L, -1);
    lua_pushstring(L, expression.c_str());
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        std::string error = lua_tostring(L, -1);
        lua_pop(L, 1);
        return "failed: " + error;
    }
    std::string text = lua_tostring(L, -1);
    lua_pop(L, 1);
    return text;
}

class pattern_test : public ::testing::Test {
protected:
    void SetUp() override {
        stock = luaL_newstate();
        luaL_openlibs(stock);
        bounded = luaL_newstate();
        luaL_openlibs(bounded);
        open_bounded_strings(bounded, &charge_test_budget);
        steps_left = 1'000'000;
    }
    void TearDown() override {
        lua_close(stock);
        lua_close(bounded);
    }
    lua_State* stock = nullptr;
    lua_State* bounded = nullptr;
};

TEST_F(pattern_test, same_results_as_lua) {
    const char* const cases[] = {
        // find: plain, init, captures, anchors
        R"~(("hello world"):find("o w"))~",
        R"~(("hello world"):find("o", 6))~",
        R"~(("hello world"):find("o", -3))~",
        R"~(("hello world"):find("l+"))~",
        R"~(("hello world"):find("(l+)(o)"))~",
        R"~(("hello"):find("", 10))~",
        R"~(("hello"):find("", 6))~",
        R"~(("a.b"):find(".", 1, true))~",
        R"~(("a+b"):find("+", 1, true))~",
        R"~(("hello"):find("^h"))~",
        R"~(("hello"):find("^e"))~",
        R"~(("hello"):find("o$"))~",
        R"~(("hel$lo"):find("l$l"))~",
        R"~(("x^y"):find("x^"))~",
        R"~(("hello"):find("()ll()"))~",
        // classes and sets
        R"~(("Abc 123 _x!"):match("%a+"))~",
        R"~(("Abc 123 _x!"):match("%d+"))~",
        R"~(("Abc 123 _x!"):match("%s(%S+)"))~",
        R"~(("Abc 123 _x!"):match("%p"))~",
        R"~(("Abc 123 _x!"):match("%u%l*"))~",
        R"~(("Abc 123 _x!"):match("%w+%W+%w+"))~",
        R"~(("0x1F"):match("0x(%x+)"))~",
        R"~(("a]b"):match("[]]"))~",
        R"~(("a-b"):match("[a%-]+"))~",
        R"~(("abc-def"):match("[^-]+$"))~",
        R"~(("key = value"):match("^(%w+)%s*=%s*(.-)%s*$"))~",
        R"~(("  trim me  "):match("^%s*(.-)%s*$"))~",
        R"~(("2024-05-06"):match("(%d+)-(%d+)-(%d+)"))~",
        R"~(("[[x]]"):match("%[(.*)%]"))~",
        R"~(("a.b.c"):match("^(.-)%."))~",
        R"~(("a.b.c"):match("^(.*)%."))~",
        R"~(("aaa"):match("a-b"))~",
        R"~(("aaab"):match("a-b"))~",
        R"~(("ab"):match("a?b"))~",
        R"~(("b"):match("a?b"))~",
        R"~(("abc"):match("()b()"))~",
        R"~(("f(a(b)c)d"):match("%b()"))~",
        R"~(("THE (quick) fox"):find("%f[%a]%a+%f[%A]"))~",
        R"~(("hello hello"):match("(h%a+) %1"))~",
        R"~(("x = 'a' y"):match("(['\"])(.-)%1"))~",
        R"~(("\0a\0"):find("%z"))~",
        R"~(("tab\there"):match("%c"))~",
        R"~(("abc"):match("[%a%d]+"))~",
        R"~(("abc"):match("[a-"))~",
        R"~(("abc"):match("%"))~",
        R"~(("abc"):match("(a"))~",
        R"~(("abc"):match("a)"))~",
        R"~(("abc"):match("%1"))~",
        R"~(("abc"):match("%f"))~",
        R"~(("abc"):match("%b"))~",
        R"~(("abc"):match("[^]"))~",
        // gmatch
        R"~((function() local t = {} for w in ("one two  three"):gmatch("%a+") do t[#t+1] = w end return table.concat(t, ",") end)())~",
        R"~((function() local t = {} for k, v in ("a=1, b=2"):gmatch("(%w+)=(%w+)") do t[#t+1] = k .. v end return table.concat(t, ",") end)())~",
        R"~((function() local t = {} for w in ("abc"):gmatch("") do t[#t+1] = "[" .. w .. "]" end return table.concat(t) end)())~",
        R"~((function() local t = {} for w in ("abc"):gmatch("x*") do t[#t+1] = "[" .. w .. "]" end return table.concat(t) end)())~",
        R"~((function() local t = {} for w in ("^a^b"):gmatch("^%a") do t[#t+1] = w end return table.concat(t, ",") end)())~",
        R"~((function() local t = {} for w in ("hello world"):gmatch("%a+", 3) do t[#t+1] = w end return table.concat(t, ",") end)())~",
        R"~((function() local t = {} for p in ("abc"):gmatch("()") do t[#t+1] = p end return table.concat(t, ",") end)())~",
        // gsub
        R"~(("hello world"):gsub("o", "0"))~",
        R"~(("hello world"):gsub("o", "0", 1))~",
        R"~(("hello world"):gsub("(%w+)", "<%1>"))~",
        R"~(("hello world"):gsub("%w+", "%0 %0"))~",
        R"~(("hello"):gsub("", "-"))~",
        R"~(("abc"):gsub("%w", "%%"))~",
        R"~(("abc"):gsub("%w", "%2"))~",
        R"~(("abc"):gsub("%w", "%x"))~",
        R"~(("abc"):gsub("()", "%1"))~",
        R"~(("$name is $age"):gsub("%$(%w+)", {name = "ann", age = 7}))~",
        R"~(("$name is $x"):gsub("%$(%w+)", {name = "ann"}))~",
        R"~(("a b c"):gsub("%a", function(c) return c:upper() end))~",
        R"~(("a b c"):gsub("%a", function(c) if c == "b" then return false end return 1 end))~",
        R"~(("a b c"):gsub("%a", function(c) return {} end))~",
        R"~(("abc"):gsub("^a", "x"))~",
        R"~(("aaa"):gsub("^a", "x"))~",
        R"~(("abc"):gsub("b*", "-"))~",
        R"~(("abc"):gsub("x", 1))~",
        R"~(("abc"):gsub("b", 1))~",
        R"~(("abc"):gsub("b", true))~",
        R"~(("hello world from lua"):gsub("(%w+) (%w+)", "%2 %1"))~",
        // non-string arguments are converted as by Lua
        R"~(string.find(12345, 34))~",
        R"~(string.match(3.5, "%d"))~",
        R"~(string.find("abc", {}))~",
    };
    for (const char* expression : cases) {
        EXPECT_EQ(evaluate(bounded, expression), evaluate(stock, expression)) << expression;
    }
}

TEST_F(pattern_test, a_pathological_pattern_is_stopped_by_its_budget) {
    const auto start = std::chrono::steady_clock::now();
    const std::string result = evaluate(bounded, R"~(string.find(("a"):rep(1000), ".-.-.-b"))~");
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_NE(result.find("instruction limit reached"), std::string::npos) << result;
    EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(pattern_test, deep_recursion_is_too_complex_not_a_crash) {
    const std::string pattern = std::string(300, '(') + "a" + std::string(300, ')');
    const std::string result = evaluate(bounded, "string.match(('a'):rep(400), ('a?'):rep(400) .. 'b')");
    EXPECT_NE(result.find("pattern too complex"), std::string::npos) << result;
    EXPECT_NE(evaluate(bounded, "string.match('a', '" + pattern + "')").find("too many captures"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::plugins::lua
