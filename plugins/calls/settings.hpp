// The calls plugin's config section, read once at load and validated: a value out of
// range refuses the plugin with the key named.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::calls {

struct settings {
    std::string nsp = "/";
    std::chrono::milliseconds ring_timeout{30'000};
    std::size_t max_participants = 8;        // the caller included
    std::size_t max_signal_bytes = 65'536;   // an rtc:signal payload, as JSON text
    bool notify_missed = true;               // publish notifications:send for a missed call
    std::vector<std::string> stun_urls;
    std::vector<std::string> turn_urls;
    std::string turn_secret;                 // empty: no TURN credentials handed out
    std::chrono::seconds turn_ttl{86'400};
};

extern const char* const config_schema;

settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::calls
