#include "kernel/auth/development_token.hpp"

#include <nlohmann/json.hpp>

#include "kernel/auth/jwt.hpp"
#include "kernel/config/config.hpp"

namespace switchboard::kernel::auth {

std::string sign_development_token(const development_user& user, std::chrono::seconds ttl,
                                   const config::auth_settings& auth, const std::string& secret) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    nlohmann::json claims{{"sub", user.sub}, {"iat", now}, {"exp", now + ttl.count()}};
    if (!user.name.empty()) claims["name"] = user.name;
    if (!user.roles.empty()) claims["roles"] = user.roles;
    if (!auth.issuer.empty()) claims["iss"] = auth.issuer;
    if (!auth.audience.empty()) claims["aud"] = auth.audience;
    return sign_hs256(claims, secret);
}

}  // namespace switchboard::kernel::auth
