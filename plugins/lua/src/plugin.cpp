// The Lua runtime's entry point: reads the config section, loads the scripts (the
// plugin is refused, with the script's file and line, when one fails), registers
// with the host, and reloads on SIGHUP / `switchboard reload`.
#include <cstddef>
#include <filesystem>
#include <memory>

#include <switchboard/sdk.hpp>

#include "runtime.hpp"
#include "settings.hpp"

namespace {

using switchboard::plugins::lua::runtime;

// Relative script paths are meant from the config file's directory; a kernel older
// than host_deployment_dir gets the process's current directory instead.
std::filesystem::path deployment_dir(const switchboard::sdk::plugin& p) {
    const auto& host = p.host();
    constexpr auto needed = offsetof(switchboard_host_t, host_deployment_dir) + sizeof(host.host_deployment_dir);
    if (host.struct_size >= needed && host.host_deployment_dir) {
        auto dir = p.deployment_dir();
        if (!dir.empty()) return dir;
    }
    return std::filesystem::current_path();
}

void load(switchboard::sdk::plugin& p) {
    auto lua = std::make_shared<runtime>(p, switchboard::plugins::lua::read_settings(p.config(), deployment_dir(p)));
    lua->start();
    // The plugin owns the runtime through this closure, until it unloads.
    p.on_reload([lua] { lua->reload(); });
}

}  // namespace

SWITCHBOARD_PLUGIN("lua", "1.0.0", "Event handlers and whole features written as Lua scripts",
                   switchboard::plugins::lua::config_schema_json, load)
