// The configuration schema: which sections and keys exist, what each accepts, and the
// checks that span several keys. Reading typed values with locations is yaml_reader's job.
#include "kernel/config/config.hpp"

#include "kernel/config/yaml_reader.hpp"
#include "kernel/core/address_range.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace switchboard::kernel::config {

config_error::config_error(std::string file, int line, int column, std::string message)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

namespace {

using detail::yaml_value;

constexpr std::string_view top_level_keys[] = {"server", "engineio", "socketio",    "cors",     "auth",
                                               "database", "api",   "cluster", "log",   "plugins", "plugin_path",
                                               "admin", "demo", "demo_public"};
constexpr std::string_view demo_keys[] = {"enabled", "path", "login"};
constexpr std::string_view admin_keys[] = {"enabled", "namespace", "auth", "readonly", "mode", "server_id"};
constexpr std::string_view admin_auth_keys[] = {"username", "password_hash"};
constexpr std::string_view cluster_keys[] = {"adapter", "url",       "url_env",     "key",
                                             "requests_timeout", "heartbeat", "node_timeout"};
constexpr std::string_view api_keys[] = {"keys", "keys_env"};
constexpr std::string_view auth_keys[] = {"algorithms", "secret",   "secret_env", "public_key_file",
                                          "public_key_env", "issuer", "audience", "leeway"};
constexpr std::string_view jwt_algorithms[] = {"HS256", "RS256", "ES256"};
constexpr std::string_view database_keys[] = {"url",     "pool_size",      "connect_timeout",
                                              "migrate", "migrations_dir", "sqlite_synchronous"};
constexpr std::string_view sqlite_synchronous_modes[] = {"normal", "full"};
constexpr std::string_view server_keys[] = {"host",           "port",           "workers", "path",
                                            "shutdown_timeout", "handler_threads", "pid_file",
                                            "header_timeout", "close_timeout", "max_connections_per_ip",
                                            "max_handshakes_per_ip", "monitoring_allow", "tls"};
constexpr std::string_view tls_keys[] = {"cert_file", "key_file", "ca_file", "min_version"};
constexpr std::string_view plugin_keys[] = {"name", "file", "required", "migrations", "config"};
constexpr std::string_view engineio_keys[] = {
    "ping_interval",  "ping_timeout",    "max_payload",        "transports",
    "allow_upgrades", "upgrade_timeout", "max_buffered_bytes", "allow_eio3",
};
constexpr std::string_view socketio_keys[] = {"connect_timeout",      "max_attachments",
                                              "max_attachment_bytes", "max_decode_amplification",
                                              "max_pooled_events",    "max_pooled_bytes",
                                              "namespaces",           "recovery",
                                              "parser"};
constexpr std::string_view recovery_keys[] = {"enabled", "max_disconnection_duration", "skip_auth_hooks", "log_size",
                                              "log_age"};
constexpr std::string_view namespace_keys[] = {"name", "anonymous"};
constexpr std::string_view cors_keys[] = {"origins", "credentials", "methods", "allowed_headers",
                                          "max_age"};
constexpr std::string_view log_keys[] = {"level", "format", "levels"};
constexpr std::string_view log_levels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view log_formats[] = {"text", "json"};

// More workers than any machine has cores only adds context switches; a number this
// large is a typo (or a unit mix-up), not a deployment.
constexpr std::int64_t max_workers = 1024;
// Each pending attachment is buffered until its packet is complete, so the count bounds
// how much one packet may make the server hold.
constexpr std::int64_t max_attachments_limit = 10'000;
// Below this, the handshake and ordinary messages are refused; above it, one polling
// request body (held in memory whole) could take a large share of the machine.
constexpr std::size_t min_payload = 1024;
constexpr std::size_t max_payload_limit = std::size_t{1} << 30;
// JavaScript clients arm one setTimeout for ping_interval + ping_timeout; a delay over
// 2^31 - 1 ms overflows and fires immediately, disconnecting every client at once.
constexpr milliseconds js_timer_limit{2'147'483'647};

milliseconds positive_duration(const yaml_value& value) {
    const auto duration = value.as_duration();
    if (duration.count() == 0) value.fail_expected("a duration above zero such as 250ms or 25s");
    return duration;
}

bool is_http_token(std::string_view text) {
    constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               specials.find(c) != std::string_view::npos;
    });
}

bool has_space_or_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

