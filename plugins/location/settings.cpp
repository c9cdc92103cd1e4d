#include "settings.hpp"

#include <switchboard/settings.hpp>


namespace switchboard::plugins::location {

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace location serves"},
  "min_interval": {"type": "integer", "default": 1000,
                   "description": "milliseconds between two accepted shares of a user to one audience (0: no throttle)"},
  "ttl": {"type": "integer", "default": 300000,
          "description": "milliseconds a last known position is kept and given to joiners"},
  "max_recipients": {"type": "integer", "default": 50,
                     "description": "most users one share may address"},
  "max_rooms": {"type": "integer", "default": 32,
                "description": "most location rooms one socket may follow at once"}
})json";

settings read_settings(const sdk::json& config) {
    settings out;
    const sdk::config_reader reader(config, "location");
    out.nsp = reader.nsp();
    constexpr long long day_ms = 24LL * 3600 * 1000;
    out.min_interval = std::chrono::milliseconds(reader.integer("min_interval", 0, 3'600'000));
    out.ttl = std::chrono::milliseconds(reader.integer("ttl", 100, day_ms));
    out.max_recipients = static_cast<std::size_t>(reader.integer("max_recipients", 1, 1000));
    out.max_rooms = static_cast<std::size_t>(reader.integer("max_rooms", 1, 1000));
    return out;
}

}  // namespace switchboard::plugins::location
