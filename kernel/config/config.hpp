// The server's typed configuration, read from YAML (see config/switchboard.yaml for the
// documented default). Every value has a default, so an empty file is a valid config.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchboard::kernel::config {

using milliseconds = std::chrono::milliseconds;

struct cors_settings {
    // Allowed origins; "*" allows every origin. Empty: no CORS headers at all.
    std::vector<std::string> origins;
    bool credentials = false;
    std::vector<std::string> methods = {"GET", "POST"};
    std::vector<std::string> allowed_headers;   // empty: echo the preflight's request headers
    milliseconds max_age{0};                    // 0: no Access-Control-Max-Age header
};

struct namespace_settings {
    std::string name = "/";
    // Whether a connection without credentials may join this namespace. Off by
    // default: a deployment opens a namespace to anonymous clients on purpose.
    bool anonymous = false;
};

// HTTPS and WSS on the server's port (server.tls). Files are PEM, relative to the config
// file; they are read at start-up and again on SIGHUP.
struct tls_settings {
    std::string cert_file;   // the server certificate, optionally followed by its chain
    std::string key_file;    // its private key (unencrypted)
    std::string ca_file;     // intermediate certificates sent after it (optional)
    std::string min_version = "1.2";   // "1.2" or "1.3"; older versions are never offered
    bool enabled() const noexcept { return !cert_file.empty(); }
};

