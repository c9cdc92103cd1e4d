// Helpers for writing the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <string>
#include <string_view>

namespace switchboard::kernel {

// A label value with backslash, double quote and newline escaped, as the format asks.
std::string escape_label_value(std::string_view text);

}  // namespace switchboard::kernel
