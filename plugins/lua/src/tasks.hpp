// The kinds of runs: what each passes to its script function and does with what the
// function returns or raises.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>

#include "socket_directory.hpp"
#include "task.hpp"

namespace switchboard::plugins::lua {

class runtime;

// {code, message}: why a hook refused.
using refusal = std::pair<std::string, std::string>;

// A client event: fn(ctx, ...args). What it returns is the ack; an error is an error
// ack {code, message}.
class event_task final : public task {
public:
    event_task(runtime& rt, sdk::event e, std::shared_ptr<const socket_entry> socket, std::string where);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm& v, int count) override;
    void failed(vm& v, const failure& why) override;

private:
    sdk::event event_;
    std::shared_ptr<const socket_entry> socket_;
};

// on_connect: fn(ctx). `return false, message` or an error refuses the connection.
class connect_task final : public task {
public:
    connect_task(runtime& rt, std::shared_ptr<const socket_entry> socket, sdk::json user, std::string where,
                 bool inline_run);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm& v, int count) override;
    void failed(vm& v, const failure& why) override;
    std::optional<refusal> refused;

private:
    std::shared_ptr<const socket_entry> socket_;
    sdk::json user_;
};

// on_disconnect: fn(ctx, reason).
class disconnect_task final : public task {
public:
    disconnect_task(runtime& rt, std::shared_ptr<const socket_entry> socket, sdk::json user, std::string reason,
                    std::string where, bool inline_run);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm&, int) override {}
    void failed(vm&, const failure&) override {}

private:
    std::shared_ptr<const socket_entry> socket_;
    sdk::json user_;
    std::string reason_;
};

// on_join: fn(ctx, room). `return false, message` or an error refuses the join.
class join_task final : public task {
public:
    join_task(runtime& rt, std::shared_ptr<const socket_entry> socket, sdk::json user, std::string room,
              std::string where);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm& v, int count) override;
    void failed(vm& v, const failure& why) override;
    std::optional<refusal> refused;

private:
    std::shared_ptr<const socket_entry> socket_;
    sdk::json user_;
    std::string room_;
};

// on_auth: fn(request) returns the user (a table), nil to let the next hook decide,
// or false, message to refuse.
class auth_task final : public task {
public:
    auth_task(runtime& rt, const sdk::auth_request& request, std::string where);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm& v, int count) override;
    void failed(vm& v, const failure& why) override;
    std::optional<refusal> refused;
    std::optional<sdk::json> user;

private:
    sdk::auth_request request_;
};

// A timer, on_presence, a bus message: nobody waits for an answer.
class timer_task final : public task {
public:
    timer_task(runtime& rt, std::string where);
    int push_args(vm&, lua_State*) override { return 0; }
    void returned(vm&, int) override {}
    void failed(vm&, const failure&) override {}
};

class presence_task final : public task {
public:
    presence_task(runtime& rt, std::string user_id, bool online, std::string where);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm&, int) override {}
    void failed(vm&, const failure&) override {}

private:
    std::string user_id_;
    bool online_;
};

class bus_task final : public task {
public:
    bus_task(runtime& rt, std::string topic, sdk::json payload, std::string where);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm&, int) override {}
    void failed(vm&, const failure&) override {}

private:
    std::string topic_;
    sdk::json payload_;
};

// route: fn(request) returns body [, status [, content_type]]; a table body is JSON.
class http_task final : public task {
public:
    http_task(runtime& rt, const sdk::http_request& request, std::string where);
    int push_args(vm& v, lua_State* L) override;
    void returned(vm& v, int count) override;
    void failed(vm& v, const failure& why) override;
    sdk::http_response response;

private:
    sdk::http_request request_;
};

}  // namespace switchboard::plugins::lua