struct server_settings {
    std::string host = "0.0.0.0";
    std::uint16_t port = 3000;
    unsigned workers = 0;                       // 0: one per usable core (usable_cpus())
    std::string path = "/socket.io/";
    milliseconds shutdown_timeout{10'000};
    // Threads running pooled (possibly blocking) plugin handlers; 0: 4 per usable core.
    unsigned handler_threads = 0;
    // Holds the process id while running, for `switchboard reload` (empty: none).
    std::string pid_file;
    // A request's headers must arrive within this (slowloris), and an idle keep-alive
    // connection waits at most this long for its next request.
    milliseconds header_timeout{10'000};
    // A connection being closed gets this long to write its last bytes; a peer that
    // keeps its receive window shut then loses the connection anyway.
    milliseconds close_timeout{5'000};
    // Concurrent connections from one address (0: no limit).
    unsigned max_connections_per_ip = 0;
    // Engine.IO handshakes per second from one address (0: no limit).
    unsigned max_handshakes_per_ip = 0;
    // Addresses or CIDR ranges allowed to read /metrics and /healthz (empty: anyone).
    std::vector<std::string> monitoring_allow;
    // Empty cert_file: plain HTTP.
    tls_settings tls;
};

// Where a value was given in the YAML file (1-based; 0 when unknown).
struct source_position {
    int line = 0;
    int column = 0;
};

// One enabled plugin.
struct plugin_settings {
    std::string name;
    // An explicit shared library path (relative to the config file); empty: search
    // plugin_path, then next to the binary, then the install prefix.
    std::string file;
    // A required plugin that fails to load stops start-up; others are skipped with an error.
    bool required = false;
    // More migration components this deployment of the plugin needs besides its own
    // (migrations/<name>/): the features a Lua runtime's scripts implement, say.
    std::vector<std::string> migrations;
    // The plugin's `config:` section as JSON, validated later against the keys the
    // plugin declares, and where each key was written (for the error messages).
    nlohmann::json config = nlohmann::json::object();
    std::map<std::string, source_position> config_keys;
    source_position position;   // the plugin's entry in the list
};

struct engineio_settings {
    milliseconds ping_interval{25'000};
    milliseconds ping_timeout{20'000};
    std::size_t max_payload = 1'000'000;        // bytes, per packet and per polling request
    bool transport_polling = true;
    bool transport_websocket = true;
    bool allow_upgrades = true;
    milliseconds upgrade_timeout{10'000};
    // A session's outgoing queue bound: over it, volatile packets are dropped; a client
    // that stays over it for a ping timeout, or goes over 8 times it, is disconnected
    // (a slow reader must not grow memory without limit).
    std::size_t max_buffered_bytes = 1 << 20;
    // Engine.IO v3 clients (socket.io-client 2.x, the Swift / Java / C++ clients of that
    // generation), served as Node's `allowEIO3: true` does. Off: they get 400
    // "Unsupported protocol version", as from Node by default.
    bool allow_eio3 = false;
};

// How Socket.IO packets are written on the wire; a deployment uses one, as a Node server
// does, and its clients must be built with the same (socket.io-client's `parser` option).
enum class packet_parser : std::uint8_t {
    json,      // the default parser: text packets, binary as attachments
    msgpack,   // socket.io-msgpack-parser: each packet one binary MessagePack message
};

// Connection state recovery (socket.io 4.6+ `connectionStateRecovery`): a client that
// comes back within the window gets its id, rooms, data and the events it missed.
struct recovery_settings {
    bool enabled = false;
    milliseconds max_disconnection_duration{120'000};
    // A recovered socket skips the authentication (auth hooks, JWT): its session
    // (the private id the client holds) proves who it is, as Node's skipMiddlewares.
    bool skip_auth_hooks = true;
    std::size_t log_size = 10'000;   // events kept per namespace (the stream's MAXLEN ~ in redis-streams mode)
    milliseconds log_age{120'000};   // and for at most this long (this node's log)
};

struct socketio_settings {
    milliseconds connect_timeout{45'000};
    packet_parser parser = packet_parser::json;
    std::size_t max_attachments = 64;
    // The attachments of one binary packet, together, while they arrive.
    std::size_t max_attachment_bytes = 16u << 20;
    // A decoded packet is at most this many times the bytes received for it.
    std::size_t max_decode_amplification = 2;
    // Events of one socket waiting for the handler pool; over it the socket is
    // disconnected with a logged reason.
    std::size_t max_pooled_events = 256;
    std::size_t max_pooled_bytes = 16u << 20;
    std::vector<namespace_settings> namespaces = {namespace_settings{}};
    recovery_settings recovery;
};

struct auth_settings {
    std::vector<std::string> algorithms = {"HS256"};   // accepted JWT "alg" values
    // The HS256 secret and the RS256/ES256 public key (PEM), each from the config, a
    // file, or (better: nothing secret in the YAML) an environment variable.
    std::string secret;
    std::string secret_env = "SWITCHBOARD_JWT_SECRET";
    std::string public_key_file;
    std::string public_key_env;
    std::string issuer;                                 // required "iss", if set
    std::string audience;                               // required "aud", if set
    milliseconds leeway{30'000};                        // clock skew allowed on exp/nbf
};

struct database_settings {
    // sqlite:<path> (relative to the working directory) or postgresql://user:pass@host/db
    std::string url = "sqlite:data/switchboard.db";
    unsigned pool_size = 4;
    milliseconds connect_timeout{5'000};
    bool migrate = true;                                // apply pending migrations at start
    // SQLite only: "normal" commits without waiting for the disk (WAL keeps the file
    // consistent; an OS crash or power loss may lose the last transactions, a server
    // crash loses nothing); "full" waits for the disk on every commit, ~5 ms each.
    std::string sqlite_synchronous = "normal";
    // Relative to the config file; empty: the platform's own (migrations/ beside the
    // config's folder, or the install prefix's share/switchboard/migrations).
    std::string migrations_dir;
};

// The server API backends publish through (/api/..., docs/server-api.md). It is on when
// at least one key resolves: a literal in `keys`, or a non-empty environment variable
// named in `keys_env`.
struct api_settings {
    std::vector<std::string> keys;
    std::vector<std::string> keys_env = {"SWITCHBOARD_API_KEY"};
};

// Several nodes as one server (the cluster adapter). `none`: this node alone.
struct cluster_settings {
    std::string adapter = "none";                 // none, redis, redis-sharded, redis-streams
    std::string url = "redis://127.0.0.1:6379";  // redis://[:password@]host[:port][/db]
    std::string url_env;                          // an environment variable holding the URL instead
    std::string key = "socket.io";                // the channels' prefix, as the Node adapter's `key`
    milliseconds requests_timeout{5'000};         // how long a cluster-wide question waits for every node
    // Presence across nodes: each node refreshes its deadline every `heartbeat`; one
    // silent for `node_timeout` is gone and its users go offline (docs/cluster.md).
    milliseconds heartbeat{2'000};
    milliseconds node_timeout{6'000};             // default: 3 x heartbeat
};

// The Socket.IO Admin UI's namespace (@socket.io/admin-ui 0.5): off unless enabled, and
// then only for whoever knows the password whose bcrypt hash is here.
struct admin_settings {
    bool enabled = false;
    std::string namespace_name = "/admin";
    std::string username;
    std::string password_hash;        // bcrypt: $2a$, $2b$ or $2y$, as bcrypt tools write it
    bool readonly = false;            // no emit, join, leave or disconnect from the UI
    // development: every socket, room and event is reported live (costly with many
    // sockets); production: server_stats only.
    std::string mode = "development";
    std::string server_id;            // empty: the host name
};

// The demo page (web/demo/index.html) and its development login, which mints a token
// for any typed name: for trying a deployment on one's own machine, never for users.
struct demo_settings {
    bool enabled = false;
    std::string path = "/demo";       // the page; the login is POST <path>/login
    bool login = false;               // `demo: true` turns both on
    // The login is refused when the server listens on a non-loopback address, unless
    // the deployment says `demo_public: true` (anyone who reaches it can be anyone).
    bool public_login = false;
};

// The kernel's log components, the names log.levels accepts besides plugin names.
inline constexpr std::string_view log_components[] = {"server", "net",   "http",    "engineio", "socketio",
                                                      "auth",   "api",   "admin",   "cluster",  "store",
                                                      "plugins", "demo"};

struct log_settings {
    std::string level = "info";                 // trace, debug, info, warn, error
    std::string format = "text";                // text, or json: one object per line
    // Components logging at their own level, in file order: {engineio, debug}.
    std::vector<std::pair<std::string, std::string>> levels;
};

struct settings {
    server_settings server;
    engineio_settings engineio;
    socketio_settings socketio;
    cors_settings cors;
    auth_settings auth;
    database_settings database;
    api_settings api;
    cluster_settings cluster;
    admin_settings admin;
    demo_settings demo;
    log_settings log;
    std::vector<std::string> plugin_path;    // directories searched first for plugins
    std::vector<plugin_settings> plugins;
    // The file the settings came from (empty for defaults); relative paths in the
    // config are resolved against its directory.
    std::string source_file;
};

// A configuration error: which file, which line and column (1-based; 0 when unknown),
// and what was expected. what() is the full "file:line:column: message" text.
class config_error : public std::runtime_error {
public:
    config_error(std::string file, int line, int column, std::string message);

    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    int line_;
    int column_;
    std::string message_;
};

// Reads and validates a YAML file. Throws config_error on a missing file, a YAML syntax
// error, an unknown key, a value of the wrong type or out of range.
settings load_file(const std::string& path);

// The same for YAML text; `name` is used as the file name in errors.
settings load_string(const std::string& yaml, const std::string& name = "<string>");

}  // namespace switchboard::kernel::config
