#include "kernel/plugins/config_schema.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

namespace {

bool has_type(const json& value, const std::string& type) {
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    return false;
}

std::string article(const std::string& type) {
    return (type == "integer" || type == "array" || type == "object") ? "an " + type : "a " + type;
}

}  // namespace

json validate_plugin_config(const config::plugin_settings& plugin, const char* schema_json,
                            const std::string& config_file) {
    const std::string where = "plugins." + plugin.name + ".config";
    auto fail_at = [&](const config::source_position& at, const std::string& message) {
        throw config::config_error(config_file, at.line, at.column, message);
    };
    auto position_of = [&](const std::string& key) {
        const auto found = plugin.config_keys.find(key);
        return found == plugin.config_keys.end() ? plugin.position : found->second;
    };

    json schema = json::object();
    if (schema_json && *schema_json) {
        schema = json::parse(schema_json, nullptr, false);
        if (!schema.is_object())
            fail_at(plugin.position, "plugin " + plugin.name + " declares an invalid config schema (not a JSON object)");
    }
    std::string accepted;
    for (const auto& [key, spec] : schema.items()) {
        if (!spec.is_object() || !spec.contains("type") || !spec["type"].is_string())
            fail_at(plugin.position, "plugin " + plugin.name + " declares key \"" + key + "\" without a type");
        accepted += (accepted.empty() ? "" : ", ") + key;
    }

    json result = json::object();
    for (const auto& [key, value] : plugin.config.items()) {
        const auto spec = schema.find(key);
        if (spec == schema.end()) {
            fail_at(position_of(key), where + "." + key + ": unknown key; plugin " + plugin.name +
                                          (accepted.empty() ? " takes no settings" : " accepts: " + accepted));
        }
        const std::string type = (*spec)["type"].get<std::string>();
        if (!has_type(value, type))
            fail_at(position_of(key), where + "." + key + ": expected " + article(type) + ", got " + value.dump());
        result[key] = value;
    }
    for (const auto& [key, spec] : schema.items()) {
        if (result.contains(key)) continue;
        if (spec.contains("default")) {
            result[key] = spec["default"];
        } else {
            fail_at(plugin.position, where + ": missing required key \"" + key + "\"" +
                                         (spec.contains("description") && spec["description"].is_string()
                                              ? " (" + spec["description"].get<std::string>() + ")"
                                              : ""));
        }
    }
    return result;
}

}  // namespace switchboard::kernel::plugins
