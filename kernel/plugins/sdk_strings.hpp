// The SDK's string views (switchboard_str_t) to and from std::string_view: the one
// conversion every piece of the host makes at the C boundary.
#pragma once

#include <string_view>

#include "switchboard/sdk.h"

namespace switchboard::kernel::plugins {

// A plugin may pass {nullptr, 0} for an empty string.
inline std::string_view text(switchboard_str_t s) noexcept { return {s.data ? s.data : "", s.size}; }
inline switchboard_str_t view(std::string_view s) noexcept { return {s.data(), s.size()}; }

}  // namespace switchboard::kernel::plugins
