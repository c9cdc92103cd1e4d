// The database behind the SDK: a SOCI connection pool on SQLite (the embedded
// default) or PostgreSQL, statements with named parameters bound from JSON, rows back
// as JSON, and transactions.
//
// Calls block: they run on the handler pool, never on a network worker. A connection
// that broke (the server restarted, the network dropped) fails its call with
// db_unavailable and is reopened for the next one, so the server recovers by itself
// once the database is back.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "kernel/config/config.hpp"

namespace switchboard::kernel::store {

// A failed call: a stable code ("db_unavailable", "db_constraint", "db_error") and
// the database's message.
struct db_error {
    std::string code;
    std::string message;
};

enum class dialect { sqlite, postgresql };

class database {
public:
    // Opens the pool. Throws std::runtime_error naming the URL (without its password)
    // when the database cannot be reached. `base_dir` (if not empty) resolves a
    // relative SQLite path; the file's directory is created.
    database(const config::database_settings& settings, const std::string& base_dir);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    dialect kind() const noexcept { return dialect_; }
    // The URL with any password masked, for messages.
    const std::string& display_url() const noexcept { return display_url_; }

    // tx == 0: on any free connection, committed at once.
    std::optional<db_error> exec(std::uint64_t tx, std::string_view sql, const nlohmann::json& params,
                                 std::uint64_t* affected_rows = nullptr);
    std::optional<db_error> query(std::uint64_t tx, std::string_view sql, const nlohmann::json& params,
                                  nlohmann::json& rows);

    // A transaction keeps one connection until commit or rollback.
    std::optional<db_error> begin(std::uint64_t& tx);
    std::optional<db_error> commit(std::uint64_t tx);
    void rollback(std::uint64_t tx);

    // The pool's size, connections in use, lease waits and timeouts, as /metrics text.
    std::string metrics_text() const;

    // Runs `sql` (no parameters, no rows) on its own connection: migrations.
    std::optional<db_error> run_script_statement(std::uint64_t tx, std::string_view sql);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    dialect dialect_;
    std::string display_url_;
};

}  // namespace switchboard::kernel::store
