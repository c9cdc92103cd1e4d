#include "kernel/config/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <unistd.h>

namespace switchboard::kernel::config {
namespace {

using namespace std::chrono_literals;

// A file of the repository. Not found from __FILE__: a compiler cache may rewrite it
// relative to the build folder.
std::filesystem::path repository_file(const std::string& relative) {
    return std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / relative;
}

struct expected_error {
    int line;
    int column;
    std::string message;
};

// Loads `yaml` as "test.yaml" and returns the error it must raise.
std::optional<config_error> error_of(const std::string& yaml) {
    try {
        load_string(yaml, "test.yaml");
    } catch (const config_error& error) {
        return error;
    }
    return std::nullopt;
}

void expect_error(const std::string& yaml, const expected_error& expected) {
    SCOPED_TRACE(yaml);
    const auto error = error_of(yaml);
    ASSERT_TRUE(error.has_value()) << "loaded without an error";
    EXPECT_EQ(error->file(), "test.yaml");
    EXPECT_EQ(error->line(), expected.line);
    EXPECT_EQ(error->column(), expected.column);
    EXPECT_EQ(error->message(), expected.message);
    EXPECT_EQ(std::string(error->what()), "test.yaml:" + std::to_string(expected.line) + ":" +
                                              std::to_string(expected.column) + ": " +
                                              expected.message);
}

// Only for messages too long to be worth spelling out whole.
void expect_error_starting(const std::string& yaml, int line, int column,
                           const std::string& prefix) {
    SCOPED_TRACE(yaml);
    const auto error = error_of(yaml);
    ASSERT_TRUE(error.has_value()) << "loaded without an error";
    EXPECT_EQ(error->line(), line);
    EXPECT_EQ(error->column(), column);
    EXPECT_EQ(error->message().substr(0, prefix.size()), prefix) << error->message();
}

void expect_same(const settings& a, const settings& b) {
    EXPECT_EQ(a.server.host, b.server.host);
    EXPECT_EQ(a.server.port, b.server.port);
    EXPECT_EQ(a.server.workers, b.server.workers);
    EXPECT_EQ(a.server.path, b.server.path);
    EXPECT_EQ(a.server.shutdown_timeout, b.server.shutdown_timeout);
    EXPECT_EQ(a.engineio.ping_interval, b.engineio.ping_interval);
    EXPECT_EQ(a.engineio.ping_timeout, b.engineio.ping_timeout);
    EXPECT_EQ(a.engineio.max_payload, b.engineio.max_payload);
    EXPECT_EQ(a.engineio.transport_polling, b.engineio.transport_polling);
    EXPECT_EQ(a.engineio.transport_websocket, b.engineio.transport_websocket);
    EXPECT_EQ(a.engineio.allow_upgrades, b.engineio.allow_upgrades);
    EXPECT_EQ(a.engineio.upgrade_timeout, b.engineio.upgrade_timeout);
    EXPECT_EQ(a.engineio.max_buffered_bytes, b.engineio.max_buffered_bytes);
    EXPECT_EQ(a.engineio.allow_eio3, b.engineio.allow_eio3);
    EXPECT_EQ(a.socketio.parser, b.socketio.parser);
    EXPECT_EQ(a.socketio.connect_timeout, b.socketio.connect_timeout);
    EXPECT_EQ(a.socketio.max_attachments, b.socketio.max_attachments);
    ASSERT_EQ(a.socketio.namespaces.size(), b.socketio.namespaces.size());
    for (std::size_t i = 0; i < a.socketio.namespaces.size(); ++i) {
        EXPECT_EQ(a.socketio.namespaces[i].name, b.socketio.namespaces[i].name);
        EXPECT_EQ(a.socketio.namespaces[i].anonymous, b.socketio.namespaces[i].anonymous);
    }
    EXPECT_EQ(a.cors.origins, b.cors.origins);
    EXPECT_EQ(a.cors.credentials, b.cors.credentials);
    EXPECT_EQ(a.cors.methods, b.cors.methods);
    EXPECT_EQ(a.cors.allowed_headers, b.cors.allowed_headers);
    EXPECT_EQ(a.cors.max_age, b.cors.max_age);
    EXPECT_EQ(a.cluster.adapter, b.cluster.adapter);
    EXPECT_EQ(a.cluster.url, b.cluster.url);
    EXPECT_EQ(a.cluster.url_env, b.cluster.url_env);
    EXPECT_EQ(a.cluster.key, b.cluster.key);
    EXPECT_EQ(a.cluster.requests_timeout, b.cluster.requests_timeout);
    EXPECT_EQ(a.api.keys, b.api.keys);
    EXPECT_EQ(a.api.keys_env, b.api.keys_env);
    EXPECT_EQ(a.log.level, b.log.level);
}

class temporary_file {
public:
    explicit temporary_file(const std::string& content)
        : path_(std::filesystem::temp_directory_path() /
                ("switchboard_config_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yaml")) {
        std::ofstream(path_) << content;
    }
    ~temporary_file() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// --- the shipped default ---------------------------------------------------------------

TEST(config_default_file, loads_and_equals_the_built_in_defaults) {
    const auto path = repository_file("config/switchboard.yaml").string();
    const settings loaded = load_file(path);
    expect_same(loaded, settings{});
    EXPECT_EQ(loaded.source_file, path);
}

// --- documents without settings ------------------------------------------------------

TEST(config_document, empty_text_yields_defaults) {
    for (const std::string yaml : {"", "\n", "# only a comment\n", "---\n", "---\n...\n"}) {
        SCOPED_TRACE(yaml);
        const settings loaded = load_string(yaml);
        expect_same(loaded, settings{});
        EXPECT_EQ(loaded.source_file, "");
    }
}

TEST(config_document, empty_sections_yield_defaults) {
    expect_same(load_string("server:\nengineio:\nsocketio:\ncors:\nlog:\n"), settings{});
    expect_same(load_string("server: {}\nlog: {}\n"), settings{});
}

TEST(config_document, a_list_at_the_top_level_is_an_error) {
    expect_error("- server\n- log\n",
                 {1, 1,
                  "expected a map of settings (server, engineio, socketio, cors, auth, database, api, cluster, log, plugins, plugin_path, admin, demo, demo_public), got a "
                  "list"});
}

TEST(config_document, a_scalar_at_the_top_level_is_an_error) {
    expect_error("\n  hello\n",
                 {2, 3,
                  "expected a map of settings (server, engineio, socketio, cors, auth, database, api, cluster, log, plugins, plugin_path, admin, demo, demo_public), got "
                  "\"hello\""});
}

TEST(config_document, a_second_document_is_an_error) {
    expect_error("log:\n  level: info\n---\nlog:\n  level: debug\n",
                 {4, 1, "expected a single YAML document, but another one starts here"});
}

TEST(config_document, an_empty_trailing_document_is_ignored) {
    EXPECT_EQ(load_string("log:\n  level: debug\n---\n").log.level, "debug");
}

TEST(config_document, yaml_syntax_errors_carry_yaml_cpps_position) {
    expect_error("server:\n  port: [1, 2\n",
                 {3, 1, "invalid YAML: end of sequence flow not found"});
    expect_error("server:\n  port: 1\n   host: x\n", {3, 8, "invalid YAML: illegal map value"});
}

// --- every key -------------------------------------------------------------------------

TEST(config_keys, every_key_is_read) {
    const settings s = load_string(R"(
server:
  host: 127.0.0.1
  port: 8080
  workers: 3
  path: /realtime/
  shutdown_timeout: 2s
engineio:
  ping_interval: 10s
  ping_timeout: 5000
  max_payload: 64KiB
  transports: [websocket]
  allow_upgrades: false
  upgrade_timeout: 2m
  max_buffered_bytes: 4MiB
  allow_eio3: true
socketio:
  parser: msgpack
  connect_timeout: 1m
  max_attachments: 3
  namespaces:
    - /
    - name: /admin
      anonymous: true
    - name: /public
cors:
  origins: [https://example.com, "http://localhost:8080"]
  credentials: true
  methods: [GET, POST, OPTIONS]
  allowed_headers: [Authorization, X-Request-Id]
  max_age: 10m
log:
  level: debug
)");
    EXPECT_EQ(s.server.host, "127.0.0.1");
    EXPECT_EQ(s.server.port, 8080);
    EXPECT_EQ(s.server.workers, 3u);
    EXPECT_EQ(s.server.path, "/realtime/");
    EXPECT_EQ(s.server.shutdown_timeout, 2s);
    EXPECT_EQ(s.engineio.ping_interval, 10s);
    EXPECT_EQ(s.engineio.ping_timeout, 5s);
    EXPECT_EQ(s.engineio.max_payload, 65536u);
    EXPECT_FALSE(s.engineio.transport_polling);
    EXPECT_TRUE(s.engineio.transport_websocket);
    EXPECT_FALSE(s.engineio.allow_upgrades);
    EXPECT_EQ(s.engineio.upgrade_timeout, 2min);
    EXPECT_EQ(s.engineio.max_buffered_bytes, 4u << 20);
    EXPECT_TRUE(s.engineio.allow_eio3);
    EXPECT_EQ(s.socketio.parser, packet_parser::msgpack);
    EXPECT_EQ(s.socketio.connect_timeout, 1min);
    EXPECT_EQ(s.socketio.max_attachments, 3u);
    ASSERT_EQ(s.socketio.namespaces.size(), 3u);
    EXPECT_EQ(s.socketio.namespaces[0].name, "/");
    EXPECT_FALSE(s.socketio.namespaces[0].anonymous);   // off unless a deployment says so
    EXPECT_EQ(s.socketio.namespaces[1].name, "/admin");
    EXPECT_TRUE(s.socketio.namespaces[1].anonymous);
    EXPECT_EQ(s.socketio.namespaces[2].name, "/public");
    EXPECT_EQ(s.socketio.namespaces[2].anonymous, namespace_settings{}.anonymous);
    EXPECT_EQ(s.cors.origins,
              (std::vector<std::string>{"https://example.com", "http://localhost:8080"}));
    EXPECT_TRUE(s.cors.credentials);
    EXPECT_EQ(s.cors.methods, (std::vector<std::string>{"GET", "POST", "OPTIONS"}));
    EXPECT_EQ(s.cors.allowed_headers, (std::vector<std::string>{"Authorization", "X-Request-Id"}));
    EXPECT_EQ(s.cors.max_age, 10min);
    EXPECT_EQ(s.log.level, "debug");
}

TEST(config_keys, unset_keys_keep_their_defaults) {
    const settings s = load_string("server:\n  port: 4000\n");
    EXPECT_EQ(s.server.port, 4000);
    settings expected;
    expected.server.port = 4000;
    expect_same(s, expected);
}

TEST(config_keys, path_gets_its_trailing_slash) {
    EXPECT_EQ(load_string("server: {path: /socket.io}").server.path, "/socket.io/");
    EXPECT_EQ(load_string("server: {path: /}").server.path, "/");
    EXPECT_EQ(load_string("server: {path: /a/b/}").server.path, "/a/b/");
}

TEST(config_keys, workers_zero_means_one_per_core_and_port_bounds_are_inclusive) {
    EXPECT_EQ(load_string("server: {workers: 0}").server.workers, 0u);
    EXPECT_EQ(load_string("server: {port: 1}").server.port, 1);
    EXPECT_EQ(load_string("server: {port: 65535}").server.port, 65535);
    EXPECT_EQ(load_string("server: {port: \"3001\"}").server.port, 3001);
}

TEST(config_keys, transports_in_either_order) {
    const auto both = load_string("engineio: {transports: [websocket, polling]}").engineio;
    EXPECT_TRUE(both.transport_polling);
    EXPECT_TRUE(both.transport_websocket);
    const auto polling = load_string("engineio: {transports: [polling]}").engineio;
    EXPECT_TRUE(polling.transport_polling);
    EXPECT_FALSE(polling.transport_websocket);
}

TEST(config_keys, booleans_follow_yaml_1_2) {
    EXPECT_TRUE(load_string("cors: {credentials: True}").cors.credentials);
    EXPECT_TRUE(load_string("cors: {credentials: TRUE}").cors.credentials);
    EXPECT_FALSE(load_string("engineio: {allow_upgrades: false}").engineio.allow_upgrades);
}

TEST(config_keys, a_namespace_list_replaces_the_default) {
    const auto namespaces = load_string("socketio:\n  namespaces: [/chat]\n").socketio.namespaces;
    ASSERT_EQ(namespaces.size(), 1u);
    EXPECT_EQ(namespaces[0].name, "/chat");
}

TEST(config_keys, origins_may_be_one_string) {
    EXPECT_EQ(load_string("cors: {origins: \"*\"}").cors.origins, std::vector<std::string>{"*"});
    EXPECT_EQ(load_string("cors:\n  origins: https://a.example:8443\n").cors.origins,
              std::vector<std::string>{"https://a.example:8443"});
    EXPECT_EQ(load_string("cors: {origins: [\"capacitor://localhost\"]}").cors.origins,
              std::vector<std::string>{"capacitor://localhost"});
    EXPECT_TRUE(load_string("cors: {origins: []}").cors.origins.empty());
}

TEST(config_keys, max_age_zero_and_max_attachments_zero_are_allowed) {
    EXPECT_EQ(load_string("cors: {max_age: 0}").cors.max_age, 0ms);
    EXPECT_EQ(load_string("socketio: {max_attachments: 0}").socketio.max_attachments, 0u);
    EXPECT_EQ(load_string("server: {shutdown_timeout: 0s}").server.shutdown_timeout, 0ms);
}

// --- durations and sizes ---------------------------------------------------------------

TEST(config_durations, valid_forms) {
    const std::pair<std::string, milliseconds> table[] = {
        {"0", 0ms},       {"250", 250ms},    {"250ms", 250ms}, {"25s", 25s},
        {"2m", 2min},     {"1h", 1h},        {"0s", 0ms},      {"\"1500\"", 1500ms},
        {"90 s", 90s},    {"36h", 36h},      {"007s", 7s},
    };
    for (const auto& [text, expected] : table) {
        SCOPED_TRACE(text);
        const auto loaded = load_string("server:\n  shutdown_timeout: " + text + "\n");
        EXPECT_EQ(loaded.server.shutdown_timeout, expected);
    }
}

TEST(config_durations, invalid_forms) {
    const std::string expectation =
        "expected a duration such as 250ms, 25s, 2m or 1h (a bare integer is milliseconds), got ";
    const std::pair<std::string, std::string> table[] = {
        {"abc", "\"abc\""},
        {"-1s", "\"-1s\""},
        {"-5", "\"-5\""},
        {"10 parsecs", "\"10 parsecs\""},
        {"1.5s", "\"1.5s\""},
        {"s", "\"s\""},
        {"25S", "\"25S\""},
        {"1h30m", "\"1h30m\""},
        {"\"\"", "\"\""},
        {"9999999999999999999h", "\"9999999999999999999h\""},
        {"[1s]", "a list"},
        {"{a: 1}", "a map"},
    };
    for (const auto& [text, got] : table) {
        expect_error("server:\n  shutdown_timeout: " + text + "\n",
                     {2, 21, "server.shutdown_timeout: " + expectation + got});
    }
}

TEST(config_durations, the_example_from_the_documentation) {
    expect_error("server:\n  port: 3000\nengineio:\n  ping_timeout: 20s\n\n\n"
                 "  ping_interval: fast\n",
                 {7, 18,
                  "engineio.ping_interval: expected a duration such as 250ms, 25s, 2m or 1h (a "
                  "bare integer is milliseconds), got \"fast\""});
}

TEST(config_sizes, valid_forms) {
    const std::pair<std::string, std::size_t> table[] = {
        {"1024", 1024},           {"1024B", 1024},          {"64KiB", 65536},
        {"1MiB", 1 << 20},        {"1MB", 1'000'000},       {"2kB", 2000},
        {"2KB", 2000},            {"1GB", 1'000'000'000},   {"1GiB", 1u << 30},
        {"1 MiB", 1 << 20},       {"\"4096\"", 4096},
    };
    for (const auto& [text, expected] : table) {
        SCOPED_TRACE(text);
        const auto engineio =
            load_string("engineio:\n  max_payload: " + text + "\n  max_buffered_bytes: 1GiB\n")
                .engineio;
        EXPECT_EQ(engineio.max_payload, expected);
    }
    EXPECT_EQ(load_string("engineio: {max_payload: 1KiB, max_buffered_bytes: 4096}")
                  .engineio.max_buffered_bytes,
              4096u);
}

TEST(config_sizes, invalid_forms) {
    const std::string expectation =
        "expected a size such as 512B, 64KiB, 1MiB or 1MB (a bare integer is bytes), got ";
    for (const std::string text :
         {"abc", "-1MiB", "1.5MiB", "1TB", "1mb", "MiB", "1 MiB 2", "99999999999999999999"}) {
        expect_error("engineio:\n  max_payload: " + text + "\n",
                     {2, 16, "engineio.max_payload: " + expectation + "\"" + text + "\""});
    }
}

TEST(config_sizes, max_payload_bounds) {
    const std::string message =
        "engineio.max_payload: expected a size from 1KiB to 1GiB (smaller refuses ordinary "
        "messages; a polling request body is held in memory whole), got ";
    expect_error("engineio:\n  max_payload: 512B\n", {2, 16, message + "\"512B\""});
    expect_error("engineio:\n  max_payload: 1023\n", {2, 16, message + "\"1023\""});
    expect_error("engineio:\n  max_payload: 2GiB\n", {2, 16, message + "\"2GiB\""});
}

// --- error classes ---------------------------------------------------------------------

TEST(config_errors, missing_file_has_line_zero) {
    const std::string path = "/nonexistent/switchboard.yaml";
    try {
        load_file(path);
        FAIL() << "loaded a missing file";
    } catch (const config_error& error) {
        EXPECT_EQ(error.file(), path);
        EXPECT_EQ(error.line(), 0);
        EXPECT_EQ(error.column(), 0);
        EXPECT_EQ(error.message(), "cannot open the configuration file: No such file or directory");
        EXPECT_EQ(std::string(error.what()), path + ":0:0: " + error.message());
    }
}

TEST(config_errors, a_directory_is_not_a_file) {
    const auto directory = std::filesystem::temp_directory_path().string();
    try {
        load_file(directory);
        FAIL() << "loaded a directory";
    } catch (const config_error& error) {
        EXPECT_EQ(error.line(), 0);
        EXPECT_EQ(error.message(), "cannot read the configuration file: it is a directory");
    }
}

TEST(config_errors, errors_in_a_file_name_the_file) {
    const temporary_file file("log:\n  level: loud\n");
    try {
        load_file(file.path());
        FAIL() << "loaded an invalid file";
    } catch (const config_error& error) {
        EXPECT_EQ(std::string(error.what()),
                  file.path() +
                      ":2:10: log.level: expected one of trace, debug, info, warn, error, got "
                      "\"loud\"");
    }
}

TEST(config_errors, a_valid_file_records_its_path) {
    const temporary_file file("server:\n  port: 4444\n");
    const settings loaded = load_file(file.path());
    EXPECT_EQ(loaded.server.port, 4444);
    EXPECT_EQ(loaded.source_file, file.path());
}

TEST(config_errors, unknown_key_suggests_the_closest_and_lists_the_valid_ones) {
    expect_error("engineio:\n  ping_intervall: 5s\n",
                 {2, 3,
                  "engineio.ping_intervall: unknown key (did you mean \"ping_interval\"?); valid "
                  "keys in engineio are: ping_interval, ping_timeout, max_payload, transports, "
                  "allow_upgrades, upgrade_timeout, max_buffered_bytes, allow_eio3"});
    expect_error("server:\n  prot: 80\n",
                 {2, 3,
                  "server.prot: unknown key (did you mean \"port\"?); valid keys in server are: "
                  "host, port, workers, path, shutdown_timeout, handler_threads, pid_file, "
                  "header_timeout, close_timeout, max_connections_per_ip, max_handshakes_per_ip, "
                  "monitoring_allow, tls"});
    expect_error("log:\n  colour: true\n",
                 {2, 3, "log.colour: unknown key; valid keys in log are: level, format, levels"});
}

TEST(config_errors, unknown_section) {
    expect_error("log: {}\nengine_io:\n  ping_interval: 1s\n",
                 {2, 1,
                  "engine_io: unknown key (did you mean \"engineio\"?); valid top-level keys are: "
                  "server, engineio, socketio, cors, auth, database, api, cluster, log, plugins, plugin_path, admin, demo, demo_public"});
}

TEST(config_errors, unknown_key_in_a_namespace_map) {
    expect_error("socketio:\n  namespaces:\n    - name: /a\n      anon: true\n",
                 {4, 7,
                  "socketio.namespaces[0].anon: unknown key; valid keys in "
                  "socketio.namespaces[0] are: name, anonymous"});
}

TEST(config_errors, repeated_key) {
    expect_error("server:\n  port: 1\n  host: x\n  port: 2\n",
                 {4, 3,
                  "server.port: repeated key (first given at line 2); keep only one of them"});
    expect_error("log: {}\nlog: {}\n",
                 {2, 1, "log: repeated key (first given at line 1); keep only one of them"});
}

TEST(config_errors, a_key_must_be_a_scalar) {
    expect_error("server:\n  ? [a, b]\n  : 1\n", {2, 5, "server: expected a key name, got a list"});
}

TEST(config_errors, wrong_types) {
    expect_error("server: [1, 2]\n",
                 {1, 9,
                  "server: expected a map of settings (host, port, workers, path, "
                  "shutdown_timeout, handler_threads, pid_file, header_timeout, close_timeout, "
                  "max_connections_per_ip, max_handshakes_per_ip, monitoring_allow, tls), got a list"});
    expect_error("server: 3000\n",
                 {1, 9,
                  "server: expected a map of settings (host, port, workers, path, "
                  "shutdown_timeout, handler_threads, pid_file, header_timeout, close_timeout, "
                  "max_connections_per_ip, max_handshakes_per_ip, monitoring_allow, tls), got \"3000\""});
    expect_error("server:\n  port: yes\n",
                 {2, 9, "server.port: expected a port number from 1 to 65535, got \"yes\""});
    expect_error("server:\n  port: 30.5\n",
                 {2, 9, "server.port: expected a port number from 1 to 65535, got \"30.5\""});
    expect_error("server:\n  host: [a]\n",
                 {2, 9,
                  "server.host: expected a host name or address such as 0.0.0.0 or ::, got a "
                  "list"});
    expect_error("engineio:\n  allow_upgrades: yes\n",
                 {2, 19, "engineio.allow_upgrades: expected true or false, got \"yes\""});
    expect_error("engineio:\n  allow_upgrades: 1\n",
                 {2, 19, "engineio.allow_upgrades: expected true or false, got \"1\""});
    expect_error("cors:\n  origins: {a: b}\n",
                 {2, 12,
                  "cors.origins: expected \"*\", an origin, or a list of origins, got a map"});
    expect_error("cors:\n  methods: GET\n",
                 {2, 12,
                  "cors.methods: expected a non-empty list of HTTP methods such as [GET, POST], "
                  "got \"GET\""});
}

TEST(config_errors, an_empty_value_points_at_its_key) {
    expect_error("server:\n  port:\n  host: x\n",
                 {2, 3, "server.port: expected a port number from 1 to 65535, got nothing"});
    expect_error("log:\n  level: ~\n",
                 {2, 3, "log.level: expected one of trace, debug, info, warn, error, got nothing"});
}

TEST(config_errors, server_bounds) {
    expect_error("server: {port: 0}",
                 {1, 16, "server.port: expected a port number from 1 to 65535, got \"0\""});
    expect_error("server: {port: 65536}",
                 {1, 16, "server.port: expected a port number from 1 to 65535, got \"65536\""});
    expect_error("server: {workers: -1}",
                 {1, 19,
                  "server.workers: expected a worker count from 0 (one per core) to 1024, got "
                  "\"-1\""});
    expect_error("server: {workers: 1025}",
                 {1, 19,
                  "server.workers: expected a worker count from 0 (one per core) to 1024, got "
                  "\"1025\""});
    expect_error("server: {host: \"\"}",
                 {1, 16,
                  "server.host: expected a host name or address such as 0.0.0.0 or ::, got \"\""});
}

TEST(config_errors, server_path) {
    expect_error("server:\n  path: socket.io\n",
                 {2, 9,
                  "server.path: expected a URL path starting with '/' such as /socket.io/, got "
                  "\"socket.io\""});
    expect_error("server:\n  path: \"/socket.io/?x=1\"\n",
                 {2, 9,
                  "server.path: expected a URL path without '?', '#' or spaces, such as "
                  "/socket.io/, got \"/socket.io/?x=1\""});
}

TEST(config_errors, heartbeat_durations_must_be_positive) {
    const std::string message =
        "expected a duration above zero such as 250ms or 25s, got \"0\"";
    expect_error("engineio:\n  ping_interval: 0\n", {2, 18, "engineio.ping_interval: " + message});
    expect_error("engineio:\n  ping_timeout: 0\n", {2, 17, "engineio.ping_timeout: " + message});
    expect_error("engineio:\n  upgrade_timeout: 0\n",
                 {2, 20, "engineio.upgrade_timeout: " + message});
    expect_error("socketio:\n  connect_timeout: 0\n",
                 {2, 20, "socketio.connect_timeout: " + message});
}

TEST(config_errors, heartbeat_sum_must_fit_a_javascript_timer) {
    const std::string reason =
        "ping_interval + ping_timeout must be at most 2147483647ms (about 24.8 days): "
        "JavaScript clients arm one timer for their sum, and a longer one fires at once";
    expect_error("engineio:\n  ping_interval: 24h\n  ping_timeout: 596h\n",
                 {3, 17, "engineio.ping_timeout: " + reason});
    expect_error("engineio:\n  ping_interval: 2147483000\n",
                 {2, 18, "engineio.ping_interval: " + reason});
    // 2147463647 + the default 20000 is exactly the limit.
    EXPECT_EQ(load_string("engineio: {ping_interval: 2147463647}").engineio.ping_interval,
              2147463647ms);
}

TEST(config_errors, buffered_bytes_must_hold_the_largest_packet) {
    expect_error("engineio:\n  max_payload: 64KiB\n  max_buffered_bytes: 32KiB\n",
                 {3, 23,
                  "engineio.max_buffered_bytes: engineio.max_buffered_bytes (32768 bytes) must be "
                  "at least engineio.max_payload (65536 bytes), or one largest packet would "
                  "overflow a session's queue"});
    expect_error("engineio:\n  max_payload: 2MiB\n",
                 {2, 16,
                  "engineio.max_payload: engineio.max_buffered_bytes (1048576 bytes) must be at "
                  "least engineio.max_payload (2097152 bytes); raise max_buffered_bytes as well"});
}

TEST(config_errors, transports) {
    const std::string expectation =
        "expected a non-empty list of transports: polling, websocket or both, got ";
    expect_error("engineio:\n  transports: []\n",
                 {2, 15, "engineio.transports: " + expectation + "an empty list"});
    expect_error("engineio:\n  transports: websocket\n",
                 {2, 15, "engineio.transports: " + expectation + "\"websocket\""});
    expect_error("engineio:\n  transports: [polling, flash]\n",
                 {2, 25,
                  "engineio.transports[1]: expected \"polling\" or \"websocket\", got \"flash\""});
    expect_error("engineio:\n  transports:\n    - websocket\n    - websocket\n",
                 {4, 7, "engineio.transports[1]: transport \"websocket\" is listed twice"});
}

TEST(config_errors, namespaces) {
    expect_error("socketio:\n  namespaces: []\n",
                 {2, 15,
                  "socketio.namespaces: expected a non-empty list of namespaces such as [\"/\", "
                  "\"/chat\"], got an empty list"});
    expect_error("socketio:\n  namespaces: [chat]\n",
                 {2, 16,
                  "socketio.namespaces[0]: expected a namespace name starting with '/', such as "
                  "/chat, got \"chat\""});
    expect_error("socketio:\n  namespaces:\n    - /chat\n    - /news\n    - name: /chat\n",
                 {5, 7,
                  "socketio.namespaces[2]: namespace \"/chat\" is listed twice (first at line 3)"});
    expect_error("socketio:\n  namespaces:\n    - anonymous: false\n",
                 {3, 7,
                  "socketio.namespaces[0]: missing key \"name\" (the namespace, such as /chat)"});
    expect_error("socketio:\n  namespaces:\n    - name: /a\n      anonymous: no\n",
                 {4, 18,
                  "socketio.namespaces[0].anonymous: expected true or false, got \"no\""});
    expect_error("socketio:\n  namespaces:\n    - \"/a,b\"\n",
                 {3, 7,
                  "socketio.namespaces[0]: expected a namespace name without commas or spaces, "
                  "such as /chat, got \"/a,b\""});
    expect_error("socketio:\n  namespaces:\n    - [/a]\n",
                 {3, 7,
                  "socketio.namespaces[0]: expected a namespace such as \"/chat\" or a map "
                  "{name: /chat, anonymous: false}, got a list"});
    expect_error("socketio:\n  max_attachments: 10001\n",
                 {2, 20,
                  "socketio.max_attachments: expected an attachment count from 0 (no binary "
                  "packets) to 10000, got \"10001\""});
}

TEST(config_errors, cors) {
    expect_error("cors:\n  origins: [https://example.com/]\n",
                 {2, 13,
                  "cors.origins[0]: expected an origin without a path or trailing slash, such as "
                  "https://example.com (browsers never send one), got \"https://example.com/\""});
    expect_error("cors:\n  origins: example.com\n",
                 {2, 12,
                  "cors.origins: expected \"*\" or an origin such as https://example.com "
                  "(scheme://host[:port]), got \"example.com\""});
    expect_error_starting("cors:\n  origins: \"https://*.example.com\"\n", 2, 12,
                          "cors.origins: expected an exact origin: wildcard patterns are not "
                          "supported");
    expect_error("cors:\n  methods: []\n",
                 {2, 12,
                  "cors.methods: expected a non-empty list of HTTP methods such as [GET, POST], "
                  "got an empty list"});
    expect_error("cors:\n  allowed_headers: [\"X Bad\"]\n",
                 {2, 21,
                  "cors.allowed_headers[0]: expected a list of HTTP header names such as "
                  "[Authorization], got \"X Bad\""});
    expect_error("cors:\n  max_age: 1500ms\n",
                 {2, 12,
                  "cors.max_age: expected whole seconds such as 600s or 10m "
                  "(Access-Control-Max-Age counts seconds), got \"1500ms\""});
}

TEST(config_errors, log_level) {
    expect_error("log:\n  level: verbose\n",
                 {2, 10,
                  "log.level: expected one of trace, debug, info, warn, error, got "
                  "\"verbose\""});
}

TEST(config_errors, long_values_are_shortened_in_messages) {
    const std::string long_value(100, 'x');
    const auto error = error_of("log: {level: " + long_value + "}");
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->message().find("\"" + std::string(60, 'x') + "...\""), std::string::npos)
        << error->message();
}

TEST(config_errors, load_string_names_its_source) {
    try {
        load_string("log: {level: x}", "inline");
        FAIL();
    } catch (const config_error& error) {
        EXPECT_EQ(error.file(), "inline");
    }
    try {
        load_string("log: {level: x}");
        FAIL();
    } catch (const config_error& error) {
        EXPECT_EQ(error.file(), "<string>");
    }
}

}  // namespace
}  // namespace switchboard::kernel::config

namespace switchboard::kernel::config {
namespace {

using namespace std::chrono_literals;

TEST(config_bounds, reads_the_hardening_bounds) {
    const auto s = load_string(R"(
server:
  header_timeout: 2s
  close_timeout: 750ms
  max_connections_per_ip: 100
  max_handshakes_per_ip: 20
  monitoring_allow: [127.0.0.1, 10.0.0.0/8, "::1"]
socketio:
  max_attachment_bytes: 4MiB
  max_decode_amplification: 3
  max_pooled_events: 32
  max_pooled_bytes: 1MiB
)");
    EXPECT_EQ(s.server.header_timeout, 2s);
    EXPECT_EQ(s.server.close_timeout, 750ms);
    EXPECT_EQ(s.server.max_connections_per_ip, 100u);
    EXPECT_EQ(s.server.max_handshakes_per_ip, 20u);
    EXPECT_EQ(s.server.monitoring_allow.size(), 3u);
    EXPECT_EQ(s.socketio.max_attachment_bytes, 4u << 20);
    EXPECT_EQ(s.socketio.max_decode_amplification, 3u);
    EXPECT_EQ(s.socketio.max_pooled_events, 32u);
    EXPECT_EQ(s.socketio.max_pooled_bytes, 1u << 20);
    EXPECT_THROW(load_string("server:\n  monitoring_allow: [localhost]\n"), config_error);
    EXPECT_THROW(load_string("socketio:\n  max_decode_amplification: 0\n"), config_error);
}

TEST(config_tls, reads_the_tls_section_and_refuses_half_of_one) {
    const auto s = load_string(
        "server:\n  tls:\n    cert_file: a.crt\n    key_file: a.key\n    ca_file: chain.pem\n    min_version: \"1.3\"\n");
    EXPECT_TRUE(s.server.tls.enabled());
    EXPECT_EQ(s.server.tls.cert_file, "a.crt");
    EXPECT_EQ(s.server.tls.key_file, "a.key");
    EXPECT_EQ(s.server.tls.ca_file, "chain.pem");
    EXPECT_EQ(s.server.tls.min_version, "1.3");
    EXPECT_FALSE(load_string("").server.tls.enabled());
    expect_error("server:\n  tls:\n    cert_file: a.crt\n",
                 {3, 5, "server.tls: give both cert_file and key_file (or remove the tls section for plain HTTP)"});
    expect_error("server:\n  tls:\n    cert_file: a.crt\n    key_file: a.key\n    min_version: \"1.1\"\n",
                 {5, 18, "server.tls.min_version: expected \"1.2\" or \"1.3\" (older TLS versions are not offered), got "
                         "\"1.1\""});
}

// --- api ---------------------------------------------------------------------------------

TEST(config_api, reads_keys_and_their_variables) {
    const auto loaded = load_string("api:\n  keys: [0123456789abcdef0123]\n  keys_env: [A_KEY, B_KEY]\n", "test.yaml");
    EXPECT_EQ(loaded.api.keys, std::vector<std::string>{"0123456789abcdef0123"});
    EXPECT_EQ(loaded.api.keys_env, (std::vector<std::string>{"A_KEY", "B_KEY"}));
}

TEST(config_api, refuses_a_key_short_enough_to_guess) {
    expect_error("api:\n  keys: [0123456789abcdef, short]\n",
                 {2, 28, "api.keys[1]: expected an API key of at least 16 characters, got \"short\""});
}

TEST(config_cluster, reads_the_redis_adapter) {
    const auto loaded = load_string(
        "cluster:\n  adapter: redis\n  url: redis://:pw@10.0.0.5:6380/2\n  key: app\n  requests_timeout: 2s\n", "test.yaml");
    EXPECT_EQ(loaded.cluster.adapter, "redis");
    EXPECT_EQ(loaded.cluster.url, "redis://:pw@10.0.0.5:6380/2");
    EXPECT_EQ(loaded.cluster.key, "app");
    EXPECT_EQ(loaded.cluster.requests_timeout, 2s);
}

TEST(config_cluster, takes_the_sharded_adapter) {
    EXPECT_EQ(load_string("cluster:\n  adapter: redis-sharded\n", "test.yaml").cluster.adapter, "redis-sharded");
}

TEST(config_cluster, refuses_an_unknown_adapter_and_a_url_of_another_scheme) {
    expect_error("cluster:\n  adapter: kafka\n", {2, 12, "cluster.adapter: expected none, redis, redis-sharded or redis-streams, got \"kafka\""});
    expect_error_starting("cluster:\n  url: http://x\n", 2, 8, "cluster.url: expected a Redis URL");
}

TEST(config_api, refuses_unknown_keys) {
    expect_error_starting("api:\n  key: x\n", 2, 3, "api.key: unknown key (did you mean \"keys\"?)");
}

constexpr const char* admin_hash = "$2b$04$e49K1JCQQhCChNDtnCXqD.Unz7KheDOrUMBedjyQK8q4rIT3r8RfC";

TEST(config_admin, an_enabled_admin_gets_its_own_anonymous_namespace) {
    const auto loaded = load_string(std::string("admin:\n  enabled: true\n  mode: production\n  server_id: eu-1\n"
                                                "  auth: {username: ops, password_hash: \"") + admin_hash + "\"}\n",
                                    "test.yaml");
    EXPECT_TRUE(loaded.admin.enabled);
    EXPECT_EQ(loaded.admin.username, "ops");
    EXPECT_EQ(loaded.admin.password_hash, admin_hash);
    EXPECT_EQ(loaded.admin.mode, "production");
    EXPECT_EQ(loaded.admin.server_id, "eu-1");
    ASSERT_EQ(loaded.socketio.namespaces.size(), 2u);
    EXPECT_EQ(loaded.socketio.namespaces[1].name, "/admin");
    EXPECT_TRUE(loaded.socketio.namespaces[1].anonymous);
    EXPECT_EQ(load_string("admin:\n  enabled: false\n", "test.yaml").socketio.namespaces.size(), 1u);
}

TEST(config_admin, refuses_an_admin_anyone_could_open_or_a_password_in_clear) {
    expect_error("admin:\n  enabled: true\n",
                 {2, 3, "admin: enabled without auth: give auth: {username, password_hash}"});
    expect_error_starting("admin:\n  auth: {username: ops, password_hash: hunter2}\n", 2, 40,
                          "admin.auth.password_hash: expected a bcrypt hash");
    expect_error_starting("admin:\n  mode: debug\n", 2, 9, "admin.mode: expected development or production");
    expect_error_starting(std::string("socketio:\n  namespaces: [{name: /admin}]\nadmin:\n  enabled: true\n"
                                      "  auth: {username: ops, password_hash: \"") + admin_hash + "\"}\n",
                          4, 3, "admin: namespace /admin is also in socketio.namespaces");
}

TEST(config_demo, demo_true_is_the_page_and_its_login_and_a_map_chooses) {
    const auto off = load_string("", "test.yaml");
    EXPECT_FALSE(off.demo.enabled);
    EXPECT_FALSE(off.demo.login);
    const auto on = load_string("demo: true\n", "test.yaml");
    EXPECT_TRUE(on.demo.enabled);
    EXPECT_TRUE(on.demo.login);
    EXPECT_EQ(on.demo.path, "/demo");
    EXPECT_FALSE(on.demo.public_login);
    const auto page = load_string("demo: {path: /demo-realtime}\ndemo_public: true\n", "test.yaml");
    EXPECT_TRUE(page.demo.enabled);
    EXPECT_FALSE(page.demo.login);
    EXPECT_EQ(page.demo.path, "/demo-realtime");
    EXPECT_TRUE(page.demo.public_login);
    EXPECT_FALSE(load_string("demo: {enabled: false, login: true}\n", "test.yaml").demo.enabled);
}

TEST(config_demo, refuses_a_bad_path_or_an_unknown_key) {
    expect_error_starting("demo:\n  path: demo\n", 2, 9, "demo.path: expected a path starting with '/'");
    expect_error_starting("demo:\n  path: /demo/\n", 2, 9, "demo.path: expected a path starting with '/'");
    expect_error_starting("demo:\n  public: true\n", 2, 3, "demo.public: unknown key");
    expect_error_starting("demo: yes\n", 1, 7, "demo: expected");
}

TEST(config_log, format_and_levels_per_component) {
    const auto s = load_string("plugins: [chat]\nlog:\n  level: warn\n  format: json\n"
                               "  levels: {engineio: debug, chat: trace, cluster: error}\n");
    EXPECT_EQ(s.log.level, "warn");
    EXPECT_EQ(s.log.format, "json");
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"engineio", "debug"}, {"cluster", "error"}, {"chat", "trace"}};
    EXPECT_EQ(s.log.levels, expected);
    EXPECT_EQ(settings{}.log.format, "text");
    EXPECT_TRUE(settings{}.log.levels.empty());
}

TEST(config_database, sqlite_synchronous_is_normal_unless_full_is_asked) {
    EXPECT_EQ(settings{}.database.sqlite_synchronous, "normal");
    EXPECT_EQ(load_string("database:\n  sqlite_synchronous: full\n").database.sqlite_synchronous, "full");
    expect_error("database:\n  sqlite_synchronous: off\n",
                 {2, 23, "database.sqlite_synchronous: expected normal or full, got \"off\""});
}

TEST(config_log, bad_values_are_refused_where_they_are) {
    expect_error("log:\n  format: xml\n", {2, 11, "log.format: expected text or json, got \"xml\""});
    expect_error("log:\n  levels: {engineio: loud}\n",
                 {2, 22, "log.levels.engineio: expected one of trace, debug, info, warn, error, got \"loud\""});
    expect_error("log:\n  levels: [engineio]\n",
                 {2, 11, "log.levels: expected a map of component: level, such as {engineio: debug, cluster: warn}, "
                         "got a list"});
    // A misspelt component, or a plugin that is not enabled, would silently get nothing.
    expect_error_starting("log:\n  levels:\n    engineoi: debug\n", 3, 5,
                          "log.levels.engineoi: unknown key (did you mean \"engineio\"?)");
    expect_error_starting("log:\n  levels: {chat: debug}\n", 2, 12, "log.levels.chat: unknown key");
}

}  // namespace
}  // namespace switchboard::kernel::config
