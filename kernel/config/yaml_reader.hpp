// Typed, located reads from a parsed YAML tree. Every read either returns a value of
// the expected kind or throws config_error naming the file, the 1-based line and column
// of the offending node, its dotted path ("engineio.ping_interval") and what was
// expected. The schema (which keys exist, their bounds) lives in config.cpp.
#pragma once

#include "kernel/config/config.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace switchboard::kernel::config::detail {

class yaml_map;

// A node plus what is needed to blame it: the file, the dotted path, and a mark.
class yaml_value {
public:
    // `mark` is where errors point; for an empty value (`key:` with nothing after it)
    // yaml-cpp's own mark is the start of the next line, so the caller passes the key's.
    yaml_value(std::string file, YAML::Node node, std::string path, YAML::Mark mark);

    const std::string& path() const noexcept { return path_; }
    const YAML::Node& node() const noexcept { return node_; }
    bool is_null() const { return node_.IsNull(); }
    bool is_scalar() const { return node_.IsScalar(); }
    bool is_list() const { return node_.IsSequence(); }

    // "path: <message>" at this node.
    [[noreturn]] void fail(std::string_view message) const;
    // "path: expected <expectation>, got <what the node holds>" at this node.
    [[noreturn]] void fail_expected(std::string_view expectation) const;
    // The node's content as quoted in messages: "fast", a list, a map, nothing.
    std::string describe() const;

    // Any scalar, quoted or not; `expectation` is what the message asks for otherwise.
    std::string as_string(std::string_view expectation = "a string") const;
    // A decimal integer within [min, max]; `expectation` should state the range.
    std::int64_t as_integer(std::int64_t min, std::int64_t max,
                            std::string_view expectation) const;
    // Only true/false (any case of YAML 1.2's core schema): yes/no/on/off mean a bool
    // in YAML 1.1 and a string in 1.2, so they are refused rather than guessed.
    bool as_bool() const;
    // An integer (milliseconds) or an integer with a unit: ms, s, m, h. Never negative.
    milliseconds as_duration() const;
    // An integer (bytes) or an integer with a unit: B, kB/KB, MB, GB, KiB, MiB, GiB.
    std::size_t as_size() const;

    std::vector<yaml_value> as_list() const;
    std::vector<std::string> as_string_list() const;
    // A map whose keys must all be in `valid_keys`: an unknown key is an error that
    // lists the valid ones (and suggests the closest), a repeated key is an error too.
    // An empty value counts as an empty map, so a section with every key commented out
    // still loads.
    yaml_map as_map(std::span<const std::string_view> valid_keys) const;

    // The node as JSON. Plain scalars are typed as YAML 1.2's core schema reads them
    // (null, true/false, integers, floats); quoted scalars stay strings.
    nlohmann::json as_json() const;
    // A map's keys with where each was written, in file order (any keys accepted).
    std::vector<std::pair<std::string, source_position>> key_positions() const;

    // The error location of a mark: 1-based, 0 when unknown.
    static int line_of(const YAML::Mark& mark) noexcept;
    static int column_of(const YAML::Mark& mark) noexcept;

private:
    std::string file_;
    YAML::Node node_;
    std::string path_;
    YAML::Mark mark_;
};

class yaml_map {
public:
    explicit yaml_map(std::vector<std::pair<std::string, yaml_value>> entries)
        : entries_(std::move(entries)) {}

    std::optional<yaml_value> find(std::string_view key) const;

private:
    std::vector<std::pair<std::string, yaml_value>> entries_;
};

}  // namespace switchboard::kernel::config::detail
