#include "settings.hpp"

#include <switchboard/settings.hpp>

#include <cstdlib>

namespace switchboard::plugins::calls {

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace calls serves"},
  "ring_timeout": {"type": "integer", "default": 30000,
                   "description": "milliseconds an invitee's devices ring before the call is missed"},
  "max_participants": {"type": "integer", "default": 8,
                       "description": "most people in one call, the caller included (2 to 32)"},
  "max_signal_bytes": {"type": "integer", "default": 65536,
                       "description": "largest rtc:signal payload, as JSON text"},
  "notify_missed": {"type": "boolean", "default": true,
                    "description": "publish a notifications:send for each missed call"},
  "stun_urls": {"type": "array", "default": [],
                "description": "STUN server URLs handed to members (stun:host:port)"},
  "turn_urls": {"type": "array", "default": [],
                "description": "TURN server URLs handed to members with credentials (turn:host:port?transport=udp)"},
  "turn_secret": {"type": "string", "default": "",
                  "description": "the TURN server's shared secret (use-auth-secret); empty: no TURN"},
  "turn_secret_env": {"type": "string", "default": "",
                      "description": "environment variable holding turn_secret, read when turn_secret is empty"},
  "turn_ttl": {"type": "integer", "default": 86400,
               "description": "seconds TURN credentials stay valid"}
})json";

namespace {

std::vector<std::string> urls(const sdk::config_reader& reader, const char* key, const char* scheme_a,
                              const char* scheme_b) {
    std::vector<std::string> out;
    for (const auto& url : reader.at(key)) {
        const auto text = url.is_string() ? url.get<std::string>() : std::string();
        if (!text.starts_with(scheme_a) && !text.starts_with(scheme_b))
            reader.fail(key + std::string(" must hold URLs starting with ") + scheme_a + " or " + scheme_b +
                        ", got " + url.dump());
        out.push_back(text);
    }
    return out;
}

}  // namespace

settings read_settings(const sdk::json& config) {
    settings out;
    const sdk::config_reader reader(config, "calls");
    out.nsp = reader.nsp();
    out.ring_timeout = std::chrono::milliseconds(reader.integer("ring_timeout", 100, 600'000));
    out.max_participants = static_cast<std::size_t>(reader.integer("max_participants", 2, 32));
    out.max_signal_bytes = static_cast<std::size_t>(reader.integer("max_signal_bytes", 1024, 1 << 20));
    out.notify_missed = reader.flag("notify_missed");
    out.stun_urls = urls(reader, "stun_urls", "stun:", "stuns:");
    out.turn_urls = urls(reader, "turn_urls", "turn:", "turns:");
    out.turn_secret = config.at("turn_secret").get<std::string>();
    if (out.turn_secret.empty()) {
        const auto variable = config.at("turn_secret_env").get<std::string>();
        if (!variable.empty()) {
            const char* value = std::getenv(variable.c_str());
            if (!value || !*value)
                reader.fail("turn_secret_env names " + variable + ", which is not set");
            out.turn_secret = value;
        }
    }
    if (!out.turn_secret.empty() && out.turn_urls.empty())
        reader.fail("turn_secret is set but turn_urls is empty");
    out.turn_ttl = std::chrono::seconds(reader.integer("turn_ttl", 60, 7 * 86'400));
    return out;
}

}  // namespace switchboard::plugins::calls
