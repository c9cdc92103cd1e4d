// The kernel's check of a plugin's config section against its schema (SDK 1.1: min,
// max, enum, pattern, items): each violation names the key and is reported at the
// key's own file:line; a malformed schema or default is the plugin's fault, at its entry.
#include "kernel/plugins/config_schema.hpp"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using switchboard::kernel::config::config_error;
using switchboard::kernel::config::plugin_settings;
using switchboard::kernel::plugins::schema_problem;
using switchboard::kernel::plugins::validate_plugin_config;
using switchboard::kernel::plugins::value_problem;

// A plugin entry at line 10 whose keys sit on lines 12, 13...
plugin_settings plugin_with(json config) {
    plugin_settings plugin;
    plugin.name = "demo";
    plugin.position = {10, 5};
    plugin.config = std::move(config);
    int line = 12;
    for (const auto& [key, value] : plugin.config.items()) plugin.config_keys[key] = {line++, 7};
    return plugin;
}

constexpr const char* schema = R"({
  "limit": {"type": "integer", "default": 5, "min": 1, "max": 100},
  "ratio": {"type": "number", "default": 0.5, "min": 0, "max": 1},
  "name": {"type": "string", "default": "ab", "min": 2, "max": 4},
  "mode": {"type": "string", "default": "fast", "enum": ["fast", "safe"]},
  "nsp": {"type": "string", "default": "/", "pattern": "/[a-z]*"},
  "rooms": {"type": "array", "default": [], "max": 2, "items": {"type": "string", "min": 1}}
})";

// The error validate_plugin_config throws for `config`, as "<line>: <message>".
std::string refusal_of(json config, const char* plugin_schema = schema) {
    try {
        validate_plugin_config(plugin_with(std::move(config)), plugin_schema, "deploy.yaml");
    } catch (const config_error& e) {
        return std::to_string(e.line()) + ": " + e.message();
    }
    return "accepted";
}

TEST(ConfigSchema, ValuesWithinTheirBoundsPassAndDefaultsFillTheRest) {
    const auto result = validate_plugin_config(plugin_with({{"limit", 100}, {"name", "abcd"}, {"rooms", {"a", "b"}}}),
                                               schema, "deploy.yaml");
    EXPECT_EQ(result["limit"], 100);
    EXPECT_EQ(result["name"], "abcd");
    EXPECT_EQ(result["mode"], "fast");
    EXPECT_EQ(result["nsp"], "/");
    EXPECT_EQ(result["rooms"], json({"a", "b"}));
}

TEST(ConfigSchema, NumbersOutsideMinAndMaxAreRefusedAtTheirLine) {
    EXPECT_EQ(refusal_of({{"limit", 0}}), "12: plugins.demo.config.limit: 0 is below the minimum of 1");
    EXPECT_EQ(refusal_of({{"limit", 101}}), "12: plugins.demo.config.limit: 101 is above the maximum of 100");
    EXPECT_EQ(refusal_of({{"ratio", 1.5}}), "12: plugins.demo.config.ratio: 1.5 is above the maximum of 1");
    EXPECT_EQ(refusal_of({{"ratio", 1}}), "accepted");   // an integer is a number
}

TEST(ConfigSchema, MinAndMaxBoundAStringsCharactersAndAnArraysItems) {
    EXPECT_EQ(refusal_of({{"name", "a"}}), "12: plugins.demo.config.name: \"a\" is below the minimum of 2 characters");
    EXPECT_EQ(refusal_of({{"name", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"}}), "accepted");   // 4 characters, 8 bytes
    EXPECT_EQ(refusal_of({{"rooms", {"a", "b", "c"}}}),
              "12: plugins.demo.config.rooms: [\"a\",\"b\",\"c\"] is above the maximum of 2 items");
}

TEST(ConfigSchema, EnumPatternAndItemsAreChecked) {
    EXPECT_EQ(refusal_of({{"mode", "quick"}}), "12: plugins.demo.config.mode: \"quick\" is not one of [\"fast\",\"safe\"]");
    EXPECT_EQ(refusal_of({{"nsp", "/chat"}}), "accepted");
    EXPECT_EQ(refusal_of({{"nsp", "chat"}}), "12: plugins.demo.config.nsp: \"chat\" does not match the pattern /[a-z]*");
    EXPECT_EQ(refusal_of({{"nsp", "/chat/x"}}),   // the whole string must match
              "12: plugins.demo.config.nsp: \"/chat/x\" does not match the pattern /[a-z]*");
    EXPECT_EQ(refusal_of({{"rooms", {"a", ""}}}),
              "12: plugins.demo.config.rooms[1]: \"\" is below the minimum of 1 characters");
    EXPECT_EQ(refusal_of({{"rooms", {"a", 7}}}), "12: plugins.demo.config.rooms[1]: expected a string, got 7");
}

TEST(ConfigSchema, TheFirstOffendingKeyIsReportedAtItsOwnLine) {
    // Keys are on lines 12, 13, 14 in the order of the section (sorted here).
    EXPECT_EQ(refusal_of({{"limit", 5}, {"mode", "fast"}, {"name", "x"}}),
              "14: plugins.demo.config.name: \"x\" is below the minimum of 2 characters");
}

TEST(ConfigSchema, AMalformedSchemaIsThePluginsFaultAtItsEntry) {
    EXPECT_EQ(refusal_of(json::object(), R"({"n": {"type": "integer", "min": "one"}})"),
              "10: plugin demo declares key \"n\" that has a non-numeric \"min\"");
    EXPECT_EQ(refusal_of(json::object(), R"({"n": {"type": "integer", "min": 5, "max": 1}})"),
              "10: plugin demo declares key \"n\" that has \"min\" above \"max\"");
    EXPECT_EQ(refusal_of(json::object(), R"({"s": {"type": "string", "pattern": "("}})").rfind(
                  "10: plugin demo declares key \"s\" that has an invalid \"pattern\"", 0),
              0u);
    EXPECT_EQ(refusal_of(json::object(), R"({"e": {"type": "string", "enum": []}})"),
              "10: plugin demo declares key \"e\" that has an \"enum\" that is not a non-empty array");
    EXPECT_EQ(refusal_of(json::object(), R"({"a": {"type": "array", "items": {"min": 1}}})"),
              "10: plugin demo declares key \"a\" that has \"items\" that has no type");
    EXPECT_EQ(refusal_of(json::object(), R"({"t": {"type": "text"}})"),
              "10: plugin demo declares key \"t\" that has an unknown type \"text\"");
    EXPECT_EQ(refusal_of(json::object(), R"({"n": {"type": "integer", "default": 0, "min": 1}})"),
              "10: plugin demo declares an invalid default of n: 0 is below the minimum of 1");
}

TEST(ConfigSchema, TheCheckersAnswerWithoutThrowing) {
    EXPECT_FALSE(schema_problem(json{{"type", "integer"}, {"min", 0}}));
    EXPECT_TRUE(schema_problem(json{{"type", "boolean"}, {"max", 1}}));
    EXPECT_FALSE(value_problem(3, json{{"type", "integer"}, {"enum", {1, 2, 3}}}, "x"));
    EXPECT_EQ(value_problem(4, json{{"type", "integer"}, {"enum", {1, 2, 3}}}, "x"), "x: 4 is not one of [1,2,3]");
}

}  // namespace
