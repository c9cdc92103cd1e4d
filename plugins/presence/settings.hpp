// The presence plugin's config section: its schema bounds every value, and the
// kernel checks them (SDK 1.1) and refuses a deployment at the offending line.
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

// The declared keys, their types, defaults and bounds.
inline constexpr const char* config_schema = R"json({
  "max_user_ids": {"type": "integer", "default": 100, "min": 1, "max": 10000,
    "description": "most user ids in one presence:subscribe or presence:unsubscribe"},
  "max_subscriptions": {"type": "integer", "default": 1000, "min": 1, "max": 100000,
    "description": "most users one socket follows at once"},
  "count_interval_ms": {"type": "integer", "default": 1000, "min": 50, "max": 3600000,
    "description": "presence:count is sent at most once per this many milliseconds"}
})json";

// The config the kernel validated against config_schema, as settings.
settings read_settings(const json& config);

}  // namespace switchboard::plugins::presence
