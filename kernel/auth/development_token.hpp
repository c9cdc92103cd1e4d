// Development tokens: what `switchboard token` prints and the demo page's login hands
// out. HS256 with the deployment's secret, the claims every feature reads (sub, name,
// roles) and the deployment's iss / aud when it requires them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace switchboard::kernel::config {
struct auth_settings;
}

namespace switchboard::kernel::auth {

struct development_user {
    std::string sub;                  // the user id
    std::string name;                 // empty: no name claim
    std::vector<std::string> roles;   // empty: no roles claim
};

std::string sign_development_token(const development_user& user, std::chrono::seconds ttl,
                                   const config::auth_settings& auth, const std::string& secret);

}  // namespace switchboard::kernel::auth
