#include "settings.hpp"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace switchboard::plugins::notifications {

const char* const config_schema = R"({
  "namespace": {"type": "string", "default": "/",
                "description": "the namespace whose sockets get notifications and may use the events"},
  "announce_role": {"type": "string", "default": "admin",
                    "description": "the role (JWT claim roles) a user needs to send announcements"},
  "api_key": {"type": "string", "default": "",
              "description": "shared secret for the HTTP API (Authorization: Bearer <key>); empty: API off"},
  "api_key_env": {"type": "string", "default": "",
                  "description": "environment variable holding the API key, used when api_key is empty"},
  "max_title_length": {"type": "integer", "default": 200, "description": "longest title, in characters"},
  "max_message_length": {"type": "integer", "default": 2000, "description": "longest message, in characters"},
  "max_data_bytes": {"type": "integer", "default": 8192, "description": "largest data object, as JSON text"},
  "max_recipients": {"type": "integer", "default": 100, "description": "most users one send may address"},
  "page_size": {"type": "integer", "default": 20, "description": "notification:list page size by default"},
  "max_page_size": {"type": "integer", "default": 100, "description": "largest page notification:list gives"},
  "unread_on_connect": {"type": "integer", "default": 50,
                        "description": "most unread notifications sent to a socket when it connects"}
})";

namespace {

std::size_t ranged(const sdk::json& config, const char* key, std::int64_t low, std::int64_t high) {
    const std::int64_t value = config.at(key).get<std::int64_t>();
    if (value < low || value > high)
        throw std::runtime_error(std::string(key) + " must be between " + std::to_string(low) + " and " +
                                 std::to_string(high) + ", got " + std::to_string(value));
    return static_cast<std::size_t>(value);
}

}  // namespace

settings read_settings(const sdk::json& config) {
    settings out;
    out.nsp = config.at("namespace").get<std::string>();
    if (out.nsp.empty() || out.nsp.front() != '/')
        throw std::runtime_error("namespace must start with /, got \"" + out.nsp + "\"");
    out.announce_role = config.at("announce_role").get<std::string>();
    if (out.announce_role.empty()) throw std::runtime_error("announce_role must not be empty");

    out.api_key = config.at("api_key").get<std::string>();
    const auto env_name = config.at("api_key_env").get<std::string>();
    if (out.api_key.empty() && !env_name.empty()) {
        if (const char* value = std::getenv(env_name.c_str())) out.api_key = value;
    }
    // A short shared secret is guessable over HTTP; refuse it rather than run with it.
    if (!out.api_key.empty() && out.api_key.size() < 16)
        throw std::runtime_error("the API key must be at least 16 characters long");

    out.max_title_length = ranged(config, "max_title_length", 1, 10'000);
    out.max_message_length = ranged(config, "max_message_length", 1, 100'000);
    out.max_data_bytes = ranged(config, "max_data_bytes", 2, 1'000'000);
    out.max_recipients = ranged(config, "max_recipients", 1, 10'000);
    out.max_page_size = ranged(config, "max_page_size", 1, 1'000);
    out.page_size = ranged(config, "page_size", 1, static_cast<std::int64_t>(out.max_page_size));
    out.unread_on_connect = ranged(config, "unread_on_connect", 0, 1'000);
    return out;
}

}  // namespace switchboard::plugins::notifications