std::string read_path(const yaml_value& value) {
    constexpr std::string_view expectation = "a URL path starting with '/' such as /socket.io/";
    std::string path = value.as_string(expectation);
    if (path.empty() || path.front() != '/') value.fail_expected(expectation);
    // Clients append "?EIO=4&transport=..." themselves; a query or fragment here could
    // never match a request.
    if (path.find_first_of("?#") != std::string::npos || has_space_or_control(path))
        value.fail_expected("a URL path without '?', '#' or spaces, such as /socket.io/");
    if (path.back() != '/') path += '/';
    return path;
}

bool is_address_or_cidr(std::string_view text) { return address_range::parse(text).has_value(); }

void read_tls(const yaml_value& section, tls_settings& out) {
    const auto map = section.as_map(tls_keys);
    auto file = [&](std::string_view key, std::string& into) {
        if (const auto value = map.find(key)) {
            into = value->as_string("a file path");
            if (into.empty()) value->fail_expected("a file path");
        }
    };
    file("cert_file", out.cert_file);
    file("key_file", out.key_file);
    file("ca_file", out.ca_file);
    if (const auto value = map.find("min_version")) {
        constexpr std::string_view expectation = "\"1.2\" or \"1.3\" (older TLS versions are not offered)";
        out.min_version = value->as_string(expectation);
        if (out.min_version != "1.2" && out.min_version != "1.3") value->fail_expected(expectation);
    }
    // Half a TLS setup would silently serve plain HTTP (or nothing): both or neither.
    if (out.cert_file.empty() != out.key_file.empty())
        section.fail("give both cert_file and key_file (or remove the tls section for plain HTTP)");
    if (out.cert_file.empty() && (!out.ca_file.empty() || map.find("min_version")))
        section.fail("ca_file and min_version need cert_file and key_file");
}

void read_server(const yaml_value& section, server_settings& out) {
    const auto map = section.as_map(server_keys);
    if (const auto value = map.find("host")) {
        constexpr std::string_view expectation = "a host name or address such as 0.0.0.0 or ::";
        out.host = value->as_string(expectation);
        if (out.host.empty() || has_space_or_control(out.host)) value->fail_expected(expectation);
    }
    if (const auto value = map.find("port"))
        out.port = static_cast<std::uint16_t>(
            value->as_integer(1, 65535, "a port number from 1 to 65535"));
    if (const auto value = map.find("workers"))
        out.workers = static_cast<unsigned>(value->as_integer(
            0, max_workers, "a worker count from 0 (one per core) to 1024"));
    if (const auto value = map.find("path")) out.path = read_path(*value);
    if (const auto value = map.find("shutdown_timeout"))
        out.shutdown_timeout = value->as_duration();
    if (const auto value = map.find("pid_file")) out.pid_file = value->as_string("a file path");
    if (const auto value = map.find("handler_threads"))
        out.handler_threads = static_cast<unsigned>(value->as_integer(
            0, max_workers, "a thread count from 0 (4 per core) to 1024"));
    if (const auto value = map.find("header_timeout")) out.header_timeout = positive_duration(*value);
    if (const auto value = map.find("close_timeout")) out.close_timeout = positive_duration(*value);
    if (const auto value = map.find("max_connections_per_ip"))
        out.max_connections_per_ip = static_cast<unsigned>(
            value->as_integer(0, 1'000'000, "a connection count from 0 (no limit) to 1000000"));
    if (const auto value = map.find("max_handshakes_per_ip"))
        out.max_handshakes_per_ip = static_cast<unsigned>(
            value->as_integer(0, 1'000'000, "handshakes per second from 0 (no limit) to 1000000"));
    if (const auto value = map.find("monitoring_allow")) {
        out.monitoring_allow = value->as_string_list();
        for (const auto& entry : out.monitoring_allow)
            if (!is_address_or_cidr(entry))
                value->fail_expected("a list of addresses or CIDR ranges such as 127.0.0.1 or 10.0.0.0/8");
    }
    if (const auto value = map.find("tls")) read_tls(*value, out.tls);
}

void read_transports(const yaml_value& value, engineio_settings& out) {
    constexpr std::string_view expectation =
        "a non-empty list of transports: polling, websocket or both";
    if (!value.is_list()) value.fail_expected(expectation);
    const auto items = value.as_list();
    // With no transport, no client could ever open a session.
    if (items.empty()) value.fail_expected(expectation);
    out.transport_polling = false;
    out.transport_websocket = false;
    for (const auto& item : items) {
        const auto name = item.as_string("\"polling\" or \"websocket\"");
        bool* enabled = name == "polling"     ? &out.transport_polling
                        : name == "websocket" ? &out.transport_websocket
                                              : nullptr;
        if (enabled == nullptr) item.fail_expected("\"polling\" or \"websocket\"");
        if (*enabled) item.fail("transport \"" + name + "\" is listed twice");
        *enabled = true;
    }
}

