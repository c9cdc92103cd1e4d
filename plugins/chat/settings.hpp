// The plugin's configuration, read once at load and checked beyond what the schema
// can say (ranges, the banned-words action).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

enum class banned_action { reject, mask };

struct settings {
    std::string nsp = "/";
    std::size_t max_length = 1000;          // characters (code points) of a message
    std::vector<std::string> banned_words;  // lower-cased
    banned_action on_banned = banned_action::reject;
    std::chrono::seconds edit_window{900};  // zero: no limit
    std::chrono::seconds delete_window{0};  // zero: no limit
    std::size_t rate_limit_messages = 10;   // zero: no limit
    std::chrono::seconds rate_limit_window{10};
    std::size_t history_limit = 50;
    std::chrono::milliseconds typing_timeout{5000};
    // Direct conversations ask the social graph (README.md, Message requests).
    bool message_requests = false;
};

// The most messages one chat:history page may ask for.
inline constexpr std::size_t max_history_limit = 100;

// The config keys, as SWITCHBOARD_PLUGIN wants them.
extern const char* const config_schema;

// Throws std::runtime_error naming the key when a value is out of range: the plugin
// then refuses to load, and a required plugin stops the server's start.
settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::chat
