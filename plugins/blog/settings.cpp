#include "settings.hpp"

#include <stdexcept>

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

namespace {

long long integer_in(const json& config, const char* key, long long low, long long high) {
    const long long value = config.at(key).get<long long>();
    if (value < low || value > high)
        throw std::runtime_error(std::string("blog config: ") + key + " must be between " + std::to_string(low) +
                                 " and " + std::to_string(high) + ", got " + std::to_string(value));
    return value;
}

}  // namespace

settings read_settings(const json& config) {
    settings out;
    out.nsp = config.at("namespace").get<std::string>();
    if (out.nsp.empty() || out.nsp.front() != '/')
        throw std::runtime_error("blog config: namespace must start with '/', got \"" + out.nsp + "\"");
    out.max_title_length = static_cast<std::size_t>(integer_in(config, "max_title_length", 1, 1000));
    out.max_body_length = static_cast<std::size_t>(integer_in(config, "max_body_length", 1, 1000000));
    out.max_comment_length = static_cast<std::size_t>(integer_in(config, "max_comment_length", 1, 100000));
    out.edit_window = std::chrono::seconds(integer_in(config, "edit_window", 0, 366LL * 24 * 3600));
    out.page_limit = static_cast<std::size_t>(integer_in(config, "page_limit", 1, max_page_limit));

    const auto mode = config.at("ranking").get<std::string>();
    if (mode == "likes") out.ranking = ranking_mode::likes;
    else if (mode == "decay") out.ranking = ranking_mode::decay;
    else throw std::runtime_error("blog config: ranking must be \"likes\" or \"decay\", got \"" + mode + "\"");
    out.ranking_size = static_cast<std::size_t>(integer_in(config, "ranking_size", 1, 100));
    out.ranking_interval = std::chrono::milliseconds(integer_in(config, "ranking_interval", 100, 3600000));
    out.ranking_half_life = std::chrono::hours(integer_in(config, "ranking_half_life", 1, 8760));
    out.ranking_max_age = std::chrono::hours(integer_in(config, "ranking_max_age", 1, 87600));
    out.notify = config.at("notify").get<bool>();
    return out;
}

}  // namespace switchboard::plugins::blog
