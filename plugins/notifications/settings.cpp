#include "settings.hpp"

#include <cstdlib>
#include <stdexcept>

namespace switchboard::plugins::notifications {

const char* const config_schema = R"({
  "namespace": {"type": "string", "default": "/", "pattern": "/.*",
                "description": "the namespace whose sockets get notifications and may use the events"},
  "announce_role": {"type": "string", "default": "admin", "min": 1,
                    "description": "the role (JWT claim roles) a user needs to send announcements"},
  "api_key": {"type": "string", "default": "",
              "description": "shared secret for the HTTP API (Authorization: Bearer <key>); empty: API off"},
  "api_key_env": {"type": "string", "default": "",
                  "description": "environment variable holding the API key, used when api_key is empty"},
  "max_title_length": {"type": "integer", "default": 200, "min": 1, "max": 10000, "description": "longest title, in characters"},
  "max_message_length": {"type": "integer", "default": 2000, "min": 1, "max": 100000, "description": "longest message, in characters"},
  "max_data_bytes": {"type": "integer", "default": 8192, "min": 2, "max": 1000000, "description": "largest data object, as JSON text"},
  "max_recipients": {"type": "integer", "default": 100, "min": 1, "max": 10000, "description": "most users one send may address"},
  "page_size": {"type": "integer", "default": 20, "min": 1, "max": 1000, "description": "notification:list page size by default"},
  "max_page_size": {"type": "integer", "default": 100, "min": 1, "max": 1000, "description": "largest page notification:list gives"},
  "unread_on_connect": {"type": "integer", "default": 50, "min": 0, "max": 1000,
                        "description": "most unread notifications sent to a socket when it connects"}
})";

namespace {

std::size_t count_of(const sdk::json& config, const char* key) { return config.at(key).get<std::size_t>(); }

}  // namespace

settings read_settings(const sdk::json& config) {
    settings out;
    // The schema's pattern and bounds were checked by the kernel, at the value's line.
    out.nsp = config.at("namespace").get<std::string>();
    out.announce_role = config.at("announce_role").get<std::string>();

    out.api_key = config.at("api_key").get<std::string>();
    const auto env_name = config.at("api_key_env").get<std::string>();
    if (out.api_key.empty() && !env_name.empty()) {
        if (const char* value = std::getenv(env_name.c_str())) out.api_key = value;
    }
    // A short shared secret is guessable over HTTP; refuse it rather than run with it.
    if (!out.api_key.empty() && out.api_key.size() < 16)
        throw std::runtime_error("the API key must be at least 16 characters long");

    out.max_title_length = count_of(config, "max_title_length");
    out.max_message_length = count_of(config, "max_message_length");
    out.max_data_bytes = count_of(config, "max_data_bytes");
    out.max_recipients = count_of(config, "max_recipients");
    out.max_page_size = count_of(config, "max_page_size");
    out.page_size = count_of(config, "page_size");
    // A relation between two keys, which a schema cannot say.
    if (out.page_size > out.max_page_size)
        throw std::runtime_error("page_size must not exceed max_page_size (" + std::to_string(out.max_page_size) +
                                 "), got " + std::to_string(out.page_size));
    out.unread_on_connect = count_of(config, "unread_on_connect");
    return out;
}

}  // namespace switchboard::plugins::notifications
