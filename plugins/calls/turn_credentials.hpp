// Time-limited TURN credentials in the "TURN REST API" scheme coturn and most TURN
// servers accept (use-auth-secret): the username is the expiry as Unix seconds, the
// credential base64(HMAC-SHA1(shared secret, username)). The TURN server checks both
// with the same secret; nothing is stored here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::plugins::calls {

struct turn_credential {
    std::string username;
    std::string credential;
};

turn_credential make_turn_credential(std::string_view secret, std::int64_t expires_unix_seconds);

// Standard base64 with padding (what the TURN server compares against).
std::string base64(std::string_view bytes);

}  // namespace switchboard::plugins::calls