void read_engineio(const yaml_value& section, engineio_settings& out) {
    const auto map = section.as_map(engineio_keys);
    const auto ping_interval = map.find("ping_interval");
    const auto ping_timeout = map.find("ping_timeout");
    const auto max_payload = map.find("max_payload");
    const auto max_buffered = map.find("max_buffered_bytes");

    if (ping_interval) out.ping_interval = positive_duration(*ping_interval);
    if (ping_timeout) out.ping_timeout = positive_duration(*ping_timeout);
    if (max_payload) {
        out.max_payload = max_payload->as_size();
        if (out.max_payload < min_payload || out.max_payload > max_payload_limit)
            max_payload->fail_expected(
                "a size from 1KiB to 1GiB (smaller refuses ordinary messages; a polling request "
                "body is held in memory whole)");
    }
    if (const auto value = map.find("transports")) read_transports(*value, out);
    if (const auto value = map.find("allow_upgrades")) out.allow_upgrades = value->as_bool();
    if (const auto value = map.find("upgrade_timeout"))
        out.upgrade_timeout = positive_duration(*value);
    if (max_buffered) out.max_buffered_bytes = max_buffered->as_size();
    if (const auto value = map.find("allow_eio3")) out.allow_eio3 = value->as_bool();

    if (ping_interval || ping_timeout) {
        if (out.ping_timeout > js_timer_limit ||
            out.ping_interval > js_timer_limit - out.ping_timeout) {
            (ping_timeout ? *ping_timeout : *ping_interval)
                .fail("ping_interval + ping_timeout must be at most 2147483647ms (about 24.8 "
                      "days): JavaScript clients arm one timer for their sum, and a longer one "
                      "fires at once");
        }
    }
    // The queue bound is checked after a packet is queued; one smaller than the largest
    // packet would drop or close a session for a single legitimate message.
    if (out.max_buffered_bytes < out.max_payload) {
        const std::string sizes = "engineio.max_buffered_bytes (" +
                                  std::to_string(out.max_buffered_bytes) +
                                  " bytes) must be at least engineio.max_payload (" +
                                  std::to_string(out.max_payload) + " bytes)";
        if (max_buffered)
            max_buffered->fail(sizes + ", or one largest packet would overflow a session's queue");
        (max_payload ? *max_payload : section).fail(sizes + "; raise max_buffered_bytes as well");
    }
}

namespace_settings read_namespace(const yaml_value& item) {
    constexpr std::string_view expectation =
        "a namespace such as \"/chat\" or a map {name: /chat, anonymous: false}";
    namespace_settings out;
    std::optional<yaml_value> name_value;
    if (item.is_scalar()) {
        name_value = item;
    } else if (item.node().IsMap()) {
        const auto map = item.as_map(namespace_keys);
        name_value = map.find("name");
        if (!name_value) item.fail("missing key \"name\" (the namespace, such as /chat)");
        if (const auto value = map.find("anonymous")) out.anonymous = value->as_bool();
    } else {
        item.fail_expected(expectation);
    }

    out.name = name_value->as_string("a namespace name starting with '/', such as /chat");
    if (out.name.empty() || out.name.front() != '/')
        name_value->fail_expected("a namespace name starting with '/', such as /chat");
    // In a Socket.IO packet the namespace ends at the first comma: such a name could not
    // be sent or told apart from its payload.
    if (out.name.find(',') != std::string::npos || has_space_or_control(out.name))
        name_value->fail_expected("a namespace name without commas or spaces, such as /chat");
    return out;
}

