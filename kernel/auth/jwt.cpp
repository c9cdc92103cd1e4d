#include "kernel/auth/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace switchboard::kernel::auth {

using nlohmann::json;

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), out.data(), &length);
    return std::string(reinterpret_cast<const char*>(out.data()), length);
}

// JWS carries an ECDSA signature as r || s; OpenSSL verifies DER.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
    if (raw.size() != 64) return std::nullopt;
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
    ECDSA_SIG_set0(sig, r, s);
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    std::optional<std::string> out;
    if (length > 0) out = std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

bool audience_matches(const json& aud, const std::string& expected) {
    if (aud.is_string()) return aud.get<std::string>() == expected;
    if (aud.is_array())
        return std::any_of(aud.begin(), aud.end(),
                           [&](const json& a) { return a.is_string() && a.get<std::string>() == expected; });
    return false;
}

}  // namespace

std::string_view to_string(jwt_error error) noexcept {
    switch (error) {
        case jwt_error::none: return "valid";
        case jwt_error::malformed: return "malformed token";
        case jwt_error::unsupported_alg: return "unsupported algorithm";
        case jwt_error::bad_signature: return "bad signature";
        case jwt_error::expired: return "token expired";
        case jwt_error::not_yet_valid: return "token not yet valid";
        case jwt_error::wrong_issuer: return "wrong issuer";
        case jwt_error::wrong_audience: return "wrong audience";
        case jwt_error::unsupported_crit: return "unsupported critical header";
    }
    return "invalid token";
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (i + 2 == bytes.size()) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const auto value = alphabet.find(c);
        if (value == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    // The bits past the last whole byte must be zero (RFC 4648 section 3.5): otherwise
    // several spellings decode to one value, and a token could be altered without
    // changing what it says.
    if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

struct jwt_verifier::key {
    EVP_PKEY* pkey = nullptr;
    ~key() { EVP_PKEY_free(pkey); }
};

jwt_verifier::jwt_verifier(jwt_settings settings) : settings_(std::move(settings)) {
    if (!settings_.public_key_pem.empty()) {
        BIO* bio = BIO_new_mem_buf(settings_.public_key_pem.data(), static_cast<int>(settings_.public_key_pem.size()));
        EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (!pkey) throw std::invalid_argument("the JWT public key is not a PEM public key");
        public_key_ = std::make_unique<key>();
        public_key_->pkey = pkey;
    }
}

jwt_verifier::~jwt_verifier() = default;

jwt_error jwt_verifier::verify(std::string_view token, json& claims, std::chrono::system_clock::time_point now) const {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return jwt_error::malformed;
    const std::string_view signed_part = token.substr(0, second);
    const auto header_text = base64url_decode(token.substr(0, first));
    const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
    const auto signature = base64url_decode(token.substr(second + 1));
    if (!header_text || !payload_text || !signature) return jwt_error::malformed;
    const json header = json::parse(*header_text, nullptr, false);
    json payload = json::parse(*payload_text, nullptr, false);
    if (!header.is_object() || !payload.is_object() || !header.contains("alg") || !header["alg"].is_string())
        return jwt_error::malformed;

    // "crit" names header parameters the verifier must understand or reject the token;
    // we implement no extension, so any "crit" at all is a rejection.
    if (header.contains("crit")) return jwt_error::unsupported_crit;

    // The algorithm comes from the token, so only the configured ones are honored:
    // never "none", never HS256 keyed with a public key.
    const std::string alg = header["alg"].get<std::string>();
    if (std::find(settings_.algorithms.begin(), settings_.algorithms.end(), alg) == settings_.algorithms.end())
        return jwt_error::unsupported_alg;
    if (alg == "HS256") {
        if (settings_.secret.empty()) return jwt_error::unsupported_alg;
        const std::string expected = hmac_sha256(settings_.secret, signed_part);
        if (expected.size() != signature->size() ||
            CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) != 0)
            return jwt_error::bad_signature;
    } else if (alg == "RS256" || alg == "ES256") {
        if (!public_key_) return jwt_error::unsupported_alg;
        const int type = EVP_PKEY_get_base_id(public_key_->pkey);
        if ((alg == "RS256" && type != EVP_PKEY_RSA) || (alg == "ES256" && type != EVP_PKEY_EC))
            return jwt_error::unsupported_alg;
        std::string sig = *signature;
        if (alg == "ES256") {
            auto der = ecdsa_raw_to_der(sig);
            if (!der) return jwt_error::bad_signature;
            sig = std::move(*der);
        }
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, public_key_->pkey) == 1 &&
                        EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                         reinterpret_cast<const unsigned char*>(signed_part.data()),
                                         signed_part.size()) == 1;
        EVP_MD_CTX_free(ctx);
        if (!ok) return jwt_error::bad_signature;
    } else {
        return jwt_error::unsupported_alg;
    }

    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const auto leeway = settings_.leeway.count();
    if (payload.contains("exp")) {
        if (!payload["exp"].is_number()) return jwt_error::malformed;
        if (seconds > payload["exp"].get<double>() + static_cast<double>(leeway)) return jwt_error::expired;
    }
    if (payload.contains("nbf")) {
        if (!payload["nbf"].is_number()) return jwt_error::malformed;
        if (seconds + leeway < payload["nbf"].get<double>()) return jwt_error::not_yet_valid;
    }
    if (!settings_.issuer.empty()) {
        const auto iss = payload.find("iss");
        if (iss == payload.end() || !iss->is_string() || iss->get<std::string>() != settings_.issuer)
            return jwt_error::wrong_issuer;
    }
    if (!settings_.audience.empty()) {
        const auto aud = payload.find("aud");
        if (aud == payload.end() || !audience_matches(*aud, settings_.audience)) return jwt_error::wrong_audience;
    }
    claims = std::move(payload);
    return jwt_error::none;
}

std::string sign_hs256(const json& claims, std::string_view secret) {
    const std::string signed_part =
        base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(claims.dump());
    return signed_part + "." + base64url_encode(hmac_sha256(secret, signed_part));
}

}  // namespace switchboard::kernel::auth
