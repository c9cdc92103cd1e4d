#include "vm.hpp"

#include <cstdlib>
#include <stdexcept>

#include "api.hpp"
#include "runtime.hpp"
#include "sandbox.hpp"
#include "values.hpp"

namespace switchboard::plugins::lua {

namespace {

// Registry keys (addresses: looking them up allocates nothing).
const char handlers_key = 0;     // array: the functions the catalog's indexes point to
const char coroutines_key = 0;   // references keeping running and parked coroutines alive
const char timers_key = 0;       // runtime timer id -> function

// The hook runs every `hook_step` instructions: often enough to stop a loop within a
// few microseconds of its budget, rarely enough to cost nothing measurable.
constexpr std::int64_t hook_step = 1000;

// A run that leaves more than this share of the limit in use after a full collection
// holds on to something: the next runs on this state would fail too.
constexpr std::size_t exhausted_share_percent = 75;

std::string string_at(lua_State* L, int index) {
    std::size_t size = 0;
    const char* data = lua_type(L, index) == LUA_TSTRING ? lua_tolstring(L, index, &size) : nullptr;
    return data ? std::string(data, size) : std::string();
}

// "file.lua:12: what" -> "what": a client does not need the server's file names.
std::string without_position(const std::string& message) {
    const auto colon = message.find(':');
    if (colon == std::string::npos || colon == 0) return message;
    std::size_t i = colon + 1;
    const std::size_t digits = i;
    while (i < message.size() && message[i] >= '0' && message[i] <= '9') ++i;
    if (i == digits || message.compare(i, 2, ": ") != 0) return message;
    return message.substr(i + 2);
}

bool has_position(const std::string& message) { return without_position(message).size() != message.size(); }

int write_chunk(lua_State*, const void* data, std::size_t size, void* out) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
    return 0;
}

// The first frame of `co` that runs Lua code: where a failed run stopped.
std::string innermost_lua_frame(lua_State* co) {
    lua_Debug ar;
    for (int level = 0; lua_getstack(co, level, &ar); ++level) {
        if (lua_getinfo(co, "Sl", &ar) && ar.currentline > 0)
            return std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
    }
    return {};
}

}  // namespace

vm::vm(runtime& rt, generation& gen) : runtime_(rt), generation_(gen), limit_(rt.config().memory_limit) {
    L_ = lua_newstate(&vm::allocate, this);
    if (!L_) throw std::runtime_error("cannot create a Lua state within memory_limit");
    // An error outside any protected call would abort the process: make it a C++
    // exception for whoever called into Lua, and stop trusting this state.
    lua_atpanic(L_, [](lua_State* L) -> int {
        vm::of(L).exhausted_ = true;
        throw std::runtime_error("unprotected Lua error: " + string_at(L, -1));
    });
    std::string error;
    const bool ready = protect(
        [this](lua_State* L) {
            lua_newtable(L);
            lua_rawsetp(L, LUA_REGISTRYINDEX, &handlers_key);
            lua_newtable(L);
            lua_rawsetp(L, LUA_REGISTRYINDEX, &coroutines_key);
            lua_newtable(L);
            lua_rawsetp(L, LUA_REGISTRYINDEX, &timers_key);
            open_values(L);
            open_sandbox(L, *this);
            open_api(L, *this);
        },
        &error);
    if (!ready) {
        lua_close(L_);
        throw std::runtime_error("cannot set up a Lua state: " + error);
    }
}

vm::~vm() {
    if (L_) lua_close(L_);
}

vm& vm::of(lua_State* L) {
    void* self = nullptr;
    lua_getallocf(L, &self);
    return *static_cast<vm*>(self);
}

void* vm::allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) noexcept {
    auto* self = static_cast<vm*>(ud);
    // With ptr null, old_size is the kind of object, not a size.
    const std::size_t old_bytes = ptr ? old_size : 0;
    if (new_size == 0) {
        std::free(ptr);
        self->used_ -= old_bytes;
        return nullptr;
    }
    if (new_size > old_bytes && !self->unlimited_ && self->used_ - old_bytes + new_size > self->limit_)
        return nullptr;   // Lua collects and retries once, then raises "not enough memory"
    void* block = std::realloc(ptr, new_size);
    if (!block) return nullptr;
    self->used_ = self->used_ - old_bytes + new_size;
    return block;
}