void read_namespaces(const yaml_value& value, socketio_settings& out) {
    constexpr std::string_view expectation =
        "a non-empty list of namespaces such as [\"/\", \"/chat\"]";
    if (!value.is_list()) value.fail_expected(expectation);
    const auto items = value.as_list();
    // With no namespace at all, every client's CONNECT would be refused.
    if (items.empty()) value.fail_expected(expectation);

    std::vector<namespace_settings> namespaces;
    std::vector<int> lines;  // where each namespace was given, for the duplicate message
    for (const auto& item : items) {
        auto ns = read_namespace(item);
        const auto same_name = [&](const auto& other) { return other.name == ns.name; };
        const auto previous = std::find_if(namespaces.begin(), namespaces.end(), same_name);
        if (previous != namespaces.end()) {
            const auto first_line = lines[static_cast<std::size_t>(previous - namespaces.begin())];
            item.fail("namespace \"" + ns.name + "\" is listed twice (first at line " +
                      std::to_string(first_line) + ")");
        }
        lines.push_back(yaml_value::line_of(item.node().Mark()));
        namespaces.push_back(std::move(ns));
    }
    out.namespaces = std::move(namespaces);
}

void read_recovery(const yaml_value& section, recovery_settings& out) {
    const auto map = section.as_map(recovery_keys);
    if (const auto value = map.find("enabled")) out.enabled = value->as_bool();
    const auto window = map.find("max_disconnection_duration");
    if (window) out.max_disconnection_duration = positive_duration(*window);
    if (const auto value = map.find("skip_auth_hooks")) out.skip_auth_hooks = value->as_bool();
    if (const auto value = map.find("log_size"))
        out.log_size = static_cast<std::size_t>(
            value->as_integer(1, 10'000'000, "an event count from 1 to 10000000 (events kept per namespace)"));
    const auto age = map.find("log_age");
    if (age) out.log_age = positive_duration(*age);
    else if (window) out.log_age = out.max_disconnection_duration;
    // An event older than the window can only serve a session that has expired anyway; a
    // shorter log would turn recoveries within the window into fresh connections.
    if (age && out.log_age < out.max_disconnection_duration)
        age->fail_expected("a duration at least max_disconnection_duration (" +
                           std::to_string(out.max_disconnection_duration.count()) +
                           "ms): a shorter log refuses recoveries the window promises");
}

void read_socketio(const yaml_value& section, socketio_settings& out) {
    const auto map = section.as_map(socketio_keys);
    if (const auto value = map.find("connect_timeout"))
        out.connect_timeout = positive_duration(*value);
    if (const auto value = map.find("max_attachments"))
        out.max_attachments = static_cast<std::size_t>(value->as_integer(
            0, max_attachments_limit, "an attachment count from 0 (no binary packets) to 10000"));
    if (const auto value = map.find("max_attachment_bytes")) {
        out.max_attachment_bytes = value->as_size();
        if (out.max_attachment_bytes == 0) value->fail_expected("a size above zero such as 16MiB");
    }
    if (const auto value = map.find("max_decode_amplification"))
        out.max_decode_amplification = static_cast<std::size_t>(
            value->as_integer(1, 64, "a factor from 1 to 64 (decoded bytes per byte received)"));
    if (const auto value = map.find("max_pooled_events"))
        out.max_pooled_events = static_cast<std::size_t>(
            value->as_integer(1, 1'000'000, "an event count from 1 to 1000000"));
    if (const auto value = map.find("max_pooled_bytes")) {
        out.max_pooled_bytes = value->as_size();
        if (out.max_pooled_bytes == 0) value->fail_expected("a size above zero such as 16MiB");
    }
    if (const auto value = map.find("namespaces")) read_namespaces(*value, out);
    if (const auto value = map.find("parser")) {
        constexpr std::string_view expectation =
            "json (the default parser) or msgpack (socket.io-msgpack-parser)";
        const std::string name = value->as_string(expectation);
        if (name == "json") out.parser = packet_parser::json;
        else if (name == "msgpack") out.parser = packet_parser::msgpack;
        else value->fail_expected(expectation);
    }
    if (const auto value = map.find("recovery")) read_recovery(*value, out.recovery);
}

// Browsers send an origin as scheme://host[:port], lower case, never with a path; an
// entry of another shape is accepted by YAML but would silently match no request.
void check_origin(const yaml_value& value, std::string_view origin) {
    if (origin == "*") return;
    constexpr std::string_view expectation =
        "\"*\" or an origin such as https://example.com (scheme://host[:port])";
    const auto separator = origin.find("://");
    if (separator == std::string_view::npos || separator == 0 || has_space_or_control(origin))
        value.fail_expected(expectation);
    const auto authority = origin.substr(separator + 3);
    if (authority.empty()) value.fail_expected(expectation);
    if (authority.find('/') != std::string_view::npos)
        value.fail_expected(
            "an origin without a path or trailing slash, such as https://example.com "
            "(browsers never send one)");
    if (authority.find('*') != std::string_view::npos)
        value.fail_expected("an exact origin: wildcard patterns are not supported; list each "
                            "origin or use \"*\" alone");
}

