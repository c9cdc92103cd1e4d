#include "kernel/config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace switchboard::kernel::config::detail {

namespace {

struct unit {
    std::string_view name;
    std::uint64_t factor;
};

// No unit means the base unit: "an integer is milliseconds / bytes" reads naturally and
// keeps plain YAML numbers valid.
constexpr unit duration_units[] = {
    {"", 1}, {"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000},
};

// Both SI (MB = 10^6, what socket.io's maxHttpBufferSize default of 1e6 is) and binary
// (MiB = 2^20) units, because people mean both; "KB" is accepted as the common
// misspelling of "kB".
constexpr unit size_units[] = {
    {"", 1},
    {"B", 1},
    {"kB", 1'000},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"KiB", std::uint64_t{1} << 10},
    {"MiB", std::uint64_t{1} << 20},
    {"GiB", std::uint64_t{1} << 30},
};

// "<digits>[spaces]<unit>", digits only: no sign (nothing here may be negative), no
// fraction (a config value is not the place for rounding questions).
std::optional<std::uint64_t> parse_with_unit(std::string_view text, std::span<const unit> units,
                                             std::uint64_t max) {
    const auto digits_end = std::find_if(text.begin(), text.end(),
                                         [](char c) { return c < '0' || c > '9'; });
    const auto digit_count = static_cast<std::size_t>(digits_end - text.begin());
    if (digit_count == 0) return std::nullopt;

    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digit_count, value);
    if (ec != std::errc{} || end != text.data() + digit_count) return std::nullopt;

    std::string_view rest = text.substr(digit_count);
    const auto unit_start = rest.find_first_not_of(' ');
    const std::string_view unit_name =
        unit_start == std::string_view::npos ? std::string_view{} : rest.substr(unit_start);
    if (unit_name.empty() && !rest.empty()) return std::nullopt;

    for (const auto& u : units) {
        if (u.name != unit_name) continue;
        if (value > max / u.factor) return std::nullopt;
        return value * u.factor;
    }
    return std::nullopt;
}

std::string quote(std::string_view text) {
    constexpr std::size_t shown = 60;
    std::string out = "\"";
    for (const char c : text.substr(0, shown)) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default: out += c;
        }
    }
    if (text.size() > shown) out += "...";
    out += '"';
    return out;
}

