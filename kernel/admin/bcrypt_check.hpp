// Checks a password against a bcrypt hash ($2a$, $2b$, $2y$), with libxcrypt's crypt_r,
// which Debian's libc links anyway: no extra library for the Admin UI's login.
//
// Deliberately slow (that is bcrypt's point): call it off the workers.
#pragma once

#include <string>
#include <string_view>

namespace switchboard::kernel::admin {

bool bcrypt_matches(std::string_view password, const std::string& hash);

}  // namespace switchboard::kernel::admin
