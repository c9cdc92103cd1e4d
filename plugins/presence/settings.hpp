// The presence plugin's config section, checked beyond the kernel's type check.
#pragma once

#include <chrono>
#include <cstddef>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::presence {

using json = sdk::json;

struct settings {
    std::size_t max_user_ids = 100;                  // user ids in one subscribe or unsubscribe
    std::size_t max_subscriptions = 1000;            // users one socket follows at once
    std::chrono::milliseconds count_interval{1000};  // presence:count at most this often
};

// The declared keys, their types and defaults (the kernel validates types with it).
inline constexpr const char* config_schema = R"json({
  "max_user_ids": {"type": "integer", "default": 100,
    "description": "most user ids in one presence:subscribe or presence:unsubscribe (1-10000)"},
  "max_subscriptions": {"type": "integer", "default": 1000,
    "description": "most users one socket follows at once (1-100000)"},
  "count_interval_ms": {"type": "integer", "default": 1000,
    "description": "presence:count is sent at most once per this many milliseconds (50-3600000)"}
})json";

// Throws std::invalid_argument naming the key and its accepted range: the plugin then
// refuses to load, and the deployment says why.
settings read_settings(const json& config);

}  // namespace switchboard::plugins::presence