// Optimal string alignment distance: a swapped pair of letters ("prot") is one edit,
// which is the typo people make most.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> valid_keys) {
    std::optional<std::string_view> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto candidate : valid_keys) {
        const auto distance = edit_distance(key, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    // Only a near miss is worth suggesting; "foo" is not a typo of "port".
    if (best && best_distance <= 2 && best_distance * 2 < key.size()) return best;
    return std::nullopt;
}

std::string join(std::span<const std::string_view> names) {
    std::string out;
    for (const auto name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

}  // namespace

yaml_value::yaml_value(std::string file, YAML::Node node, std::string path, YAML::Mark mark)
    : file_(std::move(file)), node_(std::move(node)), path_(std::move(path)), mark_(mark) {}

int yaml_value::line_of(const YAML::Mark& mark) noexcept {
    return mark.is_null() ? 0 : mark.line + 1;
}

int yaml_value::column_of(const YAML::Mark& mark) noexcept {
    return mark.is_null() ? 0 : mark.column + 1;
}

void yaml_value::fail(std::string_view message) const {
    std::string text = path_.empty() ? std::string(message) : path_ + ": " + std::string(message);
    throw config_error(file_, line_of(mark_), column_of(mark_), std::move(text));
}

void yaml_value::fail_expected(std::string_view expectation) const {
    fail("expected " + std::string(expectation) + ", got " + describe());
}

std::string yaml_value::describe() const {
    switch (node_.Type()) {
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return quote(node_.Scalar());
        case YAML::NodeType::Sequence: return node_.size() == 0 ? "an empty list" : "a list";
        case YAML::NodeType::Map: return node_.size() == 0 ? "an empty map" : "a map";
        case YAML::NodeType::Undefined: break;
    }
    return "an undefined value";
}

std::string yaml_value::as_string(std::string_view expectation) const {
    if (!node_.IsScalar()) fail_expected(expectation);
    return node_.Scalar();
}

std::int64_t yaml_value::as_integer(std::int64_t min, std::int64_t max,
                                    std::string_view expectation) const {
    if (!node_.IsScalar()) fail_expected(expectation);
    const std::string& text = node_.Scalar();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
        value > max) {
        fail_expected(expectation);
    }
    return value;
}

bool yaml_value::as_bool() const {
    if (node_.IsScalar()) {
        const std::string& text = node_.Scalar();
        if (text == "true" || text == "True" || text == "TRUE") return true;
        if (text == "false" || text == "False" || text == "FALSE") return false;
    }
    fail_expected("true or false");
}

milliseconds yaml_value::as_duration() const {
    if (node_.IsScalar()) {
        const auto max = static_cast<std::uint64_t>(std::numeric_limits<milliseconds::rep>::max());
        if (const auto ms = parse_with_unit(node_.Scalar(), duration_units, max))
            return milliseconds{static_cast<milliseconds::rep>(*ms)};
    }
    fail_expected("a duration such as 250ms, 25s, 2m or 1h (a bare integer is milliseconds)");
}

std::size_t yaml_value::as_size() const {
    if (node_.IsScalar()) {
        if (const auto bytes = parse_with_unit(node_.Scalar(), size_units,
                                               std::numeric_limits<std::size_t>::max()))
            return static_cast<std::size_t>(*bytes);
    }
    fail_expected("a size such as 512B, 64KiB, 1MiB or 1MB (a bare integer is bytes)");
}

std::vector<yaml_value> yaml_value::as_list() const {
    if (!node_.IsSequence()) fail_expected("a list");
    std::vector<yaml_value> items;
    std::size_t index = 0;
    for (const auto& item : node_) {
        auto mark = item.IsNull() ? mark_ : item.Mark();
        items.emplace_back(file_, item, path_ + "[" + std::to_string(index) + "]", mark);
        ++index;
    }
    return items;
}

std::vector<std::string> yaml_value::as_string_list() const {
    std::vector<std::string> out;
    for (const auto& item : as_list()) out.push_back(item.as_string());
    return out;
}

yaml_map yaml_value::as_map(std::span<const std::string_view> valid_keys) const {
    if (node_.IsNull()) return yaml_map({});
    if (!node_.IsMap()) fail_expected("a map of settings (" + join(valid_keys) + ")");

    std::vector<std::pair<std::string, yaml_value>> entries;
    std::vector<YAML::Mark> key_marks;  // parallel to entries, to point at a first occurrence
    for (const auto& pair : node_) {
        const YAML::Node& key = pair.first;
        const YAML::Node& value = pair.second;
        if (!key.IsScalar()) {
            yaml_value(file_, key, path_, key.Mark()).fail_expected("a key name");
        }
        const std::string& name = key.Scalar();
        std::string child_path = path_.empty() ? name : path_ + "." + name;
        const yaml_value key_at(file_, key, child_path, key.Mark());

        if (std::find(valid_keys.begin(), valid_keys.end(), name) == valid_keys.end()) {
            std::string message = "unknown key";
            if (const auto suggestion = closest_key(name, valid_keys))
                message += " (did you mean \"" + std::string(*suggestion) + "\"?)";
            message += path_.empty() ? "; valid top-level keys are: "
                                     : "; valid keys in " + path_ + " are: ";
            message += join(valid_keys);
            key_at.fail(message);
        }
        // yaml-cpp keeps both entries of a repeated key and lookups see the first, so the
        // second would be ignored without a word.
        const auto previous = std::find_if(entries.begin(), entries.end(),
                                           [&](const auto& entry) { return entry.first == name; });
        if (previous != entries.end()) {
            const auto& first = key_marks[static_cast<std::size_t>(previous - entries.begin())];
            key_at.fail("repeated key (first given at line " + std::to_string(line_of(first)) +
                        "); keep only one of them");
        }
        key_marks.push_back(key.Mark());
        entries.emplace_back(name, yaml_value(file_, value, std::move(child_path),
                                              value.IsNull() ? key.Mark() : value.Mark()));
    }
    return yaml_map(std::move(entries));
}

std::optional<yaml_value> yaml_map::find(std::string_view key) const {
    for (const auto& [name, value] : entries_) {
        if (name == key) return value;
    }
    return std::nullopt;
}

}  // namespace switchboard::kernel::config::detail

namespace switchboard::kernel::config::detail {

namespace {

nlohmann::json scalar_to_json(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    // yaml-cpp tags quoted scalars "!": they are strings whatever they look like.
    if (node.Tag() == "!") return text;
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    std::int64_t integer = 0;
    const char* end = text.data() + text.size();
    if (auto [ptr, ec] = std::from_chars(text.data(), end, integer); ec == std::errc{} && ptr == end) return integer;
    double number = 0;
    if (auto [ptr, ec] = std::from_chars(text.data(), end, number); ec == std::errc{} && ptr == end) return number;
    return text;
}

nlohmann::json node_to_json(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence: {
            auto out = nlohmann::json::array();
            for (const auto& item : node) out.push_back(node_to_json(item));
            return out;
        }
        case YAML::NodeType::Map: {
            auto out = nlohmann::json::object();
            for (const auto& entry : node) out[entry.first.as<std::string>()] = node_to_json(entry.second);
            return out;
        }
        case YAML::NodeType::Scalar:
            return scalar_to_json(node);
        default:
            return nullptr;
    }
}

}  // namespace

nlohmann::json yaml_value::as_json() const { return node_to_json(node_); }

std::vector<std::pair<std::string, source_position>> yaml_value::key_positions() const {
    std::vector<std::pair<std::string, source_position>> out;
    if (!node_.IsMap()) return out;
    for (const auto& entry : node_) {
        const auto mark = entry.first.Mark();
        out.emplace_back(entry.first.as<std::string>(), source_position{line_of(mark), column_of(mark)});
    }
    return out;
}

}  // namespace switchboard::kernel::config::detail
