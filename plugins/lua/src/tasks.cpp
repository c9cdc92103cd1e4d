#include "tasks.hpp"

#include "api.hpp"
#include "runtime.hpp"
#include "values.hpp"

namespace switchboard::plugins::lua {

namespace {

void prepare(task& t, runtime& rt, std::string label, std::string nsp, bool inline_run, bool may_wait) {
    t.label = std::move(label);
    t.nsp = std::move(nsp);
    t.is_inline = inline_run;
    t.may_wait = may_wait;
    t.budget = rt.config().instruction_limit;
}

std::string with_where(std::string label, const std::string& where) {
    return where.empty() ? label : label + " (" + where + ")";
}

std::string string_at(lua_State* L, int index) {
    std::size_t size = 0;
    const char* data = lua_type(L, index) == LUA_TSTRING ? lua_tolstring(L, index, &size) : nullptr;
    return data ? std::string(data, size) : std::string();
}

// `return false, message [, code]` from a hook that may refuse.
std::optional<refusal> refusal_in(lua_State* co, int count, const char* default_message) {
    if (count < 1) return std::nullopt;
    const int first = lua_gettop(co) - count + 1;
    if (lua_type(co, first) != LUA_TBOOLEAN || lua_toboolean(co, first)) return std::nullopt;
    std::string message = count >= 2 ? string_at(co, first + 1) : std::string();
    std::string code = count >= 3 ? string_at(co, first + 2) : std::string();
    return refusal{code.empty() ? "forbidden" : code, message.empty() ? default_message : message};
}

context context_of(const std::shared_ptr<const socket_entry>& socket, const sdk::json& user) {
    context c;
    c.socket = socket->handle;
    c.entry = socket;
    c.nsp = socket->nsp;
    c.user = &user;
    return c;
}

}  // namespace

// ---------------------------------------------------------------- events

event_task::event_task(runtime& rt, sdk::event e, std::shared_ptr<const socket_entry> socket, std::string where)
    : event_(std::move(e)), socket_(std::move(socket)) {
    prepare(*this, rt, with_where("event \"" + event_.name + "\"", where), event_.nsp, false, true);
}

int event_task::push_args(vm&, lua_State* L) {
    context c;
    c.socket = event_.socket;
    c.entry = socket_;
    c.nsp = event_.nsp;
    c.user = &event_.user;
    c.event = event_.name;
    push_context(L, c);
    int count = 1;
    if (event_.args.is_array()) {
        luaL_checkstack(L, static_cast<int>(event_.args.size()) + 2, "too many arguments");
        for (const auto& arg : event_.args) {
            push_json(L, arg);
            ++count;
        }
    }
    event_.args = nullptr;   // in Lua now: no need to keep a second copy while the run lasts
    return count;
}

void event_task::returned(vm&, int count) {
    if (!event_.wants_ack()) return;
    event_.ack(args_to_json(co, lua_gettop(co) - count + 1));
}

void event_task::failed(vm&, const failure& why) {
    if (event_.wants_ack()) event_.fail(why.code, why.message);
}

// ---------------------------------------------------------------- connect, disconnect, join

connect_task::connect_task(runtime& rt, std::shared_ptr<const socket_entry> socket, sdk::json user, std::string where,
                           bool inline_run)
    : socket_(std::move(socket)), user_(std::move(user)) {
    prepare(*this, rt, with_where("on_connect", where), socket_->nsp, inline_run, false);
}

int connect_task::push_args(vm&, lua_State* L) {
    push_context(L, context_of(socket_, user_));
    return 1;
}

void connect_task::returned(vm&, int count) { refused = refusal_in(co, count, "connection refused"); }

void connect_task::failed(vm&, const failure& why) { refused = refusal{why.code, why.message}; }

disconnect_task::disconnect_task(runtime& rt, std::shared_ptr<const socket_entry> socket, sdk::json user,
                                 std::string reason, std::string where, bool inline_run)
    : socket_(std::move(socket)), user_(std::move(user)), reason_(std::move(reason)) {
    prepare(*this, rt, with_where("on_disconnect", where), socket_->nsp, inline_run, true);
}

int disconnect_task::push_args(vm&, lua_State* L) {
    push_context(L, context_of(socket_, user_));
    lua_pushlstring(L, reason_.data(), reason_.size());
    return 2;
}

join_task::join_task(runtime& rt, std::shared_ptr<const socket_entry> socket, sdk::json user, std::string room,
                     std::string where)
    : socket_(std::move(socket)), user_(std::move(user)), room_(std::move(room)) {
    // The host runs join hooks on the thread that asked for the join: inline or not,
    // whoever waits for the answer waits now.
    prepare(*this, rt, with_where("on_join \"" + room_ + "\"", where), socket_->nsp, false, false);
}

int join_task::push_args(vm&, lua_State* L) {
    push_context(L, context_of(socket_, user_));
    lua_pushlstring(L, room_.data(), room_.size());
    return 2;
}

void join_task::returned(vm&, int count) { refused = refusal_in(co, count, "join refused"); }

void join_task::failed(vm&, const failure& why) { refused = refusal{why.code, why.message}; }

// ---------------------------------------------------------------- auth

auth_task::auth_task(runtime& rt, const sdk::auth_request& request, std::string where) : request_(request) {
    prepare(*this, rt, with_where("on_auth", where), request_.nsp, false, false);
}

int auth_task::push_args(vm&, lua_State* L) {
    push_object(L, 3);
    lua_pushlstring(L, request_.nsp.data(), request_.nsp.size());
    lua_setfield(L, -2, "nsp");
    push_json(L, request_.auth.is_discarded() ? sdk::json::object() : request_.auth);
    lua_setfield(L, -2, "auth");
    push_json(L, request_.handshake.is_discarded() ? sdk::json::object() : request_.handshake);
    lua_setfield(L, -2, "handshake");
    return 1;
}

void auth_task::returned(vm&, int count) {
    if (count < 1) return;
    const int first = lua_gettop(co) - count + 1;
    if ((refused = refusal_in(co, count, "authentication refused"))) return;
    if (lua_istable(co, first)) {
        auto value = to_json(co, first);
        if (!value.is_object()) throw conversion_error("on_auth must return the user as a table with keys");
        user = std::move(value);
    }
}

void auth_task::failed(vm&, const failure& why) { refused = refusal{why.code, why.message}; }

// ---------------------------------------------------------------- timers, presence, bus

timer_task::timer_task(runtime& rt, std::string where) {
    prepare(*this, rt, with_where("timer", where), "", false, true);
}

presence_task::presence_task(runtime& rt, std::string user_id, bool online, std::string where)
    : user_id_(std::move(user_id)), online_(online) {
    prepare(*this, rt, with_where("on_presence", where), "", false, true);
}

int presence_task::push_args(vm&, lua_State* L) {
    lua_pushlstring(L, user_id_.data(), user_id_.size());
    lua_pushboolean(L, online_);
    return 2;
}

bus_task::bus_task(runtime& rt, std::string topic, sdk::json payload, std::string where)
    : topic_(std::move(topic)), payload_(std::move(payload)) {
    prepare(*this, rt, with_where("subscriber of \"" + topic_ + "\"", where), "", false, true);
}

int bus_task::push_args(vm&, lua_State* L) {
    push_json(L, payload_);
    lua_pushlstring(L, topic_.data(), topic_.size());
    return 2;
}

// ---------------------------------------------------------------- HTTP

http_task::http_task(runtime& rt, const sdk::http_request& request, std::string where) : request_(request) {
    prepare(*this, rt, with_where("route " + request_.method + " " + request_.path, where), "", false, false);
}

int http_task::push_args(vm&, lua_State* L) {
    push_object(L, 5);
    lua_pushlstring(L, request_.method.data(), request_.method.size());
    lua_setfield(L, -2, "method");
    lua_pushlstring(L, request_.path.data(), request_.path.size());
    lua_setfield(L, -2, "path");
    lua_pushlstring(L, request_.query.data(), request_.query.size());
    lua_setfield(L, -2, "query");
    push_json(L, request_.headers.is_discarded() ? sdk::json::object() : request_.headers);
    lua_setfield(L, -2, "headers");
    lua_pushlstring(L, request_.body.data(), request_.body.size());
    lua_setfield(L, -2, "body");
    return 1;
}

void http_task::returned(vm&, int count) {
    const int first = lua_gettop(co) - count + 1;
    response = {};
    if (count >= 2 && lua_isinteger(co, first + 1)) response.status = static_cast<int>(lua_tointeger(co, first + 1));
    const bool has_type = count >= 3 && lua_type(co, first + 2) == LUA_TSTRING;
    if (count < 1 || lua_isnil(co, first)) {
        response.body.clear();
        response.content_type = has_type ? string_at(co, first + 2) : "text/plain; charset=utf-8";
        if (count < 2) response.status = 204;
        return;
    }
    if (lua_type(co, first) == LUA_TSTRING) {
        response.body = string_at(co, first);
        response.content_type = has_type ? string_at(co, first + 2) : "text/plain; charset=utf-8";
        return;
    }
    response.body = to_json(co, first).dump(-1, ' ', false, sdk::json::error_handler_t::replace);
    response.content_type = has_type ? string_at(co, first + 2) : "application/json";
}

void http_task::failed(vm&, const failure& why) {
    response.status = why.expected ? 400 : 500;
    response.content_type = "application/json";
    response.body = sdk::json{{"code", why.code}, {"message", why.message}}.dump(-1, ' ', false,
                                                                                 sdk::json::error_handler_t::replace);
}

}  // namespace switchboard::plugins::lua
