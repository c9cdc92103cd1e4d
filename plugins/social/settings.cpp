#include "settings.hpp"

#include <switchboard/settings.hpp>


namespace switchboard::plugins::social {

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace the social graph serves"},
  "page_limit": {"type": "integer", "default": 50,
                 "description": "default page of the followers, following, friends and blocks lists (1 to 100)"},
  "notify": {"type": "boolean", "default": true,
             "description": "tell users of new followers, follow requests and friend requests through notifications:send"},
  "presence_visibility": {"type": "string", "default": "everyone",
                          "description": "whose presence (the presence plugin) a user sees: everyone, followers (of whom they follow, approved) or friends; blocks hide it in every mode"}
})json";

settings read_settings(const sdk::json& config) {
    settings out;
    const sdk::config_reader reader(config, "social");
    out.nsp = reader.nsp();
    out.page_limit = static_cast<std::size_t>(reader.integer("page_limit", 1, static_cast<long long>(max_page_limit)));
    out.notify = reader.flag("notify");
    out.presence = reader.choice<presence_visibility>("presence_visibility",
                                                      {{"everyone", presence_visibility::everyone},
                                                       {"followers", presence_visibility::followers},
                                                       {"friends", presence_visibility::friends}});
    return out;
}

}  // namespace switchboard::plugins::social
