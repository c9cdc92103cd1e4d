// One run of a script function in its own coroutine: a client event, a hook, a timer,
// an HTTP request. The vm drives the coroutine; the task says what goes in (the
// arguments) and what happens with what comes out (an ack, a refusal, a response).
#pragma once

#include <cstdint>
#include <string>

#include <lua.hpp>

namespace switchboard::plugins::lua {

class vm;

// Why a run failed, once for the client and once for the log.
struct failure {
    std::string code;      // instruction_limit, memory_limit, script_error, or the script's own code
    std::string message;   // for the client: no file names
    std::string detail;    // for the log: what happened, with file and line
    bool expected = false; // the script raised {code = ..., message = ...} on purpose
};

class task {
public:
    virtual ~task() = default;

    std::string label;          // for the log: `event "chat:message"`, `on_connect`...
    std::string nsp;            // the namespace emits default to ("" when none)
    bool is_inline = false;     // runs on a network worker: blocking calls are refused
    bool may_wait = false;      // may park its coroutine (ask): nobody waits synchronously for it
    std::int64_t budget = 0;    // instructions left

    // Set by the vm.
    lua_State* co = nullptr;    // the task's coroutine
    int anchor = 0;             // the coroutine's reference in the state's registry
    bool parked = false;        // yielded, waiting for an answer to resume it

    // Pushes the function's arguments on `L` and returns how many. Lua errors may be
    // raised (memory): the vm calls this in protected mode.
    virtual int push_args(vm& v, lua_State* L) = 0;
    // The function returned `count` values, on top of `co`'s stack.
    virtual void returned(vm& v, int count) = 0;
    // The function failed; the vm logged it already.
    virtual void failed(vm& v, const failure& why) = 0;
};

}  // namespace switchboard::plugins::lua
