#include "kernel/auth/jwt.hpp"

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <array>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::kernel::auth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A fixed clock: every time claim below is relative to it.
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr long long now_s = 1'800'000'000;

struct pkey_deleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

pkey_ptr rsa_key() { return pkey_ptr(EVP_RSA_gen(2048)); }
pkey_ptr ec_key(const char* curve = "P-256") { return pkey_ptr(EVP_EC_gen(curve)); }

std::string public_pem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return pem;
}

std::string digest_sign(EVP_PKEY* key, const std::string& data) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t size = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string signature(size, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MD_CTX_free(ctx);
    signature.resize(size);
    return signature;
}

// OpenSSL signs ECDSA in DER; JWS wants r || s, 32 bytes each for P-256.
std::string der_to_raw(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    std::array<unsigned char, 64> raw{};
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
    ECDSA_SIG_free(sig);
    return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

std::string hmac(const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), out, &size);
    return std::string(reinterpret_cast<const char*>(out), size);
}

std::string signing_input(const json& header, const json& claims) {
    return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
}

std::string hs256(const json& claims, const std::string& secret, json header = {{"alg", "HS256"}, {"typ", "JWT"}}) {
    const std::string input = signing_input(header, claims);
    return input + "." + base64url_encode(hmac(secret, input));
}

std::string rs256(const json& claims, EVP_PKEY* key) {
    const std::string input = signing_input({{"alg", "RS256"}, {"typ", "JWT"}}, claims);
    return input + "." + base64url_encode(digest_sign(key, input));
}

std::string es256(const json& claims, EVP_PKEY* key, bool raw = true) {
    const std::string input = signing_input({{"alg", "ES256"}, {"typ", "JWT"}}, claims);
    const std::string der = digest_sign(key, input);
    return input + "." + base64url_encode(raw ? der_to_raw(der) : der);
}

json claims(json extra = json::object()) {
    json c{{"sub", "alice"}, {"name", "Alice"}, {"iat", now_s}, {"exp", now_s + 3600}};
    c.update(extra);
    return c;
}

jwt_settings hs_settings(std::string secret = "s3cret") {
    jwt_settings s;
    s.algorithms = {"HS256"};
    s.secret = std::move(secret);
    return s;
}

jwt_settings key_settings(std::vector<std::string> algorithms, std::string pem) {
    jwt_settings s;
    s.algorithms = std::move(algorithms);
    s.public_key_pem = std::move(pem);
    return s;
}

jwt_error verify(const jwt_settings& settings, const std::string& token, json* out = nullptr) {
    jwt_verifier verifier(settings);
    json claims_out;
    const auto error = verifier.verify(token, claims_out, now);
    if (out) *out = claims_out;
    return error;
}

// ---- base64url

TEST(Base64url, EncodesWithoutPaddingInTheUrlAlphabet) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode("\xfb\xff\xfe"), "-__-");
}

TEST(Base64url, RoundTripsEveryLengthAndByte) {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        const auto decoded = base64url_decode(base64url_encode(bytes));
        ASSERT_TRUE(decoded) << "length " << bytes.size();
        EXPECT_EQ(*decoded, bytes);
        bytes += static_cast<char>(i * 37);
    }
}

TEST(Base64url, RefusesWhatIsNotBase64url) {
    EXPECT_FALSE(base64url_decode("Zm9v="));    // padding
    EXPECT_FALSE(base64url_decode("+/+/"));     // the other alphabet
    EXPECT_FALSE(base64url_decode("Zm9vY"));    // a length no encoding has
    EXPECT_FALSE(base64url_decode("Zm 9v"));
}

TEST(Base64url, RefusesNonZeroBitsAfterTheLastByte) {
    EXPECT_EQ(base64url_decode("Zm9vYg"), "foob");
    EXPECT_FALSE(base64url_decode("Zm9vYh"));   // "foob" too, with a stray bit
    EXPECT_EQ(base64url_decode("Zm9vYmE"), "fooba");
    EXPECT_FALSE(base64url_decode("Zm9vYmF"));
}

// ---- round trips

TEST(Jwt, Hs256RoundTrip) {
    json out;
    const std::string token = sign_hs256(claims(), "s3cret");
    ASSERT_EQ(verify(hs_settings(), token, &out), jwt_error::none);
    EXPECT_EQ(out, claims());
    // Our signer and an independent one agree.
    EXPECT_EQ(verify(hs_settings(), hs256(claims(), "s3cret")), jwt_error::none);
}

