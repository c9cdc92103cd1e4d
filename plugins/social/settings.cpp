#include "settings.hpp"

#include <stdexcept>

namespace switchboard::plugins::social {

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace the social graph serves"},
  "page_limit": {"type": "integer", "default": 50,
                 "description": "default page of the followers, following, friends and blocks lists (1 to 100)"},
  "notify": {"type": "boolean", "default": true,
             "description": "tell users of new followers, follow requests and friend requests through notifications:send"}
})json";

settings read_settings(const sdk::json& config) {
    settings out;
    out.nsp = config.at("namespace").get<std::string>();
    if (out.nsp.empty() || out.nsp.front() != '/')
        throw std::runtime_error("social config: namespace must start with '/', got \"" + out.nsp + "\"");
    const long long page = config.at("page_limit").get<long long>();
    if (page < 1 || page > static_cast<long long>(max_page_limit))
        throw std::runtime_error("social config: page_limit must be between 1 and 100, got " + std::to_string(page));
    out.page_limit = static_cast<std::size_t>(page);
    out.notify = config.at("notify").get<bool>();
    return out;
}

}  // namespace switchboard::plugins::social
