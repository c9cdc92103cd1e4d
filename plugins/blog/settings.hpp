// The blog plugin's configuration, read once at load and checked beyond what the
// schema can say (ranges, the ranking mode).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::blog {

enum class ranking_mode { likes, decay };

struct settings {
    std::string nsp = "/";
    std::size_t max_title_length = 200;      // characters (code points)
    std::size_t max_body_length = 20000;
    std::size_t max_comment_length = 1000;
    std::chrono::seconds edit_window{120};   // zero: always
    std::size_t page_limit = 20;             // default page of blog:list and blog:comments
    ranking_mode ranking = ranking_mode::likes;
    std::size_t ranking_size = 10;           // the top N
    std::chrono::milliseconds ranking_interval{1000};   // at most one push per interval
    std::chrono::hours ranking_half_life{24};           // decay: a like's weight halves
    std::chrono::hours ranking_max_age{24 * 30};        // decay: older posts are not ranked
    bool notify = true;                      // likes and comments to notifications:send
};

// The most items one page may ask for.
inline constexpr std::size_t max_page_limit = 100;

// The config keys, as SWITCHBOARD_PLUGIN wants them.
extern const char* const config_schema;

// Throws std::runtime_error naming the key when a value is out of range: the plugin
// then refuses to load, and a required plugin stops the server's start.
settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::blog