void vm::count_hook(lua_State* L, lua_Debug* ar) {
    vm& self = of(L);
    const int step = lua_gethookcount(L);
    self.budget_ -= step;
    if (self.budget_ > 0) {
        if (self.budget_ < step) lua_sethook(L, &vm::count_hook, LUA_MASKCOUNT, static_cast<int>(self.budget_));
        return;
    }
    if (!self.over_budget_) {
        self.over_budget_ = true;
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            self.over_budget_at_ = std::string(ar->short_src) + ":" + std::to_string(ar->currentline);
    }
    // From now on every instruction raises again: a pcall that swallowed the error
    // gets one instruction further, no more.
    lua_sethook(L, &vm::count_hook, LUA_MASKCOUNT, 1);
    lua_pushliteral(L, "instruction limit reached");
    lua_error(L);
}

void vm::charge(lua_State* L, std::int64_t instructions) {
    budget_ -= instructions;
    if (budget_ > 0) return;
    if (!over_budget_) {
        over_budget_ = true;
        over_budget_at_ = where(L, 1);
    }
    lua_sethook(L, &vm::count_hook, LUA_MASKCOUNT, 1);
    lua_pushliteral(L, "instruction limit reached");
    lua_error(L);
}

void vm::set_budget_hook(lua_State* co) {
    const auto step = budget_ <= 0 ? 1 : std::min(budget_, hook_step);
    lua_sethook(co, &vm::count_hook, LUA_MASKCOUNT, static_cast<int>(step));
}

bool vm::protect(const std::function<void(lua_State*)>& body, std::string* error) {
    lua_State* L = running_.empty() ? L_ : running_.back()->co;
    const int top = lua_gettop(L);
    if (!lua_checkstack(L, 4)) {
        if (error) *error = "no Lua stack left";
        return false;
    }
    lua_pushcfunction(L, [](lua_State* inner) -> int {
        const auto& fn = *static_cast<const std::function<void(lua_State*)>*>(lua_touserdata(inner, 1));
        lua_settop(inner, 0);
        std::string message;
        try {
            fn(inner);
            return 0;
        } catch (const std::exception& e) {
            message = e.what();
        }
        lua_pushlstring(inner, message.data(), message.size());
        return lua_error(inner);
    });
    lua_pushlightuserdata(L, const_cast<std::function<void(lua_State*)>*>(&body));
    const int status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK && error) {
        *error = status == LUA_ERRMEM ? std::string("not enough memory") : string_at(L, -1);
        if (error->empty()) *error = std::string("a ") + luaL_typename(L, -1) + " was raised";
    }
    lua_settop(L, top);
    return status == LUA_OK;
}

bool vm::load(std::vector<script_chunk>& scripts, std::string& error) {
    loading_ = true;
    budget_ = runtime_.config().instruction_limit;
    over_budget_ = false;
    over_budget_at_.clear();
    set_budget_hook(L_);
    bool ok = true;
    for (auto& script : scripts) {
        const std::string chunk_name = "@" + script.name;
        const bool compiled = !script.bytecode.empty();
        const std::string& text = compiled ? script.bytecode : script.source;
        int status = luaL_loadbufferx(L_, text.data(), text.size(), chunk_name.c_str(), compiled ? "b" : "t");
        if (status == LUA_OK && !compiled) lua_dump(L_, &write_chunk, &script.bytecode, 0);
        if (status == LUA_OK) status = lua_pcall(L_, 0, 0, 0);
        if (status == LUA_OK) continue;
        if (over_budget_) {
            error = (over_budget_at_.empty() ? script.name : over_budget_at_) + ": instruction limit (" +
                    std::to_string(runtime_.config().instruction_limit) + ") reached while the script loaded";
        } else if (status == LUA_ERRMEM) {
            error = script.name + ": memory limit (" + std::to_string(limit_) + " bytes) reached while the script loaded";
        } else {
            error = string_at(L_, -1);
            if (error.empty()) error = script.name + ": raised a " + luaL_typename(L_, -1) + " while loading";
            else if (!has_position(error)) error = script.name + ": " + error;
        }
        ok = false;
        break;
    }
    lua_sethook(L_, nullptr, 0, 0);
    lua_settop(L_, 0);
    loading_ = false;
    if (ok) {
        std::string sealing;
        if (!protect([](lua_State* L) { seal_globals(L); }, &sealing)) {
            error = "cannot seal the globals: " + sealing;
            ok = false;
        }
    }
    return ok;
}

