// One version of the scripts: what `switchboard reload` (or the start) read, compiled
// once, and loaded into one Lua state per thread that runs them, created on that
// thread's first run. A reload builds a new generation and swaps it in; the old one
// lives on while a run, a parked coroutine or a one-shot timer still holds it, then
// closes its states.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "catalog.hpp"
#include "vm.hpp"

namespace switchboard::plugins::lua {

class runtime;

class generation : public std::enable_shared_from_this<generation> {
public:
    generation(runtime& rt, std::uint64_t id);
    ~generation();
    generation(const generation&) = delete;
    generation& operator=(const generation&) = delete;

    // Reads the scripts and loads them into a first state (kept for the first thread
    // that asks). Throws std::runtime_error as "file.lua:12: what" when one fails.
    void build();

    std::uint64_t id() const noexcept { return id_; }
    const catalog& declared() const noexcept { return catalog_; }

    // The calling thread's state, loading it on first use. Throws std::runtime_error
    // when the scripts fail to load there.
    std::shared_ptr<vm> vm_for_this_thread();
    // Forgets `v`: its thread gets a fresh state next time. Runs holding it finish.
    void retire(const vm* v);

    // A module for require(), read once per generation so every state sees the same
    // source. Null, and `error` saying where it looked, when there is none.
    struct module_file {
        std::string name;     // shown in messages: the path under its module directory
        std::string source;
    };
    std::optional<module_file> module_source(const std::string& name, std::string& error);

private:
    runtime& runtime_;
    const std::uint64_t id_;
    std::vector<script_chunk> scripts_;   // compiled by build(), read-only afterwards
    catalog catalog_;

    std::mutex mutex_;
    std::unordered_map<std::thread::id, std::shared_ptr<vm>> by_thread_;
    std::shared_ptr<vm> spare_;
    std::map<std::string, module_file> modules_;
};

}  // namespace switchboard::plugins::lua
