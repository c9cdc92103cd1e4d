// Who a connecting client is: the JWT from the CONNECT auth payload ({token}), an
// `Authorization: Bearer` header, or a `token` query parameter, checked against the
// deployment's keys; or nobody, where the namespace allows anonymous clients.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kernel/auth/jwt.hpp"
#include "kernel/config/config.hpp"
#include "kernel/net/handshake_info.hpp"

namespace switchboard::kernel::auth {

struct auth_outcome {
    std::optional<nlohmann::json> user;      // the claims, with "id" = sub
    std::optional<nlohmann::json> refusal;   // CONNECT_ERROR data: {message, data: {code}}
    std::string reason;                      // for the log (never the token)
};

class authenticator {
public:
    // Reads the keys (from the config, a file or the environment). Throws
    // std::runtime_error when a configured source is missing or unusable.
    authenticator(const config::auth_settings& settings, const std::string& config_dir);
    ~authenticator();

    // False when no key is configured: tokens are then ignored, and only anonymous
    // namespaces (or auth hooks) admit clients.
    bool has_keys() const noexcept { return has_keys_; }

    auth_outcome check(const nlohmann::json& auth_payload, const net::handshake_info& handshake,
                       bool anonymous_allowed) const;

    // The HS256 secret, for `switchboard token` (empty when none).
    const std::string& secret() const noexcept { return secret_; }

    // Claims -> the socket's user: everything passed through, "id" from "sub".
    static nlohmann::json user_from_claims(nlohmann::json claims);

private:
    std::string secret_;
    std::unique_ptr<jwt_verifier> verifier_;
    bool has_keys_ = false;
};

// The token a client presented, if any.
std::optional<std::string> find_token(const nlohmann::json& auth_payload, const net::handshake_info& handshake);

}  // namespace switchboard::kernel::auth
