// JSON Web Tokens (RFC 7519): verification of HS256, RS256 and ES256 tokens, and
// HS256 signing for development tokens. The cryptography is OpenSSL's.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchboard::kernel::auth {

struct jwt_settings {
    std::vector<std::string> algorithms = {"HS256"};   // accepted "alg" values
    std::string secret;                                 // HS256 key
    std::string public_key_pem;                         // RS256 / ES256 key
    std::string issuer;                                 // required "iss" when set
    std::string audience;                               // required in "aud" when set
    std::chrono::seconds leeway{30};
};

enum class jwt_error {
    none,
    malformed,          // not three base64url parts of JSON
    unsupported_alg,    // an "alg" not in the accepted list (or "none")
    bad_signature,
    expired,            // "exp" passed (beyond the leeway)
    not_yet_valid,      // "nbf" in the future (beyond the leeway)
    wrong_issuer,
    wrong_audience,
    unsupported_crit,   // a "crit" header: extensions we do not implement (RFC 7515 4.1.11)
};

std::string_view to_string(jwt_error error) noexcept;

class jwt_verifier {
public:
    // Throws std::invalid_argument for an unusable key (a PEM that does not parse).
    explicit jwt_verifier(jwt_settings settings);
    ~jwt_verifier();
    jwt_verifier(const jwt_verifier&) = delete;
    jwt_verifier& operator=(const jwt_verifier&) = delete;

    // Verifies `token` at `now`; on success, `claims` holds its payload.
    jwt_error verify(std::string_view token, nlohmann::json& claims,
                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

private:
    struct key;
    jwt_settings settings_;
    std::unique_ptr<key> public_key_;
};

// Signs `claims` with HS256 (for `switchboard token` and tests).
std::string sign_hs256(const nlohmann::json& claims, std::string_view secret);

// Base64url without padding (RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace switchboard::kernel::auth
