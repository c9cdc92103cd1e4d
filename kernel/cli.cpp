#include "kernel/cli.hpp"

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "kernel/config/config.hpp"
#include "kernel/core/log.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/server.hpp"

namespace switchboard::kernel {

namespace po = boost::program_options;

namespace {

constexpr const char* default_config = "config/switchboard.yaml";

void print_usage(std::ostream& out, const po::options_description& serve_options) {
    out << "Switchboard: a realtime server that official Socket.IO clients connect to unchanged.\n\n"
           "Usage:\n"
           "  switchboard [serve] [options]   start the server (the default command)\n"
           "  switchboard plugins [--config F] list the plugins found and those enabled\n"
           "  switchboard --help              show this help\n"
           "  switchboard --version           print the version\n\n"
        << serve_options << "\n"
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

}  // namespace

int run_cli(int argc, char** argv, const app_installer& install) {
    po::options_description serve_options("Options of serve");
    serve_options.add_options()
        ("config,c", po::value<std::string>(), "the deployment's YAML file")
        ("port,p", po::value<unsigned>(), "listen on this port instead of server.port")
        ("host", po::value<std::string>(), "listen on this address instead of server.host")
        ("workers,w", po::value<unsigned>(), "worker threads instead of server.workers (0: one per core)")
        ("log-level,l", po::value<std::string>(), "trace, debug, info, warn or error instead of log.level");
    po::options_description all("All options");
    all.add(serve_options);
    all.add_options()("help,h", "show this help")("version", "print the version")(
        "command", po::value<std::string>()->default_value("serve"), "the command");
    po::positional_options_description positional;
    positional.add("command", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "switchboard: " << e.what() << "\n\n";
        print_usage(std::cerr, serve_options);
        return 2;
    }
    if (vm.count("help")) {
        print_usage(std::cout, serve_options);
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "switchboard " << SWITCHBOARD_VERSION << "\n";
        return 0;
    }
    const std::string command = vm["command"].as<std::string>();
    if (command != "serve" && command != "plugins") {
        std::cerr << "switchboard: unknown command '" << command << "'\n\n";
        print_usage(std::cerr, serve_options);
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
    log::level level;
    if (!log::parse_level(settings.log.level, level)) {
        std::cerr << "switchboard: unknown log level '" << settings.log.level << "'\n";
        return 2;
    }
    log::set_level(level);

    try {
        server s(settings);
        if (command == "plugins") return print_plugins(s);
        if (install) install(s);
        s.run_until_signal(settings.server.pid_file);
    } catch (const std::exception& e) {
        SB_LOG(error, "server") << e.what();
        return 1;
    }
    return 0;
}

}  // namespace switchboard::kernel
