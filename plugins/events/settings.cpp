#include "settings.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

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

namespace {

long long integer_in(const json& config, const char* key, long long low, long long high) {
    const long long value = config.at(key).get<long long>();
    if (value < low || value > high)
        throw std::runtime_error(std::string("events config: ") + key + " must be between " + std::to_string(low) +
                                 " and " + std::to_string(high) + ", got " + std::to_string(value));
    return value;
}

}  // namespace

settings read_settings(const json& config) {
    settings out;
    out.nsp = config.at("namespace").get<std::string>();
    if (out.nsp.empty() || out.nsp.front() != '/')
        throw std::runtime_error("events config: namespace must start with '/', got \"" + out.nsp + "\"");
    out.max_length = static_cast<std::size_t>(integer_in(config, "max_length", 1, 100000));
    for (const auto& word : config.at("banned_words")) {
        if (!word.is_string() || word.get<std::string>().empty() || word.get<std::string>().size() > 100)
            throw std::runtime_error("events config: banned_words must hold words of 1 to 100 bytes, got " +
                                     word.dump());
        std::string lower = word.get<std::string>();
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.banned_words.push_back(std::move(lower));
    }
    const auto action = config.at("banned_words_action").get<std::string>();
    if (action == "reject") out.on_banned = banned_action::reject;
    else if (action == "mask") out.on_banned = banned_action::mask;
    else throw std::runtime_error("events config: banned_words_action must be \"reject\" or \"mask\", got \"" + action + "\"");
    out.history_limit = static_cast<std::size_t>(
        integer_in(config, "history_limit", 1, static_cast<long long>(max_history_limit)));
    out.typing_timeout = std::chrono::milliseconds(integer_in(config, "typing_timeout", 100, 600000));
    out.self_participation = config.at("self_participation").get<bool>();
    return out;
}

}  // namespace switchboard::plugins::events
