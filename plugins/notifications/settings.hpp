// The plugin's configuration, read once at load and checked beyond what the schema
// can say (ranges, the API key's source).
#pragma once

#include <cstddef>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::notifications {

struct settings {
    std::string nsp = "/";
    std::string announce_role = "admin";
    std::string api_key;   // empty: the HTTP API is off
    std::size_t max_title_length = 200;
    std::size_t max_message_length = 2000;
    std::size_t max_data_bytes = 8192;
    std::size_t max_recipients = 100;
    std::size_t page_size = 20;
    std::size_t max_page_size = 100;
    std::size_t unread_on_connect = 50;
};

// The config keys, as SWITCHBOARD_PLUGIN wants them.
extern const char* const config_schema;

// Throws std::runtime_error naming the key when a value is out of range: the
// plugin then refuses to load, and a required plugin stops the server's start.
settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::notifications
