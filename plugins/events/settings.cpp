#include "settings.hpp"

#include <switchboard/settings.hpp>


namespace switchboard::plugins::events {

using sdk::json;

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace the event rooms live in"},
  "max_length": {"type": "integer", "default": 1000,
                 "description": "most characters in a message (1 to 100000)"},
  "banned_words": {"type": "array", "default": [],
                   "description": "words refused or masked in messages (whole words, ASCII case-insensitive)"},
  "banned_words_action": {"type": "string", "default": "reject",
                          "description": "reject: refuse the message; mask: replace the word by asterisks"},
  "history_limit": {"type": "integer", "default": 50,
                    "description": "messages events:join returns, and events:history's default page (1 to 100)"},
  "typing_timeout": {"type": "integer", "default": 5000,
                     "description": "milliseconds after which a typist without a new events:typing is cleared"},
  "self_participation": {"type": "boolean", "default": false,
                         "description": "let users set their own participation with events:participate"}
})json";

settings read_settings(const json& config) {
    settings out;
    const sdk::config_reader reader(config, "events");
    out.nsp = reader.nsp();
    out.max_length = static_cast<std::size_t>(reader.integer("max_length", 1, 100000));
    out.banned_words = reader.lowercase_words("banned_words", 100);
    out.on_banned = reader.choice<banned_action>(
        "banned_words_action", {{"reject", banned_action::reject}, {"mask", banned_action::mask}});
    out.history_limit = static_cast<std::size_t>(
        reader.integer("history_limit", 1, static_cast<long long>(max_history_limit)));
    out.typing_timeout = std::chrono::milliseconds(reader.integer("typing_timeout", 100, 600000));
    out.self_participation = reader.flag("self_participation");
    return out;
}

}  // namespace switchboard::plugins::events
