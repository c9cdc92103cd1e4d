// The server's TLS configuration (server.tls): certificate, key, chain and protocol
// floor, loaded into an OpenSSL context that every new connection starts from.
// reload() builds a whole new context and swaps it in only when it loads cleanly:
// connections already open keep the context they began with (OpenSSL counts its
// references), new handshakes get the new certificate, and a bad file leaves the old
// one serving.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "kernel/config/config.hpp"
#include "kernel/net/tls_handle.hpp"

struct ssl_ctx_st;

namespace switchboard::kernel::net {

class tls_context {
public:
    // Loads the files (relative paths against `config_dir`); throws std::runtime_error
    // naming the file and what is wrong with it.
    tls_context(config::tls_settings settings, std::filesystem::path config_dir);
    ~tls_context();

    // Reads the files again. On failure returns the reason and keeps serving the old
    // certificate; on success returns an empty string.
    std::string reload();

    // A new connection's TLS state, from the current context. Any thread.
    tls_handle new_session() const;

private:
    std::shared_ptr<ssl_ctx_st> load() const;
    std::filesystem::path resolve(const std::string& file) const;

    config::tls_settings settings_;
    std::filesystem::path config_dir_;
    mutable std::mutex mutex_;
    std::shared_ptr<ssl_ctx_st> current_;
};

}  // namespace switchboard::kernel::net