TEST(Jwt, Rs256RoundTrip) {
    const auto key = rsa_key();
    json out;
    ASSERT_EQ(verify(key_settings({"RS256"}, public_pem(key.get())), rs256(claims(), key.get()), &out), jwt_error::none);
    EXPECT_EQ(out["sub"], "alice");
}

TEST(Jwt, Es256RoundTrip) {
    const auto key = ec_key();
    json out;
    ASSERT_EQ(verify(key_settings({"ES256"}, public_pem(key.get())), es256(claims(), key.get()), &out), jwt_error::none);
    EXPECT_EQ(out["name"], "Alice");
}

TEST(Jwt, SeveralAlgorithmsMayBeAcceptedAtOnce) {
    const auto key = rsa_key();
    auto settings = key_settings({"HS256", "RS256"}, public_pem(key.get()));
    settings.secret = "s3cret";
    EXPECT_EQ(verify(settings, rs256(claims(), key.get())), jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims(), "s3cret")), jwt_error::none);
}

// ---- every error

TEST(Jwt, Malformed) {
    const auto settings = hs_settings();
    const std::string good = sign_hs256(claims(), "s3cret");
    const std::string header = base64url_encode(R"({"alg":"HS256"})");
    const std::string payload = base64url_encode(claims().dump());
    for (const std::string token : {
             std::string(),
             std::string("garbage"),
             std::string("a.b"),
             good + ".extra",
             std::string("!!.") + payload + ".c2ln",
             header + ".!!.c2ln",
             header + "." + payload + ".!!",
             base64url_encode("not json") + "." + payload + ".c2ln",
             header + "." + base64url_encode("[1,2]") + ".c2ln",
             base64url_encode(R"({"typ":"JWT"})") + "." + payload + ".c2ln",
             base64url_encode(R"({"alg":256})") + "." + payload + ".c2ln",
         }) {
        EXPECT_EQ(verify(settings, token), jwt_error::malformed) << token;
    }
    // Time claims that are not numbers are malformed too (checked after the signature).
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"exp", "tomorrow"}}), "s3cret")), jwt_error::malformed);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"nbf", nullptr}}), "s3cret")), jwt_error::malformed);
}

TEST(Jwt, UnsupportedAlgorithm) {
    const auto settings = hs_settings();
    EXPECT_EQ(verify(settings, hs256(claims(), "s3cret", {{"alg", "none"}})), jwt_error::unsupported_alg);
    EXPECT_EQ(verify(settings, signing_input({{"alg", "none"}}, claims()) + "."), jwt_error::unsupported_alg);
    EXPECT_EQ(verify(settings, hs256(claims(), "s3cret", {{"alg", "HS512"}})), jwt_error::unsupported_alg);
    EXPECT_EQ(verify(settings, hs256(claims(), "s3cret", {{"alg", "hs256"}})), jwt_error::unsupported_alg);
    // Even "none" listed as accepted does not make unsigned tokens valid.
    auto lax = settings;
    lax.algorithms.push_back("none");
    EXPECT_EQ(verify(lax, signing_input({{"alg", "none"}}, claims()) + "."), jwt_error::unsupported_alg);
}

TEST(Jwt, UnknownCriticalHeaderIsRejected) {
    // RFC 7515 4.1.11: a "crit" extension the verifier does not understand invalidates
    // the token, however well signed.
    const auto settings = hs_settings();
    EXPECT_EQ(verify(settings, hs256(claims(), "s3cret", {{"alg", "HS256"}, {"crit", {"exp"}}, {"exp", 1}})),
              jwt_error::unsupported_crit);
    EXPECT_EQ(verify(settings, hs256(claims(), "s3cret", {{"alg", "HS256"}, {"crit", json::array()}})),
              jwt_error::unsupported_crit);
    EXPECT_EQ(verify(settings, hs256(claims(), "s3cret")), jwt_error::none);
}

