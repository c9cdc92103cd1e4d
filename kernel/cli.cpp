#include "kernel/cli.hpp"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "kernel/api/api_client.hpp"
#include "kernel/api/status_report.hpp"
#include "kernel/api/server_api.hpp"
#include "kernel/config/config.hpp"
#include "kernel/core/log.hpp"
#include "kernel/auth/authenticator.hpp"
#include "kernel/auth/development_token.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/store/database.hpp"
#include "kernel/store/migrations.hpp"
#include "kernel/server.hpp"

namespace switchboard::kernel {

namespace po = boost::program_options;

namespace {

constexpr const char* default_config = "config/switchboard.yaml";

void print_usage(std::ostream& out, const po::options_description& serve_options,
                 const po::options_description& command_options) {
    out << "Switchboard: a realtime server that official Socket.IO clients connect to unchanged.\n\n"
           "Usage:\n"
           "  switchboard [serve] [options]   start the server (the default command)\n"
           "  switchboard plugins [--config F] list the plugins found and those enabled\n"
           "  switchboard migrate [--config F] [--dry-run]\n"
           "                                  apply pending migrations (--dry-run: list them)\n"
           "  switchboard reload [--config F] tell the running server to reload (server.pid_file)\n"
           "  switchboard token --sub ID [--name N] [--roles a,b] [--ttl 1h] [--config F]\n"
           "                                  print a development HS256 token signed with auth's secret\n"
           "  switchboard emit EVENT [JSON ...] [--room R]... [--user U]... [--except R]... [--nsp N]\n"
           "                                  [--volatile] [--url http://host:port] [--config F]\n"
           "                                  emit through the running server's API (key: api.keys / keys_env)\n"
           "  switchboard status [--url http://host:port] [--config F]\n"
           "                                  summarize the running server (its /status: sessions, plugins, cluster...)\n"
           "  switchboard --help              show this help\n"
           "  switchboard --version           print the version\n\n"
        << serve_options << "\n"
        << command_options << "\n"
        << "Without --config, " << default_config
        << " is used when it exists, the built-in defaults otherwise.\n"
           "SIGINT or SIGTERM shut the server down gracefully: it stops accepting, tells\n"
           "every client, and closes within server.shutdown_timeout.\n";
}

int print_plugins(server& s) {
    const auto listing = s.plugins().list();
    if (listing.empty()) std::cout << "no plugins found\n";
    for (const auto& p : listing) {
        std::cout << (p.enabled ? "[enabled] " : "          ") << p.name;
        if (!p.version.empty()) std::cout << " " << p.version;
        if (!p.description.empty()) std::cout << " - " << p.description;
        std::cout << "\n";
        if (!p.file.empty()) std::cout << "          " << p.file << "\n";
        if (!p.problem.empty()) std::cout << "          cannot load: " << p.problem << "\n";
    }
    return 0;
}

int run_migrations(server& s, bool dry_run) {
    try {
        s.check_migration_paths();
        const auto report = store::migrate(s.database(), s.migrations_root(), s.migration_components(), dry_run);
        for (const auto& m : report.applied)
            std::cout << (dry_run ? "pending  " : "applied  ") << m.component << "/" << m.file.filename().string()
                      << "\n";
        std::cout << report.applied.size() << (dry_run ? " pending, " : " applied, ") << report.up_to_date
                  << " up to date (" << s.database().display_url() << ")\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "switchboard: " << e.what() << "\n";
        return 1;
    }
}

std::optional<std::chrono::seconds> parse_ttl(const std::string& text) {
    std::size_t used = 0;
    long long value = 0;
    try {
        value = std::stoll(text, &used);
    } catch (...) {
        return std::nullopt;
    }
    const std::string unit = text.substr(used);
    if (value <= 0) return std::nullopt;
    if (unit == "s" || unit.empty()) return std::chrono::seconds(value);
    if (unit == "m") return std::chrono::seconds(value * 60);
    if (unit == "h") return std::chrono::seconds(value * 3600);
    if (unit == "d") return std::chrono::seconds(value * 86400);
    return std::nullopt;
}

int print_token(server& s, const po::variables_map& vm) {
    const std::string& secret = s.authenticator().secret();
    if (secret.empty()) {
        std::cerr << "switchboard: no HS256 secret configured (auth.secret or auth.secret_env)\n";
        return 1;
    }
    if (!vm.count("sub")) {
        std::cerr << "switchboard: token needs --sub (the user id)\n";
        return 2;
    }
    const auto ttl = parse_ttl(vm["ttl"].as<std::string>());
    if (!ttl) {
        std::cerr << "switchboard: --ttl must be a positive duration such as 30m, 1h or 7d\n";
        return 2;
    }
    auth::development_user user{vm["sub"].as<std::string>(), {}, {}};
    if (vm.count("name")) user.name = vm["name"].as<std::string>();
    if (vm.count("roles")) {
        std::string list = vm["roles"].as<std::string>();
        for (std::size_t start = 0; start <= list.size();) {
            const auto comma = list.find(',', start);
            const std::string role = list.substr(start, comma - start);
            if (!role.empty()) user.roles.push_back(role);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    std::cout << auth::sign_development_token(user, *ttl, s.settings().auth, secret) << "\n";
    return 0;
}

int send_reload(const config::settings& settings) {
    const std::string& pid_file = settings.server.pid_file;
    if (pid_file.empty()) {
        std::cerr << "switchboard: reload needs server.pid_file in the config (or send SIGHUP yourself)\n";
        return 2;
    }
    std::ifstream in(pid_file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) {
        std::cerr << "switchboard: no running server: cannot read a process id from " << pid_file << "\n";
        return 1;
    }
    if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
        std::cerr << "switchboard: cannot signal process " << pid << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    std::cout << "reload requested (process " << pid << ")\n";
    return 0;
}

struct address {
    std::string host;
    unsigned short port = 0;
    std::string url() const { return "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port); }
};

// The running server's address for the commands that call it: the config's own
// unless --url says otherwise; a wildcard listener is reached on loopback.
std::optional<address> server_address(const config::settings& settings, const po::variables_map& vm) {
    const std::string& configured = settings.server.host;
    address out{configured == "0.0.0.0" ? "127.0.0.1" : configured == "::" ? "::1" : configured, settings.server.port};
    if (!vm.count("url")) return out;
    const std::string url = vm["url"].as<std::string>();
    const auto colon = url.rfind(':');
    char* end = nullptr;
    const unsigned long port = colon == std::string::npos ? 0 : std::strtoul(url.c_str() + colon + 1, &end, 10);
    if (!url.starts_with("http://") || colon < 7 || colon + 1 == url.size() || *end != '\0' || port == 0 ||
        port > 65535) {
        std::cerr << "switchboard: --url must be http://host:port\n";
        return std::nullopt;
    }
    out.host = url.substr(7, colon - 7);
    if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
    out.port = static_cast<unsigned short>(port);
    return out;
}

// `switchboard status`: the running server's /status, summarized.
int print_status(const config::settings& settings, const po::variables_map& vm) {
    const auto server = server_address(settings, vm);
    if (!server) return 2;
    api::api_answer answer;
    try {
        answer = api::call_api(server->host, server->port, "GET", "/status", {}, {});
    } catch (const std::exception& e) {
        std::cerr << "switchboard: no server answers at " << server->url() << " (" << e.what() << ")\n";
        return 1;
    }
    if (answer.status == 403) {
        std::cerr << "switchboard: the server at " << server->url()
                  << " refuses /status from this address (add it to server.monitoring_allow)\n";
        return 1;
    }
    const auto status = nlohmann::json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || !status.is_object()) {
        std::cerr << "switchboard: " << server->url() << "/status answered " << answer.status
                  << " with something that is not a status: is it a Switchboard server?\n";
        return 1;
    }
    std::cout << api::format_status(status, server->url());
    return 0;
}

// `switchboard emit`: what a backend does with POST /api/emit, from a shell.
int send_emit(const config::settings& settings, const po::variables_map& vm) {
    const auto operands = vm.count("operand") ? vm["operand"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (operands.empty()) {
        std::cerr << "switchboard: emit needs the event name, then its arguments as JSON\n";
        return 2;
    }
    auto data = nlohmann::ordered_json::array();
    for (std::size_t i = 1; i < operands.size(); ++i) {
        auto value = nlohmann::ordered_json::parse(operands[i], nullptr, false);
        if (value.is_discarded()) {
            std::cerr << "switchboard: argument " << i << " is not JSON: " << operands[i]
                      << " (a string needs its quotes: '\"text\"')\n";
            return 2;
        }
        data.push_back(std::move(value));
    }
    nlohmann::ordered_json body{{"nsp", vm["nsp"].as<std::string>()}, {"event", operands[0]}, {"data", data}};
    auto list = [&](const char* option, const char* field) {
        if (vm.count(option)) body[field] = vm[option].as<std::vector<std::string>>();
    };
    list("room", "rooms");
    list("user", "users");
    list("except", "except_rooms");
    if (vm.count("volatile")) body["volatile"] = true;

    const auto keys = api::resolve_api_keys(settings.api);
    if (keys.empty()) {
        std::cerr << "switchboard: no API key: set api.keys or SWITCHBOARD_API_KEY (api.keys_env)\n";
        return 2;
    }
    const auto server = server_address(settings, vm);
    if (!server) return 2;
    try {
        const auto answer = api::call_api(server->host, server->port, "POST", "/api/emit", keys.front(), body.dump());
        (answer.status == 200 ? std::cout : std::cerr) << answer.body << "\n";
        return answer.status == 200 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "switchboard: " << e.what() << "\n";
        return 1;
    }
}

// The config file's values were checked at load; --log-level was not.
bool configure_logging(const config::log_settings& settings) {
    log::level level;
    if (!log::parse_level(settings.level, level)) {
        std::cerr << "switchboard: unknown log level '" << settings.level << "'\n";
        return false;
    }
    std::vector<std::pair<std::string, log::level>> levels;
    for (const auto& [component, name] : settings.levels) {
        log::level component_level;
        log::parse_level(name, component_level);
        levels.emplace_back(component, component_level);
    }
    log::format format = log::format::text;
    log::parse_format(settings.format, format);
    log::set_format(format);
    log::set_component_levels(levels);
    log::set_level(level);
    return true;
}

}  // namespace

int run_cli(int argc, char** argv, const app_installer& install) {
    po::options_description serve_options("Options of serve");
    serve_options.add_options()
        ("config,c", po::value<std::string>(), "the deployment's YAML file")
        ("port,p", po::value<unsigned>(), "listen on this port instead of server.port")
        ("host", po::value<std::string>(), "listen on this address instead of server.host")
        ("workers,w", po::value<unsigned>(), "worker threads instead of server.workers (0: one per core)")
        ("log-level,l", po::value<std::string>(), "trace, debug, info, warn or error instead of log.level");
    po::options_description command_options("Options of the other commands");
    command_options.add_options()
        ("dry-run", "migrate: list the pending migrations, apply nothing")
        ("sub", po::value<std::string>(), "token: the user id (sub claim)")
        ("name", po::value<std::string>(), "token: the user's name")
        ("roles", po::value<std::string>(), "token: roles, comma-separated")
        ("ttl", po::value<std::string>()->default_value("1h"), "token: lifetime (30m, 1h, 7d...)")
        ("room", po::value<std::vector<std::string>>(), "emit: to this room (repeatable)")
        ("user", po::value<std::vector<std::string>>(), "emit: to this user's sockets (repeatable)")
        ("except", po::value<std::vector<std::string>>(), "emit: skip this room's members (repeatable)")
        ("nsp", po::value<std::string>()->default_value("/"), "emit: the namespace")
        ("volatile", "emit: may be dropped for a client that is not ready")
        ("url", po::value<std::string>(), "emit, status: the server, http://host:port (default: from the config)");
    po::options_description all("All options");
    all.add(serve_options).add(command_options);
    all.add_options()("help,h", "show this help")("version", "print the version")(
        "command", po::value<std::string>()->default_value("serve"), "the command")(
        "operand", po::value<std::vector<std::string>>(), "the command's operands");
    po::positional_options_description positional;
    positional.add("command", 1);
    positional.add("operand", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "switchboard: " << e.what() << "\n\n";
        print_usage(std::cerr, serve_options, command_options);
        return 2;
    }
    if (vm.count("help")) {
        print_usage(std::cout, serve_options, command_options);
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "switchboard " << SWITCHBOARD_VERSION << "\n";
        return 0;
    }
    const std::string command = vm["command"].as<std::string>();
    static constexpr std::string_view commands[] = {"serve", "plugins", "migrate", "reload", "token", "emit", "status"};
    if (std::find(std::begin(commands), std::end(commands), command) == std::end(commands)) {
        std::cerr << "switchboard: unknown command '" << command << "'\n\n";
        print_usage(std::cerr, serve_options, command_options);
        return 2;
    }

    if (command != "emit" && vm.count("operand")) {
        std::cerr << "switchboard: unexpected argument '" << vm["operand"].as<std::vector<std::string>>().front()
                  << "'\n\n";
        print_usage(std::cerr, serve_options, command_options);
        return 2;
    }

    config::settings settings;
    try {
        if (vm.count("config")) {
            settings = config::load_file(vm["config"].as<std::string>());
        } else if (std::filesystem::exists(default_config)) {
            settings = config::load_file(default_config);
        }
    } catch (const config::config_error& e) {
        std::cerr << "switchboard: invalid configuration: " << e.what() << "\n";
        return 1;
    }
    if (vm.count("port")) {
        const unsigned port = vm["port"].as<unsigned>();
        if (port > 65535) {
            std::cerr << "switchboard: --port must be at most 65535\n";
            return 2;
        }
        settings.server.port = static_cast<std::uint16_t>(port);
    }
    if (vm.count("host")) settings.server.host = vm["host"].as<std::string>();
    if (vm.count("workers")) settings.server.workers = vm["workers"].as<unsigned>();
    if (vm.count("log-level")) settings.log.level = vm["log-level"].as<std::string>();
    if (!configure_logging(settings.log)) return 2;

    try {
        if (command == "reload") return send_reload(settings);
        if (command == "emit") return send_emit(settings, vm);
        if (command == "status") return print_status(settings, vm);
        server s(settings);
        if (command == "plugins") return print_plugins(s);
        if (command == "migrate") return run_migrations(s, vm.count("dry-run") > 0);
        if (command == "token") return print_token(s, vm);
        if (install) install(s);
        s.run_until_signal(settings.server.pid_file);
    } catch (const std::exception& e) {
        SB_LOG(error, "server") << e.what();
        return 1;
    }
    return 0;
}

}  // namespace switchboard::kernel