const std::shared_ptr<task>& vm::current() const {
    static const std::shared_ptr<task> none;
    return running_.empty() ? none : running_.back();
}

int vm::keep_function(lua_State* L) {
    const int index = ++catalog_.functions;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &handlers_key);
    lua_insert(L, -2);
    lua_rawseti(L, -2, index);
    lua_pop(L, 1);
    return index;
}

void vm::keep_timer_function(lua_State* L, std::uint64_t timer_id) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &timers_key);
    lua_insert(L, -2);
    lua_rawseti(L, -2, static_cast<lua_Integer>(timer_id));
    lua_pop(L, 1);
}

void vm::forget_timer_function(std::uint64_t timer_id) {
    std::lock_guard lock(forgotten_mutex_);
    forgotten_timers_.push_back(timer_id);
    has_forgotten_ = true;
}

void vm::collect_forgotten() {
    if (!has_forgotten_) return;
    std::vector<std::uint64_t> ids;
    {
        std::lock_guard lock(forgotten_mutex_);
        ids.swap(forgotten_timers_);
        has_forgotten_ = false;
    }
    lua_State* L = running_.empty() ? L_ : running_.back()->co;
    if (!lua_checkstack(L, 2)) return;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &timers_key);
    for (const auto id : ids) {
        lua_pushnil(L);
        lua_rawseti(L, -2, static_cast<lua_Integer>(id));   // clearing a slot allocates nothing
    }
    lua_pop(L, 1);
}

void vm::run(const std::shared_ptr<task>& t, int index) { run_function(t, &handlers_key, index); }

void vm::run_timer(const std::shared_ptr<task>& t, std::uint64_t timer_id) {
    run_function(t, &timers_key, static_cast<lua_Integer>(timer_id));
}

void vm::run_function(const std::shared_ptr<task>& t, const void* table, lua_Integer index) {
    collect_forgotten();
    int nargs = 0;
    std::string error;
    const bool started = protect(
        [&](lua_State* L) {
            lua_rawgetp(L, LUA_REGISTRYINDEX, &coroutines_key);
            t->co = lua_newthread(L);
            t->anchor = luaL_ref(L, -2);
            lua_pop(L, 1);
            lua_rawgetp(L, LUA_REGISTRYINDEX, table);
            lua_rawgeti(L, -1, index);
            lua_remove(L, -2);
            if (!lua_isfunction(L, -1)) luaL_error(L, "no function for %s", t->label.c_str());
            nargs = t->push_args(*this, L);
            if (!lua_checkstack(t->co, nargs + 1)) luaL_error(L, "no Lua stack left for the arguments");
            lua_xmove(L, t->co, nargs + 1);
        },
        &error);
    if (!started) {
        failure why;
        why.code = error == "not enough memory" ? "memory_limit" : "script_error";
        why.message = why.code == "memory_limit" ? "the script ran out of memory" : without_position(error);
        why.detail = t->label + " could not start: " + error;
        runtime_.report(why);
        t->failed(*this, why);
        finish(*t);
        return;
    }
    drive(t, nargs);
}

void vm::resume(const std::shared_ptr<task>& t, const std::function<int(lua_State*)>& push) {
    collect_forgotten();
    if (!t->co || !t->parked) return;   // the run ended meanwhile (it failed)
    t->parked = false;
    int nargs = 0;
    std::string error;
    const bool pushed = protect(
        [&](lua_State* L) {
            nargs = push(L);
            if (!lua_checkstack(t->co, nargs)) luaL_error(L, "no Lua stack left for the answer");
            lua_xmove(L, t->co, nargs);
        },
        &error);
    if (!pushed) {
        failure why{"script_error", "the answer could not reach the script", t->label + " could not resume: " + error};
        runtime_.report(why);
        t->failed(*this, why);
        lua_resetthread(t->co);
        finish(*t);
        return;
    }
    drive(t, nargs);
}

