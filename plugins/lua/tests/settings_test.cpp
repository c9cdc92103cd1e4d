// The plugin's config section: paths resolved from the deployment's directory,
// limits checked, errors naming the key.
#include "settings.hpp"

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

namespace switchboard::plugins::lua {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

class settings_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("switchboard-lua-settings-" + std::to_string(::getpid()));
        fs::create_directories(dir / "lib");
        std::ofstream(dir / "app.lua") << "-- app\n";
        std::ofstream(dir / "lib" / "more.lua") << "-- more\n";
    }
    void TearDown() override { fs::remove_all(dir); }

    json config(json scripts) {
        return json{{"scripts", std::move(scripts)}, {"module_paths", json::array()}, {"instruction_limit", 5000},
                    {"memory_limit", 2 << 20}, {"settings", json::object()}};
    }

    std::string error_of(const json& c) {
        try {
            read_settings(c, dir);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "no error";
    }

    fs::path dir;
};

TEST_F(settings_test, relative_paths_are_read_from_the_deployment_directory) {
    const auto s = read_settings(config({"app.lua", "lib/more.lua"}), dir);
    ASSERT_EQ(s.scripts.size(), 2u);
    EXPECT_EQ(s.scripts[0].name, "app.lua");
    EXPECT_EQ(s.scripts[0].path, dir / "app.lua");
    EXPECT_EQ(s.scripts[1].path, dir / "lib" / "more.lua");
    // require() looks next to each script first.
    ASSERT_EQ(s.module_paths.size(), 2u);
    EXPECT_EQ(s.module_paths[0], dir);
    EXPECT_EQ(s.module_paths[1], dir / "lib");
    EXPECT_EQ(s.instruction_limit, 5000);
    EXPECT_EQ(s.memory_limit, std::size_t{2} << 20);
}

TEST_F(settings_test, absolute_paths_stay) {
    const auto s = read_settings(config({(dir / "app.lua").string()}), "/nowhere");
    EXPECT_EQ(s.scripts[0].path, dir / "app.lua");
}

TEST_F(settings_test, errors_name_the_key) {
    EXPECT_EQ(error_of(config(json::array())), "config.scripts: list at least one Lua file");
    EXPECT_NE(error_of(config({"app.lua", "missing.lua"})).find("config.scripts[1]: "), std::string::npos);
    EXPECT_NE(error_of(config({42})).find("config.scripts[0]: expected a file name, got 42"), std::string::npos);
    auto small = config({"app.lua"});
    small["memory_limit"] = 1000;
    EXPECT_EQ(error_of(small), "config.memory_limit: at least 1048576 bytes (got 1000)");
    auto tiny = config({"app.lua"});
    tiny["instruction_limit"] = 10;
    EXPECT_EQ(error_of(tiny), "config.instruction_limit: at least 1000 (got 10)");
}

TEST_F(settings_test, the_schema_declares_every_key_the_reader_takes) {
    const json schema = json::parse(config_schema_json);
    for (const char* key : {"scripts", "module_paths", "instruction_limit", "memory_limit", "settings"})
        EXPECT_TRUE(schema.contains(key)) << key;
    EXPECT_FALSE(schema["scripts"].contains("default")) << "scripts is required";
}

}  // namespace
}  // namespace switchboard::plugins::lua
