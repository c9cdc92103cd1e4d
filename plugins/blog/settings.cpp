#include "settings.hpp"

#include <switchboard/settings.hpp>


namespace switchboard::plugins::blog {

using sdk::json;

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the Socket.IO namespace the blog serves"},
  "max_title_length": {"type": "integer", "default": 200,
                       "description": "most characters in a post's title (1 to 1000)"},
  "max_body_length": {"type": "integer", "default": 20000,
                      "description": "most characters in a post's body (1 to 1000000)"},
  "max_comment_length": {"type": "integer", "default": 1000,
                         "description": "most characters in a comment (1 to 100000)"},
  "edit_window": {"type": "integer", "default": 120,
                  "description": "seconds after publishing during which the author may edit a post or comment (0: always)"},
  "page_limit": {"type": "integer", "default": 20,
                 "description": "default page size of blog:list and blog:comments (1 to 100)"},
  "ranking": {"type": "string", "default": "likes",
              "description": "likes: most liked first; decay: likes weighted down with the post's age"},
  "ranking_size": {"type": "integer", "default": 10,
                   "description": "how many posts the ranking holds (1 to 100)"},
  "ranking_interval": {"type": "integer", "default": 1000,
                       "description": "milliseconds between two ranking pushes at most (100 to 3600000)"},
  "ranking_half_life": {"type": "integer", "default": 24,
                        "description": "decay: hours after which a post's likes weigh half (1 to 8760)"},
  "ranking_max_age": {"type": "integer", "default": 720,
                      "description": "decay: hours after which a post leaves the ranking (1 to 87600)"},
  "notify": {"type": "boolean", "default": true,
             "description": "tell authors of likes, comments and replies through the notifications bus topic"}
})json";

settings read_settings(const json& config) {
    settings out;
    const sdk::config_reader reader(config, "blog");
    out.nsp = reader.nsp();
    out.max_title_length = static_cast<std::size_t>(reader.integer("max_title_length", 1, 1000));
    out.max_body_length = static_cast<std::size_t>(reader.integer("max_body_length", 1, 1000000));
    out.max_comment_length = static_cast<std::size_t>(reader.integer("max_comment_length", 1, 100000));
    out.edit_window = std::chrono::seconds(reader.integer("edit_window", 0, 366LL * 24 * 3600));
    out.page_limit = static_cast<std::size_t>(reader.integer("page_limit", 1, max_page_limit));

    out.ranking =
        reader.choice<ranking_mode>("ranking", {{"likes", ranking_mode::likes}, {"decay", ranking_mode::decay}});
    out.ranking_size = static_cast<std::size_t>(reader.integer("ranking_size", 1, 100));
    out.ranking_interval = std::chrono::milliseconds(reader.integer("ranking_interval", 100, 3600000));
    out.ranking_half_life = std::chrono::hours(reader.integer("ranking_half_life", 1, 8760));
    out.ranking_max_age = std::chrono::hours(reader.integer("ranking_max_age", 1, 87600));
    out.notify = reader.flag("notify");
    return out;
}

}  // namespace switchboard::plugins::blog
