// The location plugin's config section, read once at load and validated: a value out
// of range refuses the plugin with the key named.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::location {

struct settings {
    std::string nsp = "/";
    // Shortest time between two accepted shares of one user to one audience.
    std::chrono::milliseconds min_interval{1000};
    // How long a last known position is kept (and given to joiners) after it was shared.
    std::chrono::milliseconds ttl{300'000};
    std::size_t max_recipients = 50;
    // Rooms one socket may follow at once: what a client can make the server hold is bounded.
    std::size_t max_rooms = 32;
};

extern const char* const config_schema;

settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::location
