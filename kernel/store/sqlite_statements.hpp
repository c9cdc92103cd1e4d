// The statements of one SQLite connection: each SQL text is compiled once and kept
// (up to `capacity` of them, the least recently used going first), so a handler that
// runs the same INSERT for every event pays SQLite's parser and planner once rather
// than per event. Values are bound by name from JSON, rows come back as JSON objects.
//
// One instance per pooled connection, used only by the caller that leased it: no
// locking. SQLite queries go to the sqlite3 API itself, not through SOCI: SOCI types a
// column by its declared type, so an INTEGER column is read through a 32-bit holder
// (silently truncating Unix-millisecond timestamps and large ids) and an expression
// (count(*)) as text; sqlite3 reports each value's own storage class instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace sqlite_api {
struct sqlite3;
struct sqlite3_stmt;
}  // namespace sqlite_api

namespace switchboard::kernel::store {

class sqlite_statements {
public:
    static constexpr std::size_t capacity = 64;

    sqlite_statements() = default;
    ~sqlite_statements();
    sqlite_statements(const sqlite_statements&) = delete;
    sqlite_statements& operator=(const sqlite_statements&) = delete;

    // Runs the one statement `sql` on `db` with `params` (a JSON object; each member
    // binds the parameter `:name`, members the statement does not name are ignored).
    // Appends each row to *rows when rows is not null. Returns the rows the statement
    // changed. Throws std::runtime_error with SQLite's message on failure.
    std::uint64_t run(sqlite_api::sqlite3* db, std::string_view sql, const nlohmann::json& params,
                      nlohmann::json* rows);

    // Finalizes every kept statement: before the connection is closed or reopened.
    void clear() noexcept;

    std::size_t size() const noexcept { return kept_.size(); }

private:
    struct kept_statement {
        sqlite_api::sqlite3_stmt* statement;
        std::uint64_t last_used;
    };
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };

    // The compiled statement for `sql`, compiled now if it is not kept.
    sqlite_api::sqlite3_stmt* statement_for(sqlite_api::sqlite3* db, std::string_view sql);
    void evict_least_recently_used() noexcept;

    sqlite_api::sqlite3* db_ = nullptr;   // the connection the kept statements belong to
    std::unordered_map<std::string, kept_statement, text_hash, std::equal_to<>> kept_;
    std::uint64_t uses_ = 0;
};

}  // namespace switchboard::kernel::store
