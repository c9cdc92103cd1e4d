// The events plugin's configuration, read once at load and checked beyond what the
// schema can say (ranges, the banned-words action).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::events {

enum class banned_action { reject, mask };

struct settings {
    std::string nsp = "/";
    std::size_t max_length = 1000;          // characters (code points) of a message
    std::vector<std::string> banned_words;  // lower-cased
    banned_action on_banned = banned_action::reject;
    std::size_t history_limit = 50;
    std::chrono::milliseconds typing_timeout{5000};
    bool self_participation = false;        // users may set their own participation
};

inline constexpr std::size_t max_history_limit = 100;

extern const char* const config_schema;

// Throws std::runtime_error naming the key when a value is out of range.
settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::events
