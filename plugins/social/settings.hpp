// The social plugin's configuration, read once at load.
#pragma once

#include <cstddef>
#include <string>

#include <switchboard/sdk.hpp>

#include "presence_visibility.hpp"

namespace switchboard::plugins::social {

struct settings {
    std::string nsp = "/";
    std::size_t page_limit = 50;   // default page of the lists
    bool notify = true;            // follows and friend requests to notifications:send
    // Who sees a user's presence (presence_visibility.hpp); blocks hide it in every mode.
    presence_visibility presence = presence_visibility::everyone;
};

inline constexpr std::size_t max_page_limit = 100;

extern const char* const config_schema;

// Throws std::runtime_error naming the key when a value is out of range.
settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::social
