#include "kernel/net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace switchboard::kernel::net {

void tls_handle_free::operator()(ssl_st* ssl) const noexcept { SSL_free(ssl); }

namespace {

// Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD only. TLS 1.3's
// suites are all sound and stay OpenSSL's default.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

// OpenSSL's reason for the last failure, and its queue emptied for the next call.
std::string openssl_reason() {
    std::string reason;
    while (const unsigned long code = ERR_get_error()) {
        const char* text = ERR_reason_error_string(code);
        reason = text ? text : "error " + std::to_string(code);
    }
    return reason.empty() ? "unknown OpenSSL error" : reason;
}

// An encrypted key would make OpenSSL prompt on the terminal: refuse it instead.
int no_passphrase(char*, int, int, void*) { return 0; }

struct bio_free {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct pkey_free {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

// Opens `path` for reading, or throws naming it and the system's reason (the
// message a missing or unreadable file deserves, before OpenSSL's vaguer one).
std::unique_ptr<BIO, bio_free> open_file(const std::string& key, const std::filesystem::path& path) {
    {
        std::ifstream probe(path);
        if (!probe)
            throw std::runtime_error("server.tls." + key + ": cannot read " + path.string() + ": " +
                                     std::strerror(errno));
    }
    std::unique_ptr<BIO, bio_free> bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) throw std::runtime_error("server.tls." + key + ": cannot read " + path.string() + ": " + openssl_reason());
    return bio;
}

}  // namespace

tls_context::tls_context(config::tls_settings settings, std::filesystem::path config_dir)
    : settings_(std::move(settings)), config_dir_(std::move(config_dir)), current_(load()) {}

tls_context::~tls_context() = default;

std::filesystem::path tls_context::resolve(const std::string& file) const {
    const std::filesystem::path path(file);
    return path.is_absolute() || config_dir_.empty() ? path : config_dir_ / path;
}

std::shared_ptr<ssl_ctx_st> tls_context::load() const {
    ERR_clear_error();
    std::shared_ptr<ssl_ctx_st> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx) throw std::runtime_error("server.tls: cannot create a TLS context: " + openssl_reason());
    SSL_CTX* raw = ctx.get();
    SSL_CTX_set_min_proto_version(raw, settings_.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
    // Renegotiation is a DoS lever and nothing a Socket.IO client needs; compression
    // leaks secrets (CRIME).
    SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_set_cipher_list(raw, tls12_ciphers) != 1)
        throw std::runtime_error("server.tls: the cipher list was refused: " + openssl_reason());
    SSL_CTX_set_default_passwd_cb(raw, no_passphrase);

    const auto cert_path = resolve(settings_.cert_file);
    open_file("cert_file", cert_path);
    if (SSL_CTX_use_certificate_chain_file(raw, cert_path.c_str()) != 1)
        throw std::runtime_error("server.tls.cert_file: " + cert_path.string() +
                                 " holds no usable PEM certificate: " + openssl_reason());

    const auto key_path = resolve(settings_.key_file);
    auto key_bio = open_file("key_file", key_path);
    std::unique_ptr<EVP_PKEY, pkey_free> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
    if (!key)
        throw std::runtime_error("server.tls.key_file: " + key_path.string() +
                                 " holds no usable PEM private key (an encrypted key is not supported): " +
                                 openssl_reason());
    if (SSL_CTX_use_PrivateKey(raw, key.get()) != 1 || SSL_CTX_check_private_key(raw) != 1)
        throw std::runtime_error("server.tls: the private key in " + key_path.string() +
                                 " does not match the certificate in " + cert_path.string() + ": " + openssl_reason());

    if (!settings_.ca_file.empty()) {
        const auto ca_path = resolve(settings_.ca_file);
        auto ca_bio = open_file("ca_file", ca_path);
        int added = 0;
        while (X509* cert = PEM_read_bio_X509(ca_bio.get(), nullptr, no_passphrase, nullptr)) {
            if (SSL_CTX_add0_chain_cert(raw, cert) != 1) {
                X509_free(cert);
                throw std::runtime_error("server.tls.ca_file: " + ca_path.string() + ": " + openssl_reason());
            }
            ++added;
        }
        ERR_clear_error();   // the loop ends on "no start line"
        if (added == 0)
            throw std::runtime_error("server.tls.ca_file: " + ca_path.string() + " holds no PEM certificate");
    }
    return ctx;
}

std::string tls_context::reload() {
    try {
        auto fresh = load();
        std::lock_guard lock(mutex_);
        current_ = std::move(fresh);
        return {};
    } catch (const std::exception& error) {
        return error.what();
    }
}

tls_handle tls_context::new_session() const {
    std::shared_ptr<ssl_ctx_st> ctx;
    {
        std::lock_guard lock(mutex_);
        ctx = current_;
    }
    // The session holds its own reference to the context: a reload cannot pull it away.
    return tls_handle(SSL_new(ctx.get()));
}

}  // namespace switchboard::kernel::net
