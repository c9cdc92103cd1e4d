#include "kernel/api/demo_routes.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "kernel/api/http_api.hpp"
#include "kernel/auth/development_token.hpp"
#include "kernel/config/config.hpp"
#include "kernel/core/log.hpp"

namespace switchboard::kernel::api {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_name_length = 40;   // code points: a name, not a text
constexpr std::chrono::hours demo_token_ttl{24};

struct found_file {
    std::string path;
    std::string content;
};

// The first root holding `relative`, read whole; nullopt (logged, naming every path
// tried and `remedy`) when none does.
std::optional<found_file> find_web_file(const std::vector<std::string>& roots, const std::string& relative,
                                        bool warn, const std::string& remedy) {
    std::string tried;
    for (const auto& root : roots) {
        const fs::path candidate = fs::path(root) / relative;
        std::ifstream in(candidate, std::ios::binary);
        if (!in) {
            tried += (tried.empty() ? "" : ", ") + candidate.string();
            continue;
        }
        std::ostringstream content;
        content << in.rdbuf();
        return found_file{candidate.string(), content.str()};
    }
    if (warn)
        SB_LOG(warn, "demo") << relative << " not found (looked in " << tried << "): its route answers 404; " << remedy;
    else
        SB_LOG(debug, "demo") << relative << " not found (looked in " << tried << "); " << remedy;
    return std::nullopt;
}

void add_file_route(http_api& api, const std::string& path, std::optional<found_file> file,
                    const std::string& content_type) {
    auto body = std::make_shared<const std::string>(file ? std::move(file->content) : std::string{});
    const bool found = file.has_value();
    api.add("GET", path, [body, found, content_type](net::http_request&&, http_api::responder respond) {
        if (!found) return respond(net::make_http_response(404, "text/plain; charset=UTF-8", "Not Found"));
        respond(net::make_http_response(200, content_type, *body, "Cache-Control: no-cache\r\n"));
    });
}

std::string json_error(const std::string& code, const std::string& message) {
    return nlohmann::json{{"code", code}, {"message", message}}.dump();
}

std::size_t code_points(const std::string& text) {
    std::size_t count = 0;
    for (const unsigned char c : text) count += (c & 0xC0) != 0x80;
    return count;
}

// The user id for a typed name: its ASCII letters and digits, lower-cased, the rest as
// single dashes ("Ada Lovelace" -> "ada-lovelace"), so the same name is the same user.
std::string user_id_for(const std::string& name) {
    std::string id;
    for (const char c : name) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) id += c;
        else if (c >= 'A' && c <= 'Z') id += static_cast<char>(c - 'A' + 'a');
        else if (!id.empty() && id.back() != '-') id += '-';
    }
    while (!id.empty() && id.back() == '-') id.pop_back();
    return id;
}

// {name, admin?} -> the user to sign for, or the reason it is refused.
std::variant<auth::development_user, std::string> read_login(const std::string& body) {
    const auto request = nlohmann::json::parse(body, nullptr, false);
    if (!request.is_object()) return std::string("the body must be a JSON object {name, admin?}");
    const auto name = request.find("name");
    if (name == request.end() || !name->is_string()) return std::string("name must be a string");
    const std::string text = name->get<std::string>();
    if (text.empty() || code_points(text) > max_name_length)
        return "name must be 1 to " + std::to_string(max_name_length) + " characters";
    for (const unsigned char c : text)
        if (c < 0x20 || c == 0x7F) return std::string("name must not hold control characters");
    auth::development_user user{user_id_for(text), text, {}};
    if (user.sub.empty()) return std::string("name must hold at least one ASCII letter or digit (it makes the user id)");
    const auto admin = request.find("admin");
    if (admin != request.end()) {
        if (!admin->is_boolean()) return std::string("admin must be true or false");
        if (admin->get<bool>()) user.roles.push_back("admin");
    }
    return user;
}

void add_login_route(http_api& api, const demo_environment& environment) {
    const auto& settings = environment.settings;
    std::string refusal;   // empty: the login is served
    if (environment.jwt_secret.empty())
        refusal = "the deployment has no HS256 secret (auth.secret or auth.secret_env)";
    else if (!environment.listens_on_loopback_only && !settings.demo.public_login)
        refusal = "server.host " + settings.server.host +
                  " is not a loopback address, and the login would let anyone who reaches it be anyone "
                  "(set demo_public: true to allow it)";
    if (!refusal.empty())
        SB_LOG(warn, "demo") << "demo login at POST " << settings.demo.path << "/login is refused: " << refusal;
    else
        SB_LOG(info, "demo") << "demo login at POST " << settings.demo.path << "/login (development tokens for any name)";
    api.add("POST", settings.demo.path + "/login",
            [refusal, secret = environment.jwt_secret, &auth = settings.auth](net::http_request&& request,
                                                                              http_api::responder respond) {
                if (!refusal.empty()) {
                    SB_LOG(warn, "demo").with("request_id", request.log_id) << "demo login from " << request.remote_address << " refused: " << refusal;
                    return respond(net::make_http_response(403, "application/json",
                                                           json_error("forbidden", "demo login is off: " + refusal)));
                }
                auto login = read_login(request.body);
                if (auto* reason = std::get_if<std::string>(&login))
                    return respond(net::make_http_response(400, "application/json", json_error("invalid_payload", *reason)));
                const auto& user = std::get<auth::development_user>(login);
                const nlohmann::json answer{
                    {"token", auth::sign_development_token(user, demo_token_ttl, auth, secret)},
                    {"user", {{"id", user.sub}, {"name", user.name}, {"roles", user.roles}}}};
                respond(net::make_http_response(200, "application/json", answer.dump()));
            });
}

}  // namespace

void install_demo_routes(http_api& api, const demo_environment& environment) {
    const auto& settings = environment.settings;
    const bool demo = settings.demo.enabled;
    const std::string bundle_remedy =
        "it is copied from the socket.io-client npm package at build time: `npm ci --prefix web`, then rebuild";
    const std::string bundle_path = settings.server.path + "socket.io.min.js";
    add_file_route(api, bundle_path, find_web_file(environment.web_roots, "socket.io/socket.io.min.js", demo, bundle_remedy),
                   "application/javascript; charset=utf-8");
    add_file_route(api, bundle_path + ".map",
                   find_web_file(environment.web_roots, "socket.io/socket.io.min.js.map", false, bundle_remedy),
                   "application/json");
    if (!demo) return;
    auto page = find_web_file(environment.web_roots, "demo/index.html", true,
                              "web/demo/index.html is copied next to the binary at build time");
    if (page) SB_LOG(info, "demo") << "demo page at GET " << settings.demo.path << " (" << page->path << ")";
    add_file_route(api, settings.demo.path, std::move(page), "text/html; charset=utf-8");
    add_file_route(api, settings.demo.path + "/yjs.min.js",
                   find_web_file(environment.web_roots, "demo/yjs.min.js", true,
                                 "the shared document needs it: `npm ci --prefix web`, then rebuild"),
                   "application/javascript; charset=utf-8");
    if (settings.demo.login) add_login_route(api, environment);
}

}  // namespace switchboard::kernel::api
