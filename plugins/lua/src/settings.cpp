#include "settings.hpp"

#include <stdexcept>

namespace switchboard::plugins::lua {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

const char* const config_schema_json = R"json({
  "scripts": {"type": "array",
              "description": "Lua files to load, in order; relative paths are meant from the config file's directory"},
  "module_paths": {"type": "array", "default": [],
                   "description": "directories require() searches (after each script's own directory)"},
  "instruction_limit": {"type": "integer", "default": 10000000,
                        "description": "Lua instructions one event, hook or timer may run before it is stopped"},
  "memory_limit": {"type": "integer", "default": 33554432,
                   "description": "bytes one Lua state may allocate (there is one state per handler thread)"},
  "settings": {"type": "object", "default": {},
               "description": "anything the scripts want: switchboard.config"}
})json";

namespace {

constexpr std::int64_t min_instruction_limit = 1000;
constexpr std::size_t min_memory_limit = 1 << 20;   // a fresh state with the libraries takes ~100 KiB

fs::path resolve(const std::string& written, const fs::path& base_dir) {
    const fs::path path(written);
    return (path.is_absolute() ? path : base_dir / path).lexically_normal();
}

}  // namespace

settings read_settings(const json& config, const fs::path& base_dir) {
    settings out;
    const json& scripts = config.at("scripts");
    if (scripts.empty()) throw std::runtime_error("config.scripts: list at least one Lua file");
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        const std::string key = "config.scripts[" + std::to_string(i) + "]";
        if (!scripts[i].is_string() || scripts[i].get<std::string>().empty())
            throw std::runtime_error(key + ": expected a file name, got " + scripts[i].dump());
        const auto written = scripts[i].get<std::string>();
        const auto path = resolve(written, base_dir);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            throw std::runtime_error(key + ": " + path.string() + " is not a readable file");
        out.scripts.push_back({written, path});
    }

    // Each script's own directory first: a script's helpers sit next to it.
    for (const auto& script : out.scripts) {
        const auto dir = script.path.parent_path();
        bool seen = false;
        for (const auto& known : out.module_paths) seen = seen || known == dir;
        if (!seen) out.module_paths.push_back(dir);
    }
    const json& modules = config.value("module_paths", json::array());
    for (std::size_t i = 0; i < modules.size(); ++i) {
        if (!modules[i].is_string())
            throw std::runtime_error("config.module_paths[" + std::to_string(i) + "]: expected a directory, got " +
                                     modules[i].dump());
        out.module_paths.push_back(resolve(modules[i].get<std::string>(), base_dir));
    }

    out.instruction_limit = config.value("instruction_limit", std::int64_t{10000000});
    if (out.instruction_limit < min_instruction_limit)
        throw std::runtime_error("config.instruction_limit: at least " + std::to_string(min_instruction_limit) +
                                 " (got " + std::to_string(out.instruction_limit) + ")");
    const auto memory = config.value("memory_limit", std::int64_t{32 << 20});
    if (memory < static_cast<std::int64_t>(min_memory_limit))
        throw std::runtime_error("config.memory_limit: at least " + std::to_string(min_memory_limit) +
                                 " bytes (got " + std::to_string(memory) + ")");
    out.memory_limit = static_cast<std::size_t>(memory);
    out.script_settings = config.value("settings", json::object());
    return out;
}

}  // namespace switchboard::plugins::lua
