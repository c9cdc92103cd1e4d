#include "settings.hpp"

#include <switchboard/settings.hpp>


namespace switchboard::plugins::chat {

using sdk::json;

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/", "pattern": "/.*",
                "description": "the Socket.IO namespace chat serves"},
  "max_length": {"type": "integer", "default": 1000, "min": 1, "max": 100000,
                 "description": "most characters in a message"},
  "banned_words": {"type": "array", "default": [], "items": {"type": "string", "min": 1, "max": 100},
                   "description": "words refused or masked in messages (whole words, ASCII case-insensitive)"},
  "banned_words_action": {"type": "string", "default": "reject", "enum": ["reject", "mask"],
                          "description": "reject: refuse the message; mask: replace the word by asterisks"},
  "edit_window": {"type": "integer", "default": 900, "min": 0, "max": 31622400,
                  "description": "seconds after sending during which the author may edit (0: always)"},
  "delete_window": {"type": "integer", "default": 0, "min": 0, "max": 31622400,
                    "description": "seconds after sending during which the author may delete (0: always)"},
  "rate_limit_messages": {"type": "integer", "default": 10, "min": 0, "max": 10000,
                          "description": "messages a user may send per rate_limit_window (0: no limit)"},
  "rate_limit_window": {"type": "integer", "default": 10, "min": 1, "max": 3600,
                        "description": "seconds of the send rate limit's sliding window"},
  "history_limit": {"type": "integer", "default": 50, "min": 1, "max": 100,
                    "description": "messages chat:join returns, and chat:history's default page"},
  "typing_timeout": {"type": "integer", "default": 5000, "min": 100, "max": 600000,
                     "description": "milliseconds after which a typist without a new typing:start is cleared"},
  "message_requests": {"type": "boolean", "default": false,
                       "description": "direct messages from users the recipient does not follow wait as requests; blocks refuse them (needs the social plugin)"}
})json";

// The kernel checked every bound, choice and pattern above (SDK 1.1), at the value's
// line in the deployment file: what is left is reading the values.
settings read_settings(const json& config) {
    static_assert(max_history_limit == 100, "history_limit's schema says max 100");
    settings out;
    const sdk::config_reader reader(config, "chat");
    out.nsp = reader.text("namespace");
    out.max_length = reader.at("max_length").get<std::size_t>();

    out.banned_words = reader.lowercase_words("banned_words", 100);
    out.on_banned = reader.choice<banned_action>(
        "banned_words_action", {{"reject", banned_action::reject}, {"mask", banned_action::mask}});

    out.edit_window = std::chrono::seconds(reader.at("edit_window").get<std::int64_t>());
    out.delete_window = std::chrono::seconds(reader.at("delete_window").get<std::int64_t>());
    out.rate_limit_messages = reader.at("rate_limit_messages").get<std::size_t>();
    out.rate_limit_window = std::chrono::seconds(reader.at("rate_limit_window").get<std::int64_t>());
    out.history_limit = reader.at("history_limit").get<std::size_t>();
    out.typing_timeout = std::chrono::milliseconds(reader.at("typing_timeout").get<std::int64_t>());
    out.message_requests = reader.flag("message_requests");
    return out;
}

}  // namespace switchboard::plugins::chat
