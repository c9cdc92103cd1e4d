// Helpers for writing the Prometheus text exposition format (version 0.0.4): a
// family's HELP and TYPE lines, then its samples. Every component appends its own.
#pragma once

#include <string>
#include <string_view>

namespace switchboard::kernel {

// A label value with backslash, double quote and newline escaped, as the format asks.
std::string escape_label_value(std::string_view text);

namespace prometheus {

inline void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// `labels` without braces (`transport="polling"`), or empty.
template <class Value>
void append_sample(std::string& out, std::string_view name, std::string_view labels, Value value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(std::to_string(value)).append("\n");
}

// A family of one unlabelled sample.
template <class Value>
void append_single(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                   Value value) {
    append_family(out, name, type, help);
    append_sample(out, name, {}, value);
}

}  // namespace prometheus

}  // namespace switchboard::kernel
