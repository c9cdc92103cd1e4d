// The plugin's config section, checked and with script paths resolved.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchboard::plugins::lua {

// The keys the plugin declares to the kernel (which validates types and fills defaults).
extern const char* const config_schema_json;

struct script_file {
    std::string name;             // as written in the config: what logs and errors show
    std::filesystem::path path;   // absolute
};

struct settings {
    std::vector<script_file> scripts;
    std::vector<std::filesystem::path> module_paths;   // where require() looks, in order
    std::int64_t instruction_limit = 0;                // per event, hook or timer run
    std::size_t memory_limit = 0;                      // bytes per lua_State
    nlohmann::ordered_json script_settings = nlohmann::ordered_json::object();   // switchboard.config
};

// Reads the validated config section. Relative paths are meant from `base_dir` (the
// deployment's directory). Throws std::runtime_error naming the key that is wrong.
settings read_settings(const nlohmann::ordered_json& config, const std::filesystem::path& base_dir);

}  // namespace switchboard::plugins::lua
