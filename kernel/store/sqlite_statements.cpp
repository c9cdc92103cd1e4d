#include "kernel/store/sqlite_statements.hpp"

#include <limits>
#include <stdexcept>

#include <soci/sqlite3/soci-sqlite3.h>   // sqlite3.h, inside namespace sqlite_api

namespace switchboard::kernel::store {

using nlohmann::json;
namespace sq = sqlite_api;

namespace {

// sqlite3.h's SQLITE_STATIC and SQLITE_TRANSIENT name its destructor type unqualified,
// which is inside namespace sqlite_api here.
const auto points_at_caller_text = static_cast<sq::sqlite3_destructor_type>(nullptr);
const auto copies_text = reinterpret_cast<sq::sqlite3_destructor_type>(-1);

void check(int rc, sq::sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw std::runtime_error(std::string(what) + ": " + sq::sqlite3_errmsg(db));
}

void bind(sq::sqlite3* db, sq::sqlite3_stmt* statement, const json& params) {
    if (!params.is_object()) return;
    std::string name = ":";
    for (const auto& [key, value] : params.items()) {
        name.resize(1);
        name += key;
        const int index = sq::sqlite3_bind_parameter_index(statement, name.c_str());
        if (index == 0) continue;   // not named in this statement
        int rc = SQLITE_OK;
        if (value.is_null()) {
            rc = sq::sqlite3_bind_null(statement, index);
        } else if (value.is_boolean()) {
            rc = sq::sqlite3_bind_int64(statement, index, value.get<bool>() ? 1 : 0);
        } else if (value.is_number_integer()) {
            rc = sq::sqlite3_bind_int64(statement, index, value.get<long long>());
        } else if (value.is_number()) {
            rc = sq::sqlite3_bind_double(statement, index, value.get<double>());
        } else if (value.is_string()) {
            // `params` outlives the statement's run, and run() clears the bindings
            // before it returns: SQLite may point at the text rather than copy it.
            const auto& text = value.get_ref<const std::string&>();
            rc = sq::sqlite3_bind_text64(statement, index, text.data(), text.size(), points_at_caller_text, SQLITE_UTF8);
        } else {
            const std::string text = value.dump();   // an object or array, stored as JSON text
            rc = sq::sqlite3_bind_text64(statement, index, text.data(), text.size(), copies_text, SQLITE_UTF8);
        }
        check(rc, db, "cannot bind a parameter");
    }
}

json column_value(sq::sqlite3_stmt* statement, int i) {
    switch (sq::sqlite3_column_type(statement, i)) {
        case SQLITE_INTEGER:
            return static_cast<long long>(sq::sqlite3_column_int64(statement, i));
        case SQLITE_FLOAT:
            return sq::sqlite3_column_double(statement, i);
        case SQLITE_NULL:
            return nullptr;
        default: {
            const auto* text = reinterpret_cast<const char*>(sq::sqlite3_column_text(statement, i));
            return std::string(text ? text : "", static_cast<std::size_t>(sq::sqlite3_column_bytes(statement, i)));
        }
    }
}

// Leaves a kept statement ready for its next run however this one ends: reset (which
// also ends the read it may hold open) and its values unbound.
struct reset_when_done {
    sq::sqlite3_stmt* statement;
    ~reset_when_done() {
        sq::sqlite3_reset(statement);
        sq::sqlite3_clear_bindings(statement);
    }
};

}  // namespace

sqlite_statements::~sqlite_statements() { clear(); }

void sqlite_statements::clear() noexcept {
    for (auto& [sql, kept] : kept_) sq::sqlite3_finalize(kept.statement);
    kept_.clear();
    db_ = nullptr;
}

std::uint64_t sqlite_statements::run(sq::sqlite3* db, std::string_view sql, const json& params, json* rows) {
    sq::sqlite3_stmt* statement = statement_for(db, sql);
    reset_when_done reset{statement};
    bind(db, statement, params);
    const int columns = sq::sqlite3_column_count(statement);
    for (;;) {
        const int rc = sq::sqlite3_step(statement);
        if (rc == SQLITE_DONE) break;
        check(rc, db, "the query failed");
        if (!rows) continue;
        json row = json::object();
        for (int i = 0; i < columns; ++i) row[sq::sqlite3_column_name(statement, i)] = column_value(statement, i);
        rows->push_back(std::move(row));
    }
    return static_cast<std::uint64_t>(sq::sqlite3_changes64(db));
}

sq::sqlite3_stmt* sqlite_statements::statement_for(sq::sqlite3* db, std::string_view sql) {
    if (db != db_) {
        clear();
        db_ = db;
    }
    if (const auto found = kept_.find(sql); found != kept_.end()) {
        found->second.last_used = ++uses_;
        return found->second.statement;
    }
    if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::runtime_error("cannot prepare the query: it is too long");
    sq::sqlite3_stmt* statement = nullptr;
    check(sq::sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement, nullptr), db,
          "cannot prepare the query");
    if (!statement) throw std::runtime_error("cannot prepare the query: it holds no statement");
    if (kept_.size() >= capacity) evict_least_recently_used();
    kept_.emplace(std::string(sql), kept_statement{statement, ++uses_});
    return statement;
}

void sqlite_statements::evict_least_recently_used() noexcept {
    auto oldest = kept_.begin();
    for (auto it = kept_.begin(); it != kept_.end(); ++it)
        if (it->second.last_used < oldest->second.last_used) oldest = it;
    if (oldest == kept_.end()) return;
    sq::sqlite3_finalize(oldest->second.statement);
    kept_.erase(oldest);
}

}  // namespace switchboard::kernel::store
