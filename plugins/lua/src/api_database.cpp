// switchboard.db: SQL with named parameters, rows back as tables, transactions.
// Blocking calls: refused in inline handlers (they would stall a network worker).
#include <string>

#include "api.hpp"
#include "runtime.hpp"
#include "values.hpp"
#include "vm.hpp"

namespace switchboard::plugins::lua {

namespace {

const char* const transaction_type = "switchboard.transaction";

struct transaction_handle {
    sdk::transaction* tx = nullptr;   // null once the transaction ended
};

void require_blocking_allowed(lua_State* L, const vm& owner, const char* what) {
    const auto& run = owner.current();
    if (owner.loading() || !run)
        luaL_error(L, "%s cannot run while the script loads (the top level runs once in every handler thread; "
                      "create tables with migrations)", what);
    if (run->is_inline)
        raise_error(L, "not_allowed_here",
                    std::string(what) + " is not allowed in an inline handler: it blocks the network worker");
}

json params_at(lua_State* L, int index) {
    if (lua_isnoneornil(L, index)) return json::object();
    luaL_checktype(L, index, LUA_TTABLE);
    json params = to_json(L, index);
    if (params.is_array() && params.empty()) return json::object();
    if (!params.is_object()) luaL_argerror(L, index, "a table of named parameters ({name = value})");
    return params;
}

int query(lua_State* L) {
    vm& owner = vm::of(L);
    require_blocking_allowed(L, owner, "switchboard.db.query");
    const std::string sql = luaL_checkstring(L, 1);
    push_json(L, owner.rt().plugin().query(sql, params_at(L, 2)));
    return 1;
}

int exec(lua_State* L) {
    vm& owner = vm::of(L);
    require_blocking_allowed(L, owner, "switchboard.db.exec");
    const std::string sql = luaL_checkstring(L, 1);
    lua_pushinteger(L, static_cast<lua_Integer>(owner.rt().plugin().exec(sql, params_at(L, 2))));
    return 1;
}

sdk::transaction& check_transaction(lua_State* L) {
    auto* handle = static_cast<transaction_handle*>(luaL_checkudata(L, 1, transaction_type));
    if (!handle->tx) luaL_error(L, "this transaction has ended");
    return *handle->tx;
}

int tx_query(lua_State* L) {
    auto& tx = check_transaction(L);
    const std::string sql = luaL_checkstring(L, 2);
    push_json(L, tx.query(sql, params_at(L, 3)));
    return 1;
}

int tx_exec(lua_State* L) {
    auto& tx = check_transaction(L);
    const std::string sql = luaL_checkstring(L, 2);
    lua_pushinteger(L, static_cast<lua_Integer>(tx.exec(sql, params_at(L, 3))));
    return 1;
}

// switchboard.db.transaction(function(tx) ... end): committed when the function
// returns (its results are returned), rolled back when it raises (the error goes on).
// With Lua built as C++, the Lua error is an exception: it unwinds through the SDK's
// in_transaction, which rolls back.
int transaction(lua_State* L) {
    vm& owner = vm::of(L);
    require_blocking_allowed(L, owner, "switchboard.db.transaction");
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    int results = 0;
    owner.rt().plugin().in_transaction([&](sdk::transaction& tx) {
        auto* handle = static_cast<transaction_handle*>(lua_newuserdatauv(L, sizeof(transaction_handle), 0));
        handle->tx = &tx;
        luaL_setmetatable(L, transaction_type);
        // The handle must not outlive the transaction, even when the function raises.
        struct end_on_exit {
            transaction_handle* handle;
            ~end_on_exit() { handle->tx = nullptr; }
        } ended{handle};
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 2);
        lua_call(L, 1, LUA_MULTRET);
        results = lua_gettop(L) - 2;
    });
    return results;
}

void set_function(lua_State* L, int table, const char* name, lua_CFunction fn) {
    lua_pushcfunction(L, fn);
    lua_setfield(L, table, name);
}

}  // namespace

void add_database(lua_State* L, int module) {
    luaL_newmetatable(L, transaction_type);
    lua_createtable(L, 0, 2);
    set_function(L, lua_gettop(L), "query", &guarded<tx_query>);
    set_function(L, lua_gettop(L), "exec", &guarded<tx_exec>);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    lua_createtable(L, 0, 3);
    set_function(L, lua_gettop(L), "query", &guarded<query>);
    set_function(L, lua_gettop(L), "exec", &guarded<exec>);
    set_function(L, lua_gettop(L), "transaction", &guarded<transaction>);
    lua_setfield(L, module, "db");
}

}  // namespace switchboard::plugins::lua