std::vector<std::string> read_tokens(const yaml_value& value, std::string_view expectation) {
    if (!value.is_list()) value.fail_expected(expectation);
    std::vector<std::string> tokens;
    for (const auto& item : value.as_list()) {
        auto token = item.as_string(expectation);
        if (!is_http_token(token)) item.fail_expected(expectation);
        tokens.push_back(std::move(token));
    }
    return tokens;
}

void read_cors(const yaml_value& section, cors_settings& out) {
    const auto map = section.as_map(cors_keys);
    if (const auto value = map.find("origins")) {
        constexpr std::string_view expectation = "\"*\", an origin, or a list of origins";
        std::vector<std::string> origins;
        if (value->is_scalar()) {
            origins.push_back(value->as_string());
            check_origin(*value, origins.back());
        } else if (value->is_list()) {
            for (const auto& item : value->as_list()) {
                origins.push_back(item.as_string(expectation));
                check_origin(item, origins.back());
            }
        } else {
            value->fail_expected(expectation);
        }
        out.origins = std::move(origins);
    }
    if (const auto value = map.find("credentials")) out.credentials = value->as_bool();
    if (const auto value = map.find("methods")) {
        constexpr std::string_view expectation =
            "a non-empty list of HTTP methods such as [GET, POST]";
        out.methods = read_tokens(*value, expectation);
        // Socket.IO's polling transport needs at least GET and POST; an empty list would
        // make every cross-origin preflight fail.
        if (out.methods.empty()) value->fail_expected(expectation);
    }
    if (const auto value = map.find("allowed_headers"))
        out.allowed_headers =
            read_tokens(*value, "a list of HTTP header names such as [Authorization]");
    if (const auto value = map.find("max_age")) {
        out.max_age = value->as_duration();
        // Access-Control-Max-Age is in whole seconds: "500ms" would silently become 0.
        if (out.max_age.count() % 1000 != 0)
            value->fail_expected("whole seconds such as 600s or 10m (Access-Control-Max-Age "
                                 "counts seconds)");
    }
}

std::string read_log_level(const yaml_value& value) {
    constexpr std::string_view expectation = "one of trace, debug, info, warn, error";
    std::string level = value.as_string(expectation);
    if (std::find(std::begin(log_levels), std::end(log_levels), level) == std::end(log_levels))
        value.fail_expected(expectation);
    return level;
}

// Runs after the plugins section: a component is one of the kernel's or an enabled
// plugin's name, so a misspelt one is an error rather than a level nobody gets.
void read_log(const yaml_value& section, const std::vector<plugin_settings>& plugins, log_settings& out) {
    const auto map = section.as_map(log_keys);
    if (const auto value = map.find("level")) out.level = read_log_level(*value);
    if (const auto value = map.find("format")) {
        constexpr std::string_view expectation = "text or json";
        out.format = value->as_string(expectation);
        if (std::find(std::begin(log_formats), std::end(log_formats), out.format) == std::end(log_formats))
            value->fail_expected(expectation);
    }
    if (const auto value = map.find("levels")) {
        if (!value->is_null() && !value->node().IsMap())
            value->fail_expected("a map of component: level, such as {engineio: debug, cluster: warn}");
        std::vector<std::string_view> components(std::begin(log_components), std::end(log_components));
        for (const auto& plugin : plugins) components.push_back(plugin.name);
        const auto levels = value->as_map(components);
        for (const auto& component : components)
            if (const auto level = levels.find(component))
                out.levels.emplace_back(std::string(component), read_log_level(*level));
    }
}

// A plugin name is also a file name (libswitchboard_<name>.so) and a metrics prefix.
bool is_plugin_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

