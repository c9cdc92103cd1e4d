// JSON <-> Lua values: what a handler receives and what its ack sends.
#include "values.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::lua {
namespace {

class values_test : public ::testing::Test {
protected:
    void SetUp() override {
        L = luaL_newstate();
        luaL_openlibs(L);
        open_values(L);
    }
    void TearDown() override { lua_close(L); }

    // Pushes `value`, then reads it back.
    json round_trip(const json& value) {
        push_json(L, value);
        json back = to_json(L, -1);
        lua_pop(L, 1);
        return back;
    }

    // Runs `source` (a chunk returning one value) and converts its result.
    json from_lua(const char* source) {
        EXPECT_EQ(luaL_dostring(L, source), LUA_OK) << lua_tostring(L, -1);
        json out = to_json(L, -1);
        lua_pop(L, 1);
        return out;
    }

    lua_State* L = nullptr;
};

TEST_F(values_test, scalars_keep_their_type) {
    for (const auto& value : {json(nullptr), json(true), json(false), json(42), json(-7), json(1.5), json("text"),
                              json("with\0nul"), json(std::int64_t{9007199254740991})}) {
        const json back = round_trip(value);
        EXPECT_EQ(back, value) << value.dump();
        EXPECT_EQ(back.type(), value.type()) << value.dump();
    }
}

TEST_F(values_test, empty_arrays_and_objects_stay_apart) {
    EXPECT_EQ(round_trip(json::array()).dump(), "[]");
    EXPECT_EQ(round_trip(json::object()).dump(), "{}");
    EXPECT_EQ(round_trip(json::parse(R"({"a":[],"b":{},"c":[{}]})")).dump(), R"({"a":[],"b":{},"c":[{}]})");
}

TEST_F(values_test, nulls_inside_arrays_are_kept) {
    EXPECT_EQ(round_trip(json::parse("[1,null,3,null]")).dump(), "[1,null,3,null]");
}

TEST_F(values_test, binary_values_survive_both_ways) {
    const json bytes = json::binary({0, 1, 2, 255});
    const json back = round_trip(json::array({bytes, json{{"nested", bytes}}}));
    ASSERT_TRUE(back[0].is_binary());
    EXPECT_EQ(back[0].get_binary(), bytes.get_binary());
    EXPECT_TRUE(back[1]["nested"].is_binary());
}

TEST_F(values_test, a_script_sees_null_and_binary_as_it_can_test_them) {
    push_json(L, json::array({nullptr, json::binary({9, 9})}));
    lua_setglobal(L, "v");
    push_null(L);
    lua_setglobal(L, "null");
    lua_register(L, "is_binary", [](lua_State* s) {
        lua_pushboolean(s, is_binary(s, 1));
        return 1;
    });
    EXPECT_EQ(from_lua("return {v[1] == null, is_binary(v[2]), #v[2], v[2].data}"),
              json::parse(R"([true, true, 2, "\t\t"])"));
}

TEST_F(values_test, unmarked_tables_are_arrays_only_with_keys_one_to_n) {
    EXPECT_EQ(from_lua("return {1, 2, 3}").dump(), "[1,2,3]");
    EXPECT_EQ(from_lua("return {}").dump(), "{}");
    EXPECT_EQ(from_lua("return {a = 1}").dump(), R"({"a":1})");
    EXPECT_EQ(from_lua("return {[1] = 'x', [3] = 'z'}").dump(), R"({"1":"x","3":"z"})");
    EXPECT_EQ(from_lua("return {1, 2, n = 2}").dump(), R"({"1":1,"2":2,"n":2})");
}

TEST_F(values_test, floats_stay_floats_and_nan_becomes_null) {
    EXPECT_TRUE(from_lua("return 2.0").is_number_float());
    EXPECT_TRUE(from_lua("return 0/0").is_null());
    EXPECT_TRUE(from_lua("return math.huge").is_null());
}

TEST_F(values_test, what_has_no_json_form_is_refused_with_its_type) {
    lua_settop(L, 0);
    for (const char* source : {"return function() end", "return {f = print}", "return coroutine.create(print)",
                               "return {[{}] = 1}"}) {
        ASSERT_EQ(luaL_dostring(L, source), LUA_OK);
        EXPECT_THROW(to_json(L, -1), conversion_error) << source;
        EXPECT_EQ(lua_gettop(L), 1) << "the stack is left as it was: " << source;
        lua_settop(L, 0);
    }
}

TEST_F(values_test, a_cycle_is_refused_not_followed_forever) {
    ASSERT_EQ(luaL_dostring(L, "local t = {} t.self = t return t"), LUA_OK);
    EXPECT_THROW(to_json(L, -1), conversion_error);
}

TEST_F(values_test, json_nested_too_deep_raises_a_lua_error) {
    json deep = json::array();
    for (int i = 0; i < 300; ++i) deep = json::array({deep});
    lua_pushcfunction(L, [](lua_State* s) {
        push_json(s, *static_cast<const json*>(lua_touserdata(s, 1)));
        return 1;
    });
    lua_pushlightuserdata(L, &deep);
    ASSERT_NE(lua_pcall(L, 1, 1, 0), LUA_OK);
    EXPECT_NE(std::string(lua_tostring(L, -1)).find("nested deeper than"), std::string::npos);
}

TEST_F(values_test, args_to_json_takes_every_value_from_an_index) {
    lua_settop(L, 0);
    lua_pushinteger(L, 1);
    lua_pushstring(L, "a");
    push_null(L);
    EXPECT_EQ(args_to_json(L, 2).dump(), R"(["a",null])");
    EXPECT_EQ(args_to_json(L, 4).dump(), "[]");
}

}  // namespace
}  // namespace switchboard::plugins::lua