TEST(Jwt, BadSignature) {
    const auto settings = hs_settings();
    EXPECT_EQ(verify(settings, sign_hs256(claims(), "another secret")), jwt_error::bad_signature);
    const std::string token = sign_hs256(claims(), "s3cret");
    const auto last_dot = token.rfind('.');
    EXPECT_EQ(verify(settings, token.substr(0, last_dot + 1)), jwt_error::bad_signature);          // no signature
    EXPECT_EQ(verify(settings, token.substr(0, token.size() - 3)), jwt_error::bad_signature);      // 30 bytes of 32
    // A changed payload under the original signature.
    const std::string forged = signing_input({{"alg", "HS256"}, {"typ", "JWT"}}, claims({{"sub", "admin"}})) +
                               token.substr(last_dot);
    EXPECT_EQ(verify(settings, forged), jwt_error::bad_signature);
    // The same signature bytes spelled another way (a stray bit after the last byte):
    // one token has one spelling.
    std::string respelled = token;
    const char last = respelled.back();
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    respelled.back() = alphabet[alphabet.find(last) ^ 1];
    EXPECT_NE(verify(settings, respelled), jwt_error::none);
}

TEST(Jwt, ExpiryWithLeeway) {
    auto settings = hs_settings();
    settings.leeway = 30s;
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"exp", now_s - 30}}), "s3cret")), jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"exp", now_s - 31}}), "s3cret")), jwt_error::expired);
    settings.leeway = 0s;
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"exp", now_s}}), "s3cret")), jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"exp", now_s - 1}}), "s3cret")), jwt_error::expired);
    // No exp: valid for ever (the issuer chose so).
    json no_exp = claims();
    no_exp.erase("exp");
    EXPECT_EQ(verify(settings, sign_hs256(no_exp, "s3cret")), jwt_error::none);
}

TEST(Jwt, NotBeforeWithLeeway) {
    auto settings = hs_settings();
    settings.leeway = 30s;
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"nbf", now_s + 30}}), "s3cret")), jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"nbf", now_s + 31}}), "s3cret")), jwt_error::not_yet_valid);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"nbf", now_s - 100}}), "s3cret")), jwt_error::none);
}

TEST(Jwt, Issuer) {
    auto settings = hs_settings();
    settings.issuer = "https://issuer.test";
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"iss", "https://issuer.test"}}), "s3cret")), jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"iss", "https://evil.test"}}), "s3cret")), jwt_error::wrong_issuer);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"iss", json::array({"https://issuer.test"})}}), "s3cret")),
              jwt_error::wrong_issuer);
    EXPECT_EQ(verify(settings, sign_hs256(claims(), "s3cret")), jwt_error::wrong_issuer);
    // Not configured: not checked.
    EXPECT_EQ(verify(hs_settings(), sign_hs256(claims({{"iss", "anyone"}}), "s3cret")), jwt_error::none);
}

TEST(Jwt, Audience) {
    auto settings = hs_settings();
    settings.audience = "switchboard";
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"aud", "switchboard"}}), "s3cret")), jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"aud", json::array({"web", "switchboard"})}}), "s3cret")),
              jwt_error::none);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"aud", "web"}}), "s3cret")), jwt_error::wrong_audience);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"aud", json::array({"web", 1})}}), "s3cret")),
              jwt_error::wrong_audience);
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"aud", json::array()}}), "s3cret")), jwt_error::wrong_audience);
    EXPECT_EQ(verify(settings, sign_hs256(claims(), "s3cret")), jwt_error::wrong_audience);
}

TEST(Jwt, TheSignatureIsCheckedBeforeTheClaims) {
    // A forged token learns nothing from the answer: not "expired", just "bad signature".
    auto settings = hs_settings();
    settings.issuer = "https://issuer.test";
    EXPECT_EQ(verify(settings, sign_hs256(claims({{"exp", now_s - 9999}}), "wrong")), jwt_error::bad_signature);
}

TEST(Jwt, ClaimsAreLeftAloneOnFailure) {
    jwt_verifier verifier(hs_settings());
    json out = "untouched";
    EXPECT_EQ(verifier.verify(sign_hs256(claims(), "wrong"), out, now), jwt_error::bad_signature);
    EXPECT_EQ(out, "untouched");
}

// ---- algorithm confusion

TEST(JwtAlgorithmConfusion, Hs256KeyedWithThePublicKeyIsRefusedByAnRs256OnlyConfig) {
    const auto key = rsa_key();
    const std::string pem = public_pem(key.get());
    const auto settings = key_settings({"RS256"}, pem);
    EXPECT_EQ(verify(settings, sign_hs256(claims(), pem)), jwt_error::unsupported_alg);
    EXPECT_EQ(verify(settings, sign_hs256(claims(), "s3cret")), jwt_error::unsupported_alg);
}