plugin_settings read_plugin(const yaml_value& item) {
    constexpr std::string_view name_expectation = "a plugin name of a-z, 0-9, '_' and '-', such as chat";
    plugin_settings out;
    const auto mark = item.node().Mark();
    out.position = {yaml_value::line_of(mark), yaml_value::column_of(mark)};
    std::optional<yaml_value> name_value;
    if (item.is_scalar()) {
        name_value = item;
    } else if (item.node().IsMap()) {
        const auto map = item.as_map(plugin_keys);
        name_value = map.find("name");
        if (!name_value) item.fail("missing key \"name\" (the plugin to enable, such as chat)");
        if (const auto value = map.find("file")) out.file = value->as_string("a path to the plugin's .so file");
        if (const auto value = map.find("required")) out.required = value->as_bool();
        if (const auto value = map.find("migrations")) {
            constexpr std::string_view expectation = "a list of migration components (folders of migrations/)";
            if (!value->is_list()) value->fail_expected(expectation);
            for (const auto& component : value->as_list()) {
                out.migrations.push_back(component.as_string(expectation));
                if (!is_plugin_name(out.migrations.back())) component.fail_expected(expectation);
            }
        }
        if (const auto value = map.find("config")) {
            if (!value->is_null() && !value->node().IsMap())
                value->fail_expected("a map of the plugin's settings");
            out.config = value->is_null() ? nlohmann::json::object() : value->as_json();
            for (auto& [key, position] : value->key_positions()) out.config_keys[key] = position;
        }
    } else {
        item.fail_expected("a plugin name, or a map {name: chat, required: true, config: {...}}");
    }
    out.name = name_value->as_string(name_expectation);
    if (!is_plugin_name(out.name)) name_value->fail_expected(name_expectation);
    return out;
}

void read_plugins(const yaml_value& value, std::vector<plugin_settings>& out) {
    if (value.is_null()) return;
    if (!value.is_list()) value.fail_expected("a list of plugins to enable");
    for (const auto& item : value.as_list()) {
        auto plugin = read_plugin(item);
        for (const auto& previous : out)
            if (previous.name == plugin.name)
                item.fail("plugin \"" + plugin.name + "\" is enabled twice (first at line " +
                          std::to_string(previous.position.line) + ")");
        out.push_back(std::move(plugin));
    }
}

void read_auth(const yaml_value& section, auth_settings& out) {
    const auto map = section.as_map(auth_keys);
    if (const auto value = map.find("algorithms")) {
        out.algorithms = value->as_string_list();
        for (const auto& alg : out.algorithms)
            if (std::find(std::begin(jwt_algorithms), std::end(jwt_algorithms), alg) == std::end(jwt_algorithms))
                value->fail("unsupported JWT algorithm \"" + alg + "\"; supported: HS256, RS256, ES256");
    }
    auto text = [&](std::string_view key, std::string& field) {
        if (const auto value = map.find(key)) field = value->as_string();
    };
    text("secret", out.secret);
    text("secret_env", out.secret_env);
    text("public_key_file", out.public_key_file);
    text("public_key_env", out.public_key_env);
    text("issuer", out.issuer);
    text("audience", out.audience);
    if (const auto value = map.find("leeway")) out.leeway = value->as_duration();
    // A secret written in the YAML next to an environment variable for it is a secret
    // someone meant to keep out of the file: refuse rather than guess which wins.
    if (!out.secret.empty() && map.find("secret_env") && !out.secret_env.empty())
        map.find("secret")->fail("give either secret or secret_env, not both (prefer secret_env: keep secrets out of the file)");
    if (!out.secret.empty()) out.secret_env.clear();   // a secret written here replaces the default variable
    if (!out.public_key_file.empty() && !out.public_key_env.empty())
        map.find("public_key_file")->fail("give either public_key_file or public_key_env, not both");
}

void read_database(const yaml_value& section, database_settings& out) {
    const auto map = section.as_map(database_keys);
    if (const auto value = map.find("url")) {
        out.url = value->as_string("a database URL such as sqlite:data/switchboard.db or postgresql://user@host/db");
        if (!out.url.starts_with("sqlite:") && !out.url.starts_with("postgresql://") &&
            !out.url.starts_with("postgres://"))
            value->fail_expected("a database URL such as sqlite:data/switchboard.db or postgresql://user@host/db");
    }
    if (const auto value = map.find("pool_size"))
        out.pool_size = static_cast<unsigned>(value->as_integer(1, 1024, "a connection count from 1 to 1024"));
    if (const auto value = map.find("connect_timeout")) out.connect_timeout = positive_duration(*value);
    if (const auto value = map.find("migrate")) out.migrate = value->as_bool();
    if (const auto value = map.find("migrations_dir")) out.migrations_dir = value->as_string();
    if (const auto value = map.find("sqlite_synchronous")) {
        constexpr std::string_view expectation = "normal or full";
        out.sqlite_synchronous = value->as_string(expectation);
        if (std::find(std::begin(sqlite_synchronous_modes), std::end(sqlite_synchronous_modes),
                      out.sqlite_synchronous) == std::end(sqlite_synchronous_modes))
            value->fail_expected(expectation);
    }
}

