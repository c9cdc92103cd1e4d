#include "kernel/plugins/config_schema.hpp"

#include <optional>
#include <regex>

namespace switchboard::kernel::plugins {

using nlohmann::json;

namespace {

const char* const types[] = {"string", "integer", "number", "boolean", "array", "object"};

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

std::size_t utf8_length(const std::string& text) {
    std::size_t count = 0;
    for (const unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++count;
    return count;
}

// What "min" and "max" bound: the value of a number, the length of a string or an array.
std::optional<double> measure(const json& value) {
    if (value.is_number()) return value.get<double>();
    if (value.is_string()) return static_cast<double>(utf8_length(value.get<std::string>()));
    if (value.is_array()) return static_cast<double>(value.size());
    return std::nullopt;
}

std::string bound_text(const json& bound, const json& value) {
    const std::string number = bound.dump();
    if (value.is_string()) return number + " characters";
    if (value.is_array()) return number + " items";
    return number;
}

std::string short_dump(const json& value) {
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
}

}  // namespace

std::optional<std::string> schema_problem(const json& spec) {
    if (!spec.is_object() || !spec.contains("type") || !spec["type"].is_string()) return "has no type";
    const std::string type = spec["type"].get<std::string>();
    if (std::find(std::begin(types), std::end(types), type) == std::end(types))
        return "has an unknown type \"" + type + "\"";
    for (const char* bound : {"min", "max"}) {
        if (!spec.contains(bound)) continue;
        if (!spec[bound].is_number()) return std::string("has a non-numeric \"") + bound + "\"";
        if (type == "boolean" || type == "object")
            return std::string("has \"") + bound + "\" on a " + type + " (only numbers, strings and arrays)";
    }
    if (spec.contains("min") && spec.contains("max") && spec["min"].get<double>() > spec["max"].get<double>())
        return "has \"min\" above \"max\"";
    if (spec.contains("enum") && (!spec["enum"].is_array() || spec["enum"].empty()))
        return "has an \"enum\" that is not a non-empty array";
    if (spec.contains("pattern")) {
        if (!spec["pattern"].is_string() || type != "string") return "has a \"pattern\" that is not a string's";
        try {
            std::regex(spec["pattern"].get<std::string>(), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return "has an invalid \"pattern\" (" + std::string(e.what()) + ")";
        }
    }
    if (spec.contains("items")) {
        if (type != "array") return "has \"items\" on a " + type;
        if (auto problem = schema_problem(spec["items"])) return "has \"items\" that " + *problem;
    }
    return std::nullopt;
}

std::optional<std::string> value_problem(const json& value, const json& spec, const std::string& path) {
    const std::string type = spec["type"].get<std::string>();
    if (!has_type(value, type)) return path + ": expected " + article(type) + ", got " + short_dump(value);
    if (const auto found = spec.find("enum"); found != spec.end()) {
        if (std::find(found->begin(), found->end(), value) == found->end())
            return path + ": " + short_dump(value) + " is not one of " + short_dump(*found);
    }
    if (const auto size = measure(value)) {
        if (spec.contains("min") && *size < spec["min"].get<double>())
            return path + ": " + short_dump(value) + " is below the minimum of " + bound_text(spec["min"], value);
        if (spec.contains("max") && *size > spec["max"].get<double>())
            return path + ": " + short_dump(value) + " is above the maximum of " + bound_text(spec["max"], value);
    }
    if (const auto found = spec.find("pattern"); found != spec.end()) {
        const std::regex pattern(found->get<std::string>(), std::regex::ECMAScript);
        if (!std::regex_match(value.get<std::string>(), pattern))
            return path + ": " + short_dump(value) + " does not match the pattern " + found->get<std::string>();
    }
    if (const auto found = spec.find("items"); found != spec.end()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            if (auto problem = value_problem(value[i], *found, path + "[" + std::to_string(i) + "]")) return problem;
    }
    return std::nullopt;
}

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
    // The plugin's own mistakes, reported at its entry: a key's schema, or a default
    // its schema refuses.
    std::string accepted;
    for (const auto& [key, spec] : schema.items()) {
        if (auto problem = schema_problem(spec))
            fail_at(plugin.position, "plugin " + plugin.name + " declares key \"" + key + "\" that " + *problem);
        if (spec.contains("default"))
            if (auto problem = value_problem(spec["default"], spec, "default of " + key))
                fail_at(plugin.position, "plugin " + plugin.name + " declares an invalid " + *problem);
        accepted += (accepted.empty() ? "" : ", ") + key;
    }

    json result = json::object();
    for (const auto& [key, value] : plugin.config.items()) {
        const auto spec = schema.find(key);
        if (spec == schema.end()) {
            fail_at(position_of(key), where + "." + key + ": unknown key; plugin " + plugin.name +
                                          (accepted.empty() ? " takes no settings" : " accepts: " + accepted));
        }
        if (auto problem = value_problem(value, *spec, where + "." + key)) fail_at(position_of(key), *problem);
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