void vm::drive(const std::shared_ptr<task>& t, int nargs) {
    lua_State* from = running_.empty() ? L_ : running_.back()->co;
    // A nested run (a join hook called from a handler) has its own budget.
    const auto outer_budget = budget_;
    const bool outer_over = over_budget_;
    auto outer_at = std::move(over_budget_at_);
    budget_ = t->budget;
    over_budget_ = false;
    over_budget_at_.clear();
    set_budget_hook(t->co);

    running_.push_back(t);
    int nres = 0;
    const int status = lua_resume(t->co, from, nargs, &nres);
    running_.pop_back();

    t->budget = budget_;
    const bool over = over_budget_;
    const std::string at = std::move(over_budget_at_);
    budget_ = outer_budget;
    over_budget_ = outer_over;
    over_budget_at_ = std::move(outer_at);

    if (status == LUA_YIELD && !over) {
        lua_pop(t->co, nres);
        if (t->parked) return;   // waiting for an answer, which resumes it
        failure why{"script_error", "coroutine.yield() outside a coroutine the script created",
                    t->label + " failed: coroutine.yield() outside a coroutine the script created (at " +
                        innermost_lua_frame(t->co) + ")"};
        runtime_.report(why);
        t->failed(*this, why);
        lua_resetthread(t->co);
        finish(*t);
        return;
    }
    if (status == LUA_OK && !over) {
        try {
            t->returned(*this, nres);
        } catch (const std::exception& e) {
            failure why{"script_error", std::string("cannot send what the script returned: ") + e.what(),
                        t->label + ": cannot send what the script returned: " + e.what()};
            runtime_.report(why);
            t->failed(*this, why);
        }
        finish(*t);
        return;
    }

    t->parked = false;
    unlimited_ = true;   // describing the failure may need the memory the script used up
    const failure why = describe(*t, status, over, at);
    runtime_.report(why);
    t->failed(*this, why);
    lua_resetthread(t->co);
    finish(*t);
    unlimited_ = false;
    if (status == LUA_ERRMEM || used_ > limit_ / 100 * exhausted_share_percent) {
        lua_gc(L_, LUA_GCCOLLECT);
        if (used_ > limit_ / 100 * exhausted_share_percent) {
            exhausted_ = true;
            runtime_.report_state_replaced(used_, limit_, t->label);
        }
    }
}

failure vm::describe(const task& t, int status, bool over_budget, const std::string& at) {
    lua_State* co = t.co;
    const std::string place = innermost_lua_frame(co);
    failure why;
    if (over_budget) {
        const auto limit = std::to_string(runtime_.config().instruction_limit);
        why.code = "instruction_limit";
        why.message = "the script ran over its instruction limit (" + limit + " instructions)";
        why.detail = t.label + " stopped: instruction limit (" + limit + ") reached at " + (at.empty() ? place : at);
        return why;
    }
    if (status == LUA_ERRMEM) {
        const auto limit = std::to_string(limit_);
        why.code = "memory_limit";
        why.message = "the script ran out of memory (limit " + limit + " bytes)";
        why.detail = t.label + " stopped: memory limit (" + limit + " bytes) reached" +
                     (place.empty() ? "" : " at " + place);
        return why;
    }
    const std::string at_place = place.empty() ? "" : " (at " + place + ")";
    if (lua_type(co, -1) == LUA_TTABLE) {
        // error({code = "forbidden", message = "..."}): an answer the script chose.
        lua_pushliteral(co, "code");
        lua_rawget(co, -2);
        why.code = string_at(co, -1);
        lua_pop(co, 1);
        lua_pushliteral(co, "message");
        lua_rawget(co, -2);
        why.message = string_at(co, -1);
        lua_pop(co, 1);
        if (!why.code.empty()) {
            if (why.message.empty()) why.message = why.code;
            why.expected = true;
            why.detail = t.label + " answered an error: " + why.code + ": " + why.message + at_place;
            return why;
        }
    }
    const std::string message = string_at(co, -1);
    why.code = "script_error";
    if (message.empty()) {
        why.message = std::string("the script raised a ") + luaL_typename(co, -1);
        why.detail = t.label + " failed: " + why.message + at_place;
    } else {
        why.message = without_position(message);
        why.detail = t.label + " failed: " + message + (has_position(message) ? "" : at_place);
    }
    return why;
}

void vm::finish(task& t) {
    if (t.anchor) {
        lua_State* L = running_.empty() ? L_ : running_.back()->co;
        lua_rawgetp(L, LUA_REGISTRYINDEX, &coroutines_key);
        luaL_unref(L, -1, t.anchor);
        lua_pop(L, 1);
        t.anchor = 0;
    }
    t.co = nullptr;
    t.parked = false;
}

std::string vm::where(lua_State* L, int level) {
    lua_Debug ar;
    if (!lua_getstack(L, level, &ar) || !lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) return {};
    return std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
}

}  // namespace switchboard::plugins::lua