void read_api(const yaml_value& section, api_settings& out) {
    const auto map = section.as_map(api_keys);
    if (const auto value = map.find("keys")) {
        out.keys = value->as_string_list();
        const auto items = value->as_list();
        for (std::size_t i = 0; i < items.size(); ++i)
            // A short key is guessable over the network; prefer keys_env anyway.
            if (out.keys[i].size() < 16) items[i].fail_expected("an API key of at least 16 characters");
    }
    if (const auto value = map.find("keys_env")) out.keys_env = value->as_string_list();
}

void read_cluster(const yaml_value& section, cluster_settings& out) {
    const auto map = section.as_map(cluster_keys);
    if (const auto value = map.find("adapter")) {
        constexpr std::string_view expectation = "none, redis, redis-sharded or redis-streams";
        out.adapter = value->as_string(expectation);
        if (out.adapter != "none" && out.adapter != "redis" && out.adapter != "redis-sharded" &&
            out.adapter != "redis-streams")
            value->fail_expected(expectation);
    }
    if (const auto value = map.find("url")) {
        out.url = value->as_string("a Redis URL such as redis://127.0.0.1:6379");
        if (!out.url.starts_with("redis://")) value->fail_expected("a Redis URL such as redis://127.0.0.1:6379");
    }
    if (const auto value = map.find("url_env")) out.url_env = value->as_string();
    if (const auto value = map.find("key")) {
        out.key = value->as_string("the channels' prefix, such as socket.io");
        if (out.key.empty()) value->fail_expected("the channels' prefix, such as socket.io");
    }
    if (const auto value = map.find("requests_timeout")) out.requests_timeout = positive_duration(*value);
    if (const auto value = map.find("heartbeat")) out.heartbeat = positive_duration(*value);
    out.node_timeout = 3 * out.heartbeat;
    if (const auto value = map.find("node_timeout")) {
        out.node_timeout = positive_duration(*value);
        // A node must get to beat at least twice before it is presumed dead.
        if (out.node_timeout < 2 * out.heartbeat) value->fail_expected("at least twice cluster.heartbeat");
    }
}

// A bcrypt hash as bcrypt tools write it: $2b$10$ then 53 characters of bcrypt's base64.
bool is_bcrypt_hash(std::string_view hash) {
    if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') return false;
    if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
    if (hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9') return false;
    const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
    if (cost < 4 || cost > 31) return false;
    return std::all_of(hash.begin() + 7, hash.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
    });
}

void read_admin(const yaml_value& section, admin_settings& out, socketio_settings& socketio) {
    const auto map = section.as_map(admin_keys);
    if (const auto value = map.find("enabled")) out.enabled = value->as_bool();
    if (const auto value = map.find("namespace")) {
        constexpr std::string_view expectation = "a namespace name starting with '/', such as /admin";
        out.namespace_name = value->as_string(expectation);
        if (out.namespace_name.size() < 2 || out.namespace_name.front() != '/' || has_space_or_control(out.namespace_name))
            value->fail_expected(expectation);
    }
    if (const auto value = map.find("readonly")) out.readonly = value->as_bool();
    if (const auto value = map.find("mode")) {
        constexpr std::string_view expectation = "development or production";
        out.mode = value->as_string(expectation);
        if (out.mode != "development" && out.mode != "production") value->fail_expected(expectation);
    }
    if (const auto value = map.find("server_id")) {
        out.server_id = value->as_string("a name for this node, such as eu-1");
        if (out.server_id.empty()) value->fail_expected("a name for this node, such as eu-1");
    }
    if (const auto auth = map.find("auth")) {
        const auto fields = auth->as_map(admin_auth_keys);
        if (const auto value = fields.find("username")) {
            out.username = value->as_string("a user name");
            if (out.username.empty()) value->fail_expected("a user name");
        }
        if (const auto value = fields.find("password_hash")) {
            constexpr std::string_view expectation =
                "a bcrypt hash such as $2b$10$... (60 characters; make one with "
                "`node -e \"console.log(require('bcryptjs').hashSync('secret', 10))\"` or htpasswd -bnBC 10 '' secret)";
            out.password_hash = value->as_string(expectation);
            if (!is_bcrypt_hash(out.password_hash)) value->fail_expected(expectation);
        }
        if (out.username.empty() || out.password_hash.empty())
            auth->fail("admin.auth needs both username and password_hash");
    }
    if (!out.enabled) return;
    // Never an Admin UI anyone can open: it shows every socket and can disconnect them.
    if (out.password_hash.empty())
        section.fail("enabled without auth: give auth: {username, password_hash}");
    for (const auto& nsp : socketio.namespaces)
        if (nsp.name == out.namespace_name)
            section.fail("namespace " + out.namespace_name +
                         " is also in socketio.namespaces: name one of them differently");
    // The UI connects without a JWT: its own credentials are checked by the admin namespace.
    socketio.namespaces.push_back(namespace_settings{out.namespace_name, true});
}

