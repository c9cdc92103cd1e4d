// The logger: JSON lines that always parse, text lines nobody can forge, levels per
// component, request ids, and no formatting at all for a disabled line.
#include "kernel/core/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace {

using namespace switchboard::kernel;

std::vector<std::string> captured;
void capture(std::string_view line) { captured.emplace_back(line); }

// Restores the defaults whatever a test set.
struct logger_fixture : ::testing::Test {
    void SetUp() override {
        captured.clear();
        log::set_writer(&capture);
    }
    void TearDown() override {
        log::set_component_levels({});
        log::set_level(log::level::info);
        log::set_format(log::format::text);
        log::set_writer(nullptr);
    }
};

struct counts_formatting {
    int* formatted;
};
std::ostream& operator<<(std::ostream& out, const counts_formatting& c) {
    ++*c.formatted;
    return out << "formatted";
}

TEST_F(logger_fixture, json_lines_parse_whatever_the_message_holds) {
    log::set_format(log::format::json);
    SB_LOG(warn, "engineio").with("request_id", "r-1").with("bytes", 42)
        << "event \"a\nb\" \x01 caf\xC3\xA9 \xFF end";
    ASSERT_EQ(captured.size(), 1u);
    ASSERT_EQ(captured[0].back(), '\n');
    const auto line = nlohmann::json::parse(captured[0]);
    EXPECT_EQ(line["level"], "warn");
    EXPECT_EQ(line["component"], "engineio");
    EXPECT_EQ(line["message"], "event \"a\nb\" \x01 caf\xC3\xA9 \xEF\xBF\xBD end");
    EXPECT_EQ(line["request_id"], "r-1");
    EXPECT_EQ(line["bytes"], 42);
    EXPECT_EQ(std::string(line["time"]).size(), 24u);
}

TEST_F(logger_fixture, text_lines_escape_line_breaks_and_quote_values_with_spaces) {
    SB_LOG(info, "api").with("remote", "a b").with("request_id", "r-2") << "first\nWARN forged";
    ASSERT_EQ(captured.size(), 1u);
    const std::string& line = captured[0];
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_NE(line.find(" INFO  [api] first\\nWARN forged remote=\"a b\" request_id=r-2\n"), std::string::npos) << line;
}

TEST_F(logger_fixture, components_log_at_their_own_level_over_the_global_one) {
    log::set_level(log::level::warn);
    log::set_component_levels({{"engineio", log::level::debug}, {"cluster", log::level::error}});
    EXPECT_TRUE(log::enabled(log::level::debug, "engineio"));
    EXPECT_FALSE(log::enabled(log::level::trace, "engineio"));
    EXPECT_FALSE(log::enabled(log::level::warn, "cluster"));
    EXPECT_TRUE(log::enabled(log::level::error, "cluster"));
    EXPECT_FALSE(log::enabled(log::level::info, "socketio"));
    EXPECT_TRUE(log::enabled(log::level::warn, "socketio"));
    SB_LOG(debug, "engineio") << "kept";
    SB_LOG(debug, "socketio") << "dropped";
    ASSERT_EQ(captured.size(), 1u);
    EXPECT_NE(captured[0].find("kept"), std::string::npos);
}

TEST_F(logger_fixture, a_disabled_line_formats_nothing) {
    int formatted = 0;
    log::set_level(log::level::warn);
    SB_LOG(debug, "engineio") << counts_formatting{&formatted};
    log::set_component_levels({{"cluster", log::level::debug}});
    SB_LOG(debug, "engineio") << counts_formatting{&formatted};
    EXPECT_EQ(formatted, 0);
    EXPECT_TRUE(captured.empty());
    SB_LOG(debug, "cluster") << counts_formatting{&formatted};
    EXPECT_EQ(formatted, 1);
}

TEST_F(logger_fixture, a_handlers_context_joins_its_threads_lines) {
    log::set_format(log::format::json);
    log::context socket_fields;
    socket_fields.add("request_id", "r-3").add("socket", "s1").add("user", "");
    {
        const log::thread_context about(&socket_fields, "note");
        SB_LOG(info, "chat").with("plugin", "chat") << "inside";
    }
    SB_LOG(info, "chat") << "outside";
    ASSERT_EQ(captured.size(), 2u);
    const auto inside = nlohmann::json::parse(captured[0]);
    EXPECT_EQ(inside["request_id"], "r-3");
    EXPECT_EQ(inside["socket"], "s1");
    EXPECT_EQ(inside["event"], "note");
    EXPECT_FALSE(inside.contains("user"));   // empty values are left out
    EXPECT_FALSE(nlohmann::json::parse(captured[1]).contains("request_id"));
}

TEST(log_request_id, keeps_a_plain_client_id_and_makes_fresh_unique_ones) {
    EXPECT_EQ(log::request_id_from("proxy-id_1.2:3"), "proxy-id_1.2:3");
    const std::string fresh = log::request_id_from("");
    EXPECT_NE(fresh, log::request_id_from(""));
    EXPECT_NE(log::request_id_from("has space"), "has space");
    EXPECT_NE(log::request_id_from("a\nWARN"), "a\nWARN");
    EXPECT_NE(log::request_id_from(std::string(65, 'a')), std::string(65, 'a'));
    EXPECT_EQ(fresh.find_first_not_of("0123456789abcdef-"), std::string::npos) << fresh;
}

}  // namespace
