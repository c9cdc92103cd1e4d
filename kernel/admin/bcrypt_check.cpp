#include "kernel/admin/bcrypt_check.hpp"

#include <crypt.h>

#include <cstring>
#include <memory>

#include <openssl/crypto.h>

namespace switchboard::kernel::admin {

bool bcrypt_matches(std::string_view password, const std::string& hash) {
    // bcrypt reads a C string: a password with a NUL in it would be checked cut short.
    if (password.find('\0') != std::string_view::npos) return false;
    const std::string password_text(password);
    auto scratch = std::make_unique<crypt_data>();   // ~32 KiB: not on a pool thread's stack
    const char* computed = crypt_r(password_text.c_str(), hash.c_str(), scratch.get());
    // crypt_r fails with null or a "*..." token, never a valid hash.
    if (!computed || std::strlen(computed) != hash.size()) return false;
    return CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
}

}  // namespace switchboard::kernel::admin