// `demo: true` (the page at /demo with its development login) or a map saying which.
void read_demo(const yaml_value& section, demo_settings& out) {
    if (section.is_scalar()) {
        out.enabled = out.login = section.as_bool();
        return;
    }
    const auto map = section.as_map(demo_keys);
    out.enabled = true;   // a demo: section is there to turn the page on
    if (const auto value = map.find("enabled")) out.enabled = value->as_bool();
    if (const auto value = map.find("path")) {
        constexpr std::string_view expectation = "a path starting with '/', such as /demo-realtime";
        out.path = value->as_string(expectation);
        if (out.path.size() < 2 || out.path.front() != '/' || out.path.back() == '/' ||
            has_space_or_control(out.path) || out.path.find('?') != std::string::npos)
            value->fail_expected(expectation);
    }
    if (const auto value = map.find("login")) out.login = value->as_bool();
}

settings read_document(const YAML::Node& root, const std::string& name) {
    settings out;
    const auto sections = yaml_value(name, root, "", root.Mark()).as_map(top_level_keys);
    if (const auto section = sections.find("server")) read_server(*section, out.server);
    if (const auto section = sections.find("engineio")) read_engineio(*section, out.engineio);
    if (const auto section = sections.find("socketio")) read_socketio(*section, out.socketio);
    if (const auto section = sections.find("cors")) read_cors(*section, out.cors);
    if (const auto section = sections.find("auth")) read_auth(*section, out.auth);
    if (const auto section = sections.find("database")) read_database(*section, out.database);
    if (const auto section = sections.find("api")) read_api(*section, out.api);
    if (const auto section = sections.find("cluster")) read_cluster(*section, out.cluster);
    if (const auto section = sections.find("admin")) read_admin(*section, out.admin, out.socketio);
    if (const auto section = sections.find("demo")) read_demo(*section, out.demo);
    if (const auto section = sections.find("demo_public")) out.demo.public_login = section->as_bool();
    if (const auto section = sections.find("plugin_path")) out.plugin_path = section->as_string_list();
    if (const auto section = sections.find("plugins")) read_plugins(*section, out.plugins);
    if (const auto section = sections.find("log")) read_log(*section, out.plugins, out.log);
    return out;
}

config_error from_yaml(const std::string& name, const YAML::Exception& error) {
    return config_error(name, yaml_value::line_of(error.mark), yaml_value::column_of(error.mark),
                        "invalid YAML: " + error.msg);
}

}  // namespace

settings load_string(const std::string& yaml, const std::string& name) {
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(yaml);
    } catch (const YAML::Exception& error) {
        throw from_yaml(name, error);
    }
    // A second document would be ignored by a reader that takes the first; refuse it
    // rather than have half of a file silently dropped. Empty trailing ones are harmless.
    for (std::size_t i = 1; i < documents.size(); ++i) {
        if (!documents[i].IsNull()) {
            const auto mark = documents[i].Mark();
            throw config_error(name, yaml_value::line_of(mark), yaml_value::column_of(mark),
                               "expected a single YAML document, but another one starts here");
        }
    }
    if (documents.empty()) return settings{};
    try {
        return read_document(documents.front(), name);
    } catch (const YAML::Exception& error) {
        throw from_yaml(name, error);
    }
}

settings load_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw config_error(path, 0, 0, "cannot read the configuration file: it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int error = errno;
        throw config_error(path, 0, 0,
                           "cannot open the configuration file: " +
                               std::generic_category().message(error));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw config_error(path, 0, 0, "cannot read the configuration file");
    auto result = load_string(text.str(), path);
    result.source_file = path;
    return result;
}

}  // namespace switchboard::kernel::config
