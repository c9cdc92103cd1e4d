// socketio.recovery and cluster.adapter: redis-streams (#18).
#include <gtest/gtest.h>

#include "kernel/config/config.hpp"

namespace switchboard::kernel::config {
namespace {

using namespace std::chrono_literals;

config_error error_of(const std::string& yaml) {
    try {
        load_string(yaml, "test.yaml");
    } catch (const config_error& error) {
        return error;
    }
    ADD_FAILURE() << "loaded without an error: " << yaml;
    return config_error("", 0, 0, "");
}

TEST(recovery_config, off_by_default_with_nodes_defaults) {
    const auto loaded = load_string("");
    EXPECT_FALSE(loaded.socketio.recovery.enabled);
    EXPECT_EQ(loaded.socketio.recovery.max_disconnection_duration, 120s);
    EXPECT_TRUE(loaded.socketio.recovery.skip_auth_hooks);
    EXPECT_EQ(loaded.socketio.recovery.log_size, 10'000u);
    const auto file = load_file(std::string(SWITCHBOARD_SOURCE_DIR) + "/config/switchboard.yaml");
    EXPECT_EQ(file.socketio.recovery.enabled, loaded.socketio.recovery.enabled);
    EXPECT_EQ(file.socketio.recovery.max_disconnection_duration, loaded.socketio.recovery.max_disconnection_duration);
    EXPECT_EQ(file.socketio.recovery.log_size, loaded.socketio.recovery.log_size);
    EXPECT_EQ(file.socketio.recovery.log_age, loaded.socketio.recovery.log_age);
}

TEST(recovery_config, every_key_is_read_and_the_log_follows_the_window) {
    const auto loaded = load_string(
        "socketio:\n  recovery:\n    enabled: true\n    max_disconnection_duration: 5m\n"
        "    skip_auth_hooks: false\n    log_size: 500\n");
    EXPECT_TRUE(loaded.socketio.recovery.enabled);
    EXPECT_EQ(loaded.socketio.recovery.max_disconnection_duration, 5min);
    EXPECT_FALSE(loaded.socketio.recovery.skip_auth_hooks);
    EXPECT_EQ(loaded.socketio.recovery.log_size, 500u);
    EXPECT_EQ(loaded.socketio.recovery.log_age, 5min);
}

TEST(recovery_config, bad_values_name_their_line) {
    auto error = error_of("socketio:\n  recovery:\n    enabled: maybe\n");
    EXPECT_EQ(error.line(), 3);
    error = error_of("socketio:\n  recovery:\n    log_size: 0\n");
    EXPECT_EQ(error.line(), 3);
    EXPECT_NE(error.message().find("from 1 to 10000000"), std::string::npos) << error.message();
    error = error_of("socketio:\n  recovery:\n    max_disconnection_duration: 0s\n");
    EXPECT_EQ(error.line(), 3);
    error = error_of("socketio:\n  recovery:\n    max_disconnection_duration: 2m\n    log_age: 1m\n");
    EXPECT_EQ(error.line(), 4);
    EXPECT_NE(error.message().find("at least max_disconnection_duration"), std::string::npos) << error.message();
    error = error_of("socketio:\n  recovery:\n    window: 2m\n");
    EXPECT_EQ(error.line(), 3);
}

TEST(recovery_config, the_streams_adapter_is_a_cluster_mode) {
    EXPECT_EQ(load_string("cluster:\n  adapter: redis-streams\n").cluster.adapter, "redis-streams");
    const auto error = error_of("cluster:\n  adapter: kafka\n");
    EXPECT_EQ(error.line(), 2);
    EXPECT_NE(error.message().find("none, redis, redis-sharded or redis-streams"), std::string::npos) << error.message();
}

}  // namespace
}  // namespace switchboard::kernel::config
