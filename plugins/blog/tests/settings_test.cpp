#include "settings.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace switchboard::plugins::blog {
namespace {

// The defaults as the kernel fills them in from config_schema.
sdk::json defaults() {
    sdk::json out = sdk::json::object();
    const sdk::json schema = sdk::json::parse(config_schema);
    for (auto item = schema.begin(); item != schema.end(); ++item) out[item.key()] = item.value().at("default");
    return out;
}

TEST(BlogSettings, DefaultsMatchTheReadme) {
    const settings s = read_settings(defaults());
    EXPECT_EQ(s.nsp, "/");
    EXPECT_EQ(s.edit_window.count(), 120);
    EXPECT_EQ(s.ranking, ranking_mode::likes);
    EXPECT_EQ(s.ranking_size, 10u);
    EXPECT_TRUE(s.notify);
}

TEST(BlogSettings, OutOfRangeNamesTheKey) {
    for (const auto& [key, value] : std::initializer_list<std::pair<const char*, sdk::json>>{
             {"ranking", "popular"}, {"ranking_size", 0}, {"ranking_interval", 10}, {"page_limit", 101},
             {"namespace", "blog"}, {"max_comment_length", 0}}) {
        sdk::json config = defaults();
        config[key] = value;
        try {
            read_settings(config);
            ADD_FAILURE() << key << " accepted";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace switchboard::plugins::blog
