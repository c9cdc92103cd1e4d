#include "kernel/auth/authenticator.hpp"

#include "kernel/core/log.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace switchboard::kernel::auth {

using nlohmann::json;

namespace {

// An unset variable is not fatal: the default deployment names one so that setting it
// is all a developer does; without it, only anonymous namespaces admit clients.
std::string from_env(const std::string& name, const char* what) {
    const char* value = std::getenv(name.c_str());
    if (!value || !*value) {
        SB_LOG(warn, "auth") << "auth." << what << " names environment variable " << name
                             << ", which is not set: tokens cannot be verified";
        return {};
    }
    return value;
}

std::string read_key_file(const std::string& file, const std::string& config_dir) {
    std::filesystem::path path(file);
    if (path.is_relative()) path = std::filesystem::path(config_dir) / path;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("auth.public_key_file: cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

json refusal(std::string_view code, std::string_view message) {
    return json{{"message", message}, {"data", {{"code", code}}}};
}

}  // namespace

authenticator::authenticator(const config::auth_settings& settings, const std::string& config_dir) {
    jwt_settings jwt;
    jwt.algorithms = settings.algorithms;
    jwt.issuer = settings.issuer;
    jwt.audience = settings.audience;
    jwt.leeway = std::chrono::duration_cast<std::chrono::seconds>(settings.leeway);
    secret_ = settings.secret_env.empty() ? settings.secret : from_env(settings.secret_env, "secret_env");
    jwt.secret = secret_;
    if (!settings.public_key_env.empty()) jwt.public_key_pem = from_env(settings.public_key_env, "public_key_env");
    if (jwt.public_key_pem.empty() && !settings.public_key_file.empty())
        jwt.public_key_pem = read_key_file(settings.public_key_file, config_dir);
    has_keys_ = !jwt.secret.empty() || !jwt.public_key_pem.empty();
    try {
        verifier_ = std::make_unique<jwt_verifier>(std::move(jwt));
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("auth: ") + e.what());
    }
}

authenticator::~authenticator() = default;

std::optional<std::string> find_token(const json& auth_payload, const net::handshake_info& handshake) {
    if (auth_payload.is_object()) {
        const auto token = auth_payload.find("token");
        if (token != auth_payload.end() && token->is_string() && !token->get<std::string>().empty())
            return token->get<std::string>();
    }
    const std::string_view header = handshake.header("authorization");
    if (header.size() > 7 && (header.starts_with("Bearer ") || header.starts_with("bearer ")))
        return std::string(header.substr(7));
    if (auto token = handshake.query_param("token"); token && !token->empty()) return token;
    return std::nullopt;
}

json authenticator::user_from_claims(json claims) {
    if (claims.contains("sub")) {
        const json& sub = claims["sub"];
        claims["id"] = sub.is_string() ? sub : json(sub.dump());
    }
    return claims;
}

auth_outcome authenticator::check(const json& auth_payload, const net::handshake_info& handshake,
                                  bool anonymous_allowed) const {
    auth_outcome out;
    // Without any key there is nothing to check a token against: a deployment that
    // configured no auth treats every client as anonymous (the reference server's
    // clients send {token: ...} payloads that mean nothing to it).
    const auto token = has_keys_ ? find_token(auth_payload, handshake) : std::nullopt;
    if (!token) {
        if (anonymous_allowed) return out;
        out.refusal = refusal("forbidden", "authentication required");
        out.reason = "no token";
        return out;
    }
    json claims;
    const jwt_error error = verifier_->verify(*token, claims);
    if (error != jwt_error::none) {
        out.reason = std::string(to_string(error));
        out.refusal = error == jwt_error::expired ? refusal("token_expired", "token expired")
                                                  : refusal("invalid_token", "invalid token: " + out.reason);
        return out;
    }
    if (!claims.contains("sub")) {
        out.reason = "the token has no sub claim";
        out.refusal = refusal("invalid_token", "invalid token: no sub claim");
        return out;
    }
    out.user = user_from_claims(std::move(claims));
    return out;
}

}  // namespace switchboard::kernel::auth
