#include "settings.hpp"

#include <switchboard/settings.hpp>


namespace switchboard::plugins::chat {

using sdk::json;

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace chat serves"},
  "max_length": {"type": "integer", "default": 1000,
                 "description": "most characters in a message (1 to 100000)"},
  "banned_words": {"type": "array", "default": [],
                   "description": "words refused or masked in messages (whole words, ASCII case-insensitive)"},
  "banned_words_action": {"type": "string", "default": "reject",
                          "description": "reject: refuse the message; mask: replace the word by asterisks"},
  "edit_window": {"type": "integer", "default": 900,
                  "description": "seconds after sending during which the author may edit (0: always)"},
  "delete_window": {"type": "integer", "default": 0,
                    "description": "seconds after sending during which the author may delete (0: always)"},
  "rate_limit_messages": {"type": "integer", "default": 10,
                          "description": "messages a user may send per rate_limit_window (0: no limit)"},
  "rate_limit_window": {"type": "integer", "default": 10,
                        "description": "seconds of the send rate limit's sliding window"},
  "history_limit": {"type": "integer", "default": 50,
                    "description": "messages chat:join returns, and chat:history's default page (1 to 100)"},
  "typing_timeout": {"type": "integer", "default": 5000,
                     "description": "milliseconds after which a typist without a new typing:start is cleared"},
  "message_requests": {"type": "boolean", "default": false,
                       "description": "direct messages from users the recipient does not follow wait as requests; blocks refuse them (needs the social plugin)"}
})json";

settings read_settings(const json& config) {
    settings out;
    const sdk::config_reader reader(config, "chat");
    out.nsp = reader.nsp();
    out.max_length = static_cast<std::size_t>(reader.integer("max_length", 1, 100000));

    out.banned_words = reader.lowercase_words("banned_words", 100);
    out.on_banned = reader.choice<banned_action>(
        "banned_words_action", {{"reject", banned_action::reject}, {"mask", banned_action::mask}});

    constexpr long long year = 366LL * 24 * 3600;
    out.edit_window = std::chrono::seconds(reader.integer("edit_window", 0, year));
    out.delete_window = std::chrono::seconds(reader.integer("delete_window", 0, year));
    out.rate_limit_messages = static_cast<std::size_t>(reader.integer("rate_limit_messages", 0, 10000));
    out.rate_limit_window = std::chrono::seconds(reader.integer("rate_limit_window", 1, 3600));
    out.history_limit = static_cast<std::size_t>(
        reader.integer("history_limit", 1, static_cast<long long>(max_history_limit)));
    out.typing_timeout = std::chrono::milliseconds(reader.integer("typing_timeout", 100, 600000));
    out.message_requests = reader.flag("message_requests");
    return out;
}

}  // namespace switchboard::plugins::chat
