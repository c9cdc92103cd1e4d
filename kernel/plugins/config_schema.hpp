// Validates a plugin's `config:` section against the keys the plugin declares.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kernel/config/config.hpp"

namespace switchboard::kernel::plugins {

// Checks `plugin.config` against `schema_json` (the descriptor's config_schema_json,
// may be null) and returns the config with defaults filled in. Throws
// config::config_error at the offending key's position in `config_file`: an unknown
// key, a value of the wrong type or out of its min/max/enum/pattern/items, a missing
// required key, or a malformed schema or default (the plugin's fault, reported at the
// plugin's entry).
// Why one key's schema ({"type", "default", "min", "max", "enum", "pattern", "items"})
// is malformed, or nothing.
std::optional<std::string> schema_problem(const nlohmann::json& spec);
// Why `value` breaks `spec` (a well-formed schema), naming it `path`, or nothing.
std::optional<std::string> value_problem(const nlohmann::json& value, const nlohmann::json& spec,
                                         const std::string& path);

nlohmann::json validate_plugin_config(const config::plugin_settings& plugin, const char* schema_json,
                                      const std::string& config_file);

}  // namespace switchboard::kernel::plugins
