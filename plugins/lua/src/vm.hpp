// One Lua state: the scripts of one generation loaded into it, used by one handler
// thread (and, for an answer or a timer it is waiting for, briefly by another thread
// holding its mutex).
//
// Limits: a custom allocator refuses to grow past the memory limit (the script gets
// "not enough memory"), and a count hook stops a run that goes over its instruction
// budget. Both fail that run only; the state keeps serving, unless a run left it so
// full that the next ones could not work (then it is retired and replaced).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <lua.hpp>

#include "catalog.hpp"
#include "task.hpp"

namespace switchboard::plugins::lua {

class runtime;
class generation;

// One script: its source as read, and its bytecode once compiled (by the first state
// that loads it; later states load the bytecode, with the same line information).
struct script_chunk {
    std::string name;      // as the config names it: what messages show
    std::string source;
    std::string bytecode;
};

class vm : public std::enable_shared_from_this<vm> {
public:
    vm(runtime& rt, generation& gen);
    ~vm();
    vm(const vm&) = delete;
    vm& operator=(const vm&) = delete;

    // The vm that owns `L` (any coroutine of its state).
    static vm& of(lua_State* L);

    // Runs every script's top level, which declares handlers. False, and `error` as
    // "file.lua:12: what", when one fails to compile or to run.
    bool load(std::vector<script_chunk>& scripts, std::string& error);

    runtime& rt() const noexcept { return runtime_; }
    generation& gen() const noexcept { return generation_; }
    const catalog& declared() const noexcept { return catalog_; }
    lua_State* state() const noexcept { return L_; }
    std::recursive_mutex& mutex() noexcept { return mutex_; }

    // --- running; the caller holds mutex() ---

    // Runs function `index` of the catalog as `t`, in a new coroutine.
    void run(const std::shared_ptr<task>& t, int index);
    // Runs the function of runtime timer `timer_id`.
    void run_timer(const std::shared_ptr<task>& t, std::uint64_t timer_id);
    // Resumes `t`'s parked coroutine with the values `push` leaves on the stack.
    void resume(const std::shared_ptr<task>& t, const std::function<int(lua_State*)>& push);

    // The innermost running task (null while loading or idle).
    const std::shared_ptr<task>& current() const;
    bool loading() const noexcept { return loading_; }
    // Where declarations go while loading.
    catalog& declaring() noexcept { return catalog_; }
    // Stores the function at the top of `L` in the handler table; returns its index.
    int keep_function(lua_State* L);

    // Runtime timers' functions (by timer id). Forgetting may come from any thread:
    // it is done the next time the state runs.
    void keep_timer_function(lua_State* L, std::uint64_t timer_id);
    void forget_timer_function(std::uint64_t timer_id);

    // "file.lua:12" for the function `level` levels up the stack of `L` ("" if none).
    static std::string where(lua_State* L, int level);

    // Runs `body(L)` in protected mode on the running coroutine (or the main thread).
    // C++ exceptions and Lua errors become false and `error`.
    bool protect(const std::function<void(lua_State*)>& body, std::string* error = nullptr);

    // Charges `instructions` worth of work a C function did (pattern matching) to the
    // run's budget; raises as the count hook does when the budget runs out.
    void charge(lua_State* L, std::int64_t instructions);
    // The run in progress went over its budget: what is left of it must not run
    // script code (a message handler, say) any more.
    bool over_budget() const noexcept { return over_budget_; }

    std::size_t memory_used() const noexcept { return used_; }
    // A run left the state too full to be trusted with the next ones.
    bool exhausted() const noexcept { return exhausted_; }

private:
    static void* allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) noexcept;
    static void count_hook(lua_State* L, lua_Debug* ar);

    // Runs entry `index` of the registry table at `table` (handlers or timers) as `t`.
    void run_function(const std::shared_ptr<task>& t, const void* table, lua_Integer index);
    void drive(const std::shared_ptr<task>& t, int nargs);
    failure describe(const task& t, int status, bool over_budget, const std::string& at);
    void finish(task& t);
    void collect_forgotten();
    void set_budget_hook(lua_State* co);

    runtime& runtime_;
    generation& generation_;
    lua_State* L_ = nullptr;
    std::recursive_mutex mutex_;
    catalog catalog_;
    bool loading_ = false;

    std::vector<std::shared_ptr<task>> running_;   // innermost last (a join hook may nest)

    // Memory: counted by the allocator; `unlimited_` while reporting a failure.
    std::size_t used_ = 0;
    std::size_t limit_ = 0;
    bool unlimited_ = false;
    bool exhausted_ = false;

    // The instruction budget of the run in progress.
    std::int64_t budget_ = 0;
    bool over_budget_ = false;
    std::string over_budget_at_;

    std::mutex forgotten_mutex_;
    std::vector<std::uint64_t> forgotten_timers_;
    std::atomic<bool> has_forgotten_{false};
};

}  // namespace switchboard::plugins::lua