TEST(JwtAlgorithmConfusion, Hs256AcceptedButNoSecretNeverFallsBackToThePublicKey) {
    const auto key = rsa_key();
    const std::string pem = public_pem(key.get());
    EXPECT_EQ(verify(key_settings({"HS256", "RS256"}, pem), sign_hs256(claims(), pem)), jwt_error::unsupported_alg);
}

TEST(JwtAlgorithmConfusion, AnAsymmetricAlgMustMatchTheKeyType) {
    const auto rsa = rsa_key();
    const auto ec = ec_key();
    // An EC key configured: an RS256 token cannot verify, whatever it claims.
    EXPECT_EQ(verify(key_settings({"RS256", "ES256"}, public_pem(ec.get())), rs256(claims(), rsa.get())),
              jwt_error::unsupported_alg);
    EXPECT_EQ(verify(key_settings({"RS256", "ES256"}, public_pem(rsa.get())), es256(claims(), ec.get())),
              jwt_error::unsupported_alg);
}

TEST(JwtAlgorithmConfusion, Rs256AndEs256RefusedWithoutAKey) {
    const auto rsa = rsa_key();
    const auto ec = ec_key();
    auto settings = hs_settings();
    settings.algorithms = {"HS256", "RS256", "ES256"};
    EXPECT_EQ(verify(settings, rs256(claims(), rsa.get())), jwt_error::unsupported_alg);
    EXPECT_EQ(verify(settings, es256(claims(), ec.get())), jwt_error::unsupported_alg);
}

TEST(Jwt, Rs256WithAnotherKeyOrAChangedPayloadIsABadSignature) {
    const auto key = rsa_key();
    const auto other = rsa_key();
    const auto settings = key_settings({"RS256"}, public_pem(key.get()));
    EXPECT_EQ(verify(settings, rs256(claims(), other.get())), jwt_error::bad_signature);
    const std::string token = rs256(claims(), key.get());
    const std::string forged = signing_input({{"alg", "RS256"}, {"typ", "JWT"}}, claims({{"sub", "admin"}})) +
                               token.substr(token.rfind('.'));
    EXPECT_EQ(verify(settings, forged), jwt_error::bad_signature);
    // The same signature bytes spelled another way (a stray bit after the last byte):
    // one token has one spelling.
    std::string respelled = token;
    const char last = respelled.back();
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    respelled.back() = alphabet[alphabet.find(last) ^ 1];
    EXPECT_NE(verify(settings, respelled), jwt_error::none);
}

TEST(Jwt, Es256SignaturesMustBeRawAndFromTheKey) {
    const auto key = ec_key();
    const auto other = ec_key();
    const auto settings = key_settings({"ES256"}, public_pem(key.get()));
    EXPECT_EQ(verify(settings, es256(claims(), other.get())), jwt_error::bad_signature);
    EXPECT_EQ(verify(settings, es256(claims(), key.get(), /*raw=*/false)), jwt_error::bad_signature);
    const std::string input = signing_input({{"alg", "ES256"}}, claims());
    EXPECT_EQ(verify(settings, input + "." + base64url_encode(std::string(64, '\0'))), jwt_error::bad_signature);
    EXPECT_EQ(verify(settings, input + "." + base64url_encode(std::string(63, '\1'))), jwt_error::bad_signature);
}

TEST(Jwt, AKeyThatIsNotAPemPublicKeyIsRefusedAtConstruction) {
    EXPECT_THROW(jwt_verifier(key_settings({"RS256"}, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")),
                 std::invalid_argument);
    EXPECT_THROW(jwt_verifier(key_settings({"RS256"}, "not a key at all")), std::invalid_argument);
}

TEST(Jwt, EveryErrorHasItsOwnDescription) {
    std::set<std::string_view> seen;
    for (const auto error : {jwt_error::none, jwt_error::malformed, jwt_error::unsupported_alg, jwt_error::bad_signature,
                             jwt_error::expired, jwt_error::not_yet_valid, jwt_error::wrong_issuer,
                             jwt_error::wrong_audience}) {
        EXPECT_FALSE(to_string(error).empty());
        EXPECT_TRUE(seen.insert(to_string(error)).second) << to_string(error);
    }
}

}  // namespace
}  // namespace switchboard::kernel::auth
