// switchboard.crypto (SHA-256, HMAC-SHA256, constant-time comparison, random bytes),
// switchboard.uuid and the clocks: what webhooks, ids and reminders need, without os
// or io.
#include <chrono>
#include <string>
#include <string_view>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "api.hpp"

namespace switchboard::plugins::lua {

namespace {

constexpr std::size_t max_random_bytes = 1024;

std::string_view bytes_arg(lua_State* L, int index) {
    std::size_t size = 0;
    const char* data = luaL_checklstring(L, index, &size);
    return {data, size};
}

// Pushes `bytes` in the encoding named at `index`: "hex" (default), "base64" or "raw".
int push_encoded(lua_State* L, const unsigned char* bytes, std::size_t size, int index) {
    static const char* const encodings[] = {"hex", "base64", "raw", nullptr};
    switch (luaL_checkoption(L, index, "hex", encodings)) {
        case 0: {
            static constexpr char digits[] = "0123456789abcdef";
            std::string out(size * 2, '0');
            for (std::size_t i = 0; i < size; ++i) {
                out[2 * i] = digits[bytes[i] >> 4];
                out[2 * i + 1] = digits[bytes[i] & 0x0f];
            }
            lua_pushlstring(L, out.data(), out.size());
            return 1;
        }
        case 1: {
            std::string out(4 * ((size + 2) / 3) + 1, '\0');
            const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes,
                                                static_cast<int>(size));
            lua_pushlstring(L, out.data(), static_cast<std::size_t>(written));
            return 1;
        }
        default:
            lua_pushlstring(L, reinterpret_cast<const char*>(bytes), size);
            return 1;
    }
}

// sha256(data [, encoding])
int sha256(lua_State* L) {
    const auto data = bytes_arg(L, 1);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return push_encoded(L, digest, sizeof digest, 2);
}

// hmac_sha256(key, data [, encoding])
int hmac_sha256(lua_State* L) {
    const auto key = bytes_arg(L, 1);
    const auto data = bytes_arg(L, 2);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size))
        return luaL_error(L, "HMAC-SHA256 failed");
    return push_encoded(L, digest, size, 3);
}

// equal(a, b): compares in a time that depends on the length only, so that comparing a
// received signature with the expected one tells an attacker nothing about how many
// leading bytes were right.
int constant_time_equal(lua_State* L) {
    const auto a = bytes_arg(L, 1);
    const auto b = bytes_arg(L, 2);
    lua_pushboolean(L, a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
    return 1;
}

// random(n [, encoding]): n bytes from the system's CSPRNG.
int random_bytes(lua_State* L) {
    const lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= static_cast<lua_Integer>(max_random_bytes), 1, "1 to 1024 bytes");
    unsigned char bytes[max_random_bytes];
    if (RAND_bytes(bytes, static_cast<int>(n)) != 1) return luaL_error(L, "no random bytes available");
    return push_encoded(L, bytes, static_cast<std::size_t>(n), 2);
}

// uuid(): a random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
int uuid(lua_State* L) {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) return luaL_error(L, "no random bytes available");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += digits[b[i] >> 4];
        out += digits[b[i] & 0x0f];
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// now(): milliseconds since the Unix epoch (wall clock; what to store in a database).
int now(lua_State* L) {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    lua_pushinteger(L, std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
    return 1;
}

// monotonic(): milliseconds from an arbitrary start that never goes back (durations).
int monotonic(lua_State* L) {
    const auto since_start = std::chrono::steady_clock::now().time_since_epoch();
    lua_pushnumber(L, std::chrono::duration<double, std::milli>(since_start).count());
    return 1;
}

}  // namespace

void add_util(lua_State* L, int module) {
    static const luaL_Reg crypto_functions[] = {{"sha256", &sha256},
                                                {"hmac_sha256", &hmac_sha256},
                                                {"equal", &constant_time_equal},
                                                {"random", &random_bytes},
                                                {nullptr, nullptr}};
    static const luaL_Reg module_functions[] = {
        {"uuid", &uuid}, {"now", &now}, {"monotonic", &monotonic}, {nullptr, nullptr}};
    luaL_newlib(L, crypto_functions);
    lua_setfield(L, module, "crypto");
    lua_pushvalue(L, module);
    luaL_setfuncs(L, module_functions, 0);
    lua_pop(L, 1);
}

}  // namespace switchboard::plugins::lua
