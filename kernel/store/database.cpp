#include "kernel/store/database.hpp"

#include <atomic>
#include <filesystem>
#include <list>
#include <stdexcept>
#include <vector>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "kernel/core/latency_histogram.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/prometheus_text.hpp"
#include "kernel/store/sqlite_statements.hpp"

namespace switchboard::kernel::store {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string mask_password(const std::string& url) {
    // postgresql://user:secret@host/db -> postgresql://user:***@host/db
    std::string out = url;
    const auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        const auto at = out.find('@', scheme + 3);
        const auto colon = out.find(':', scheme + 3);
        if (at != std::string::npos && colon != std::string::npos && colon < at)
            out = out.substr(0, colon + 1) + "***" + out.substr(at);
    }
    // libpq also takes it as a parameter: ...?password=secret or "host=h password=secret".
    for (auto key = out.find("password="); key != std::string::npos; key = out.find("password=", key + 1)) {
        const auto value = key + 9;
        const auto end = out.find_first_of("& ", value);
        out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
    }
    return out;
}

// SOCI's sqlite3 and postgresql backends report constraint violations in their
// messages; the SDK promises a stable code for them.
db_error to_error(const std::exception& e, bool connection_lost) {
    const std::string message = e.what();
    if (connection_lost) return {"db_unavailable", message};
    const bool constraint = message.find("constraint") != std::string::npos ||
                            message.find("UNIQUE") != std::string::npos ||
                            message.find("duplicate key") != std::string::npos ||
                            message.find("violates") != std::string::npos;
    return {constraint ? "db_constraint" : "db_error", message};
}

// Values bound to one statement; std::list keeps their addresses stable for SOCI.
struct bindings {
    std::list<std::string> strings;
    std::list<long long> integers;
    std::list<double> doubles;
    std::list<soci::indicator> indicators;
};

void bind_params(soci::statement& st, const json& params, bindings& b) {
    if (!params.is_object()) return;
    for (const auto& [name, value] : params.items()) {
        auto& indicator = b.indicators.emplace_back(value.is_null() ? soci::i_null : soci::i_ok);
        if (value.is_string()) {
            st.exchange(soci::use(b.strings.emplace_back(value.get<std::string>()), indicator, name));
        } else if (value.is_boolean()) {
            st.exchange(soci::use(b.integers.emplace_back(value.get<bool>() ? 1 : 0), indicator, name));
        } else if (value.is_number_integer()) {
            st.exchange(soci::use(b.integers.emplace_back(value.get<long long>()), indicator, name));
        } else if (value.is_number()) {
            st.exchange(soci::use(b.doubles.emplace_back(value.get<double>()), indicator, name));
        } else if (value.is_null()) {
            st.exchange(soci::use(b.strings.emplace_back(), indicator, name));
        } else {
            // Arrays and objects are stored as their JSON text.
            st.exchange(soci::use(b.strings.emplace_back(value.dump()), indicator, name));
        }
    }
}

json column_value(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return nullptr;
    switch (row.get_properties(i).get_data_type()) {
        case soci::dt_string:
        case soci::dt_blob:
        case soci::dt_xml:
            return row.get<std::string>(i);
        case soci::dt_double:
            return row.get<double>(i);
        case soci::dt_integer:
            return row.get<int>(i);
        case soci::dt_long_long:
            return row.get<long long>(i);
        case soci::dt_unsigned_long_long:
            return row.get<unsigned long long>(i);
        case soci::dt_date: {
            const std::tm t = row.get<std::tm>(i);
            char text[32];
            std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &t);
            return std::string(text);
        }
    }
    return nullptr;
}

// The SQLite connection under a SOCI session.
sqlite_api::sqlite3* sqlite_handle(soci::session& session) {
    return static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
}

}  // namespace

struct database::impl {
    explicit impl(std::size_t size) : pool(size), size(size), statements(std::make_unique<sqlite_statements[]>(size)) {}

    soci::connection_pool pool;
    std::size_t size;
    // Each pooled SQLite connection's compiled statements, by pool position (unused on
    // PostgreSQL). Declared after the pool: finalized before the connections close.
    std::unique_ptr<sqlite_statements[]> statements;
    std::chrono::milliseconds lease_timeout{5000};
    const soci::backend_factory* backend = nullptr;
    std::string connect_string;

    std::mutex tx_mutex;
    struct transaction {
        std::size_t position;   // its leased connection
        bool broken = false;    // the connection was lost: the transaction is gone
    };
    std::unordered_map<std::uint64_t, transaction> transactions;
    std::atomic<std::uint64_t> next_tx{1};

    // For /metrics: connections leased now (a transaction holds one until it ends),
    // how long callers waited for one, and how often none came in time.
    std::atomic<std::size_t> in_use{0};
    latency_histogram lease_wait;
    std::atomic<std::uint64_t> lease_timeouts{0};

    bool lease(std::size_t& position) {
        const auto asked = std::chrono::steady_clock::now();
        const bool leased = pool.try_lease(position, static_cast<int>(lease_timeout.count()));
        lease_wait.observe(std::chrono::steady_clock::now() - asked);
        if (!leased) {
            lease_timeouts.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        in_use.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    // After a failure: whether the connection at `position` was lost, in which case it
    // is reopened now, so the next call finds a working one. Call it while the
    // connection is still leased.
    bool reopen_if_lost(std::size_t position) {
        soci::session& session = pool.at(position);
        bool lost = false;
        try {
            lost = !session.is_connected();
        } catch (...) {
            lost = true;
        }
        if (lost) reopen(position);
        return lost;
    }

    // Reopens the connection at `position`; its compiled statements go with the old one.
    void reopen(std::size_t position) {
        statements[position].clear();
        try {
            pool.at(position).reconnect();
        } catch (const std::exception& e) {
            SB_LOG(warn, "store") << "database still unreachable: " << e.what();
        }
    }

    void give_back(std::size_t position) {
        in_use.fetch_sub(1, std::memory_order_relaxed);
        pool.give_back(position);
    }

    // Leases a connection (or the transaction's), runs fn(session, position), returns it.
    template <class Fn>
    std::optional<db_error> with_session(std::uint64_t tx, Fn&& fn) {
        std::size_t position = 0;
        bool leased = false;
        if (tx) {
            std::lock_guard lock(tx_mutex);
            const auto found = transactions.find(tx);
            if (found == transactions.end()) return db_error{"db_error", "unknown transaction"};
            // A reopened connection is not in the transaction any more: running the rest
            // of its statements there would commit them one by one.
            if (found->second.broken)
                return db_error{"db_unavailable", "the transaction's connection was lost; roll it back"};
            position = found->second.position;
        } else {
            if (!lease(position))
                return db_error{"db_unavailable", "no database connection free within the timeout"};
            leased = true;
        }
        soci::session& session = pool.at(position);
        std::optional<db_error> result;
        try {
            fn(session, position);
        } catch (const std::exception& e) {
            const bool lost = reopen_if_lost(position);
            result = to_error(e, lost);
            if (lost && tx) {
                std::lock_guard lock(tx_mutex);
                if (const auto found = transactions.find(tx); found != transactions.end()) found->second.broken = true;
            }
        }
        if (leased) give_back(position);
        return result;
    }
};

database::database(const config::database_settings& settings, const std::string& base_dir)
    : impl_(std::make_unique<impl>(settings.pool_size)), display_url_(mask_password(settings.url)) {
    impl_->lease_timeout = settings.connect_timeout;
    const auto timeout_seconds = std::max<long long>(1, settings.connect_timeout.count() / 1000);
    if (settings.url.starts_with("sqlite:")) {
        dialect_ = dialect::sqlite;
        fs::path file(settings.url.substr(7));
        if (file.is_relative() && !base_dir.empty()) file = fs::path(base_dir) / file;
        std::error_code ec;
        if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
        impl_->backend = &soci::sqlite3;
        impl_->connect_string = "db=" + file.string() + " timeout=" + std::to_string(timeout_seconds);
    } else {
        dialect_ = dialect::postgresql;
        impl_->backend = &soci::postgresql;
        // libpq takes the URL as it is; connect_timeout bounds an unreachable server.
        std::string url = settings.url;
        url += url.find('?') == std::string::npos ? "?" : "&";
        url += "connect_timeout=" + std::to_string(timeout_seconds);
        impl_->connect_string = url;
    }
    try {
        for (std::size_t i = 0; i < impl_->size; ++i) {
            soci::session& session = impl_->pool.at(i);
            session.open(*impl_->backend, impl_->connect_string);
            if (dialect_ == dialect::sqlite) {
                // Several connections share one file: wait for locks instead of failing,
                // and let readers run beside the writer.
                session << "PRAGMA journal_mode=WAL";
                // Under WAL, "full" makes every commit wait for the disk (~5 ms here,
                // 70x a commit without): the handler pool then queues behind fsync.
                session << "PRAGMA synchronous=" << (settings.sqlite_synchronous == "full" ? "FULL" : "NORMAL");
                session << "PRAGMA foreign_keys=ON";
                session << "PRAGMA busy_timeout=" << settings.connect_timeout.count();
            }
        }
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot open the database " + display_url_ + ": " + e.what());
    }
}

database::~database() = default;

std::optional<db_error> database::exec(std::uint64_t tx, std::string_view sql, const json& params,
                                       std::uint64_t* affected_rows) {
    return impl_->with_session(tx, [&](soci::session& session, std::size_t position) {
        if (dialect_ == dialect::sqlite) {
            const auto changed = impl_->statements[position].run(sqlite_handle(session), sql, params, nullptr);
            if (affected_rows) *affected_rows = changed;
            return;
        }
        bindings b;
        soci::statement st(session);
        bind_params(st, params, b);
        st.alloc();
        // One-time, not repeatable: SOCI's PostgreSQL backend then sends the statement
        // with its parameters in one round trip (PQexecParams) instead of three
        // (PQprepare, PQexecPrepared, DEALLOCATE); nothing here is executed twice.
        st.prepare(std::string(sql), soci::details::st_one_time_query);
        st.define_and_bind();
        st.execute(true);
        if (affected_rows) *affected_rows = static_cast<std::uint64_t>(std::max<long long>(0, st.get_affected_rows()));
    });
}

std::optional<db_error> database::query(std::uint64_t tx, std::string_view sql, const json& params, json& rows) {
    rows = json::array();
    return impl_->with_session(tx, [&](soci::session& session, std::size_t position) {
        if (dialect_ == dialect::sqlite) {
            impl_->statements[position].run(sqlite_handle(session), sql, params, &rows);
            return;
        }
        bindings b;
        soci::row row;
        soci::statement st(session);
        bind_params(st, params, b);
        st.exchange(soci::into(row));
        st.alloc();
        st.prepare(std::string(sql), soci::details::st_one_time_query);   // one round trip, as in exec()
        st.define_and_bind();
        bool has_row = st.execute(true);
        while (has_row) {
            json object = json::object();
            for (std::size_t i = 0; i < row.size(); ++i) object[row.get_properties(i).get_name()] = column_value(row, i);
            rows.push_back(std::move(object));
            has_row = st.fetch();
        }
    });
}

std::optional<db_error> database::begin(std::uint64_t& tx) {
    std::size_t position = 0;
    if (!impl_->lease(position))
        return db_error{"db_unavailable", "no database connection free within the timeout"};
    try {
        soci::session& session = impl_->pool.at(position);
        // SQLite: take the write lock now (waiting up to the busy timeout). A deferred
        // transaction that has read cannot become a writer once another connection has
        // committed: it fails at once with "database is locked", and read-then-write is
        // what handlers do (count, then insert).
        if (dialect_ == dialect::sqlite) {
            session << "BEGIN IMMEDIATE";
        } else {
            session.begin();
        }
    } catch (const std::exception& e) {
        // Judged and reopened before it goes back: once given back, it is someone else's.
        const bool lost = impl_->reopen_if_lost(position);
        impl_->give_back(position);
        return to_error(e, lost);
    }
    tx = impl_->next_tx++;
    std::lock_guard lock(impl_->tx_mutex);
    impl_->transactions.emplace(tx, impl::transaction{position});
    return std::nullopt;
}

std::optional<db_error> database::commit(std::uint64_t tx) {
    std::size_t position = 0;
    {
        std::lock_guard lock(impl_->tx_mutex);
        const auto found = impl_->transactions.find(tx);
        if (found == impl_->transactions.end()) return db_error{"db_error", "unknown transaction"};
        position = found->second.position;
        const bool broken = found->second.broken;
        impl_->transactions.erase(found);
        if (broken) {
            impl_->give_back(position);
            return db_error{"db_unavailable", "the transaction's connection was lost; nothing was committed"};
        }
    }
    std::optional<db_error> result;
    try {
        impl_->pool.at(position).commit();
    } catch (const std::exception& e) {
        result = to_error(e, false);
        try {
            impl_->pool.at(position).rollback();
        } catch (...) {
        }
    }
    impl_->give_back(position);
    return result;
}

void database::rollback(std::uint64_t tx) {
    std::size_t position = 0;
    {
        std::lock_guard lock(impl_->tx_mutex);
        const auto found = impl_->transactions.find(tx);
        if (found == impl_->transactions.end()) return;
        position = found->second.position;
        impl_->transactions.erase(found);
    }
    try {
        impl_->pool.at(position).rollback();
    } catch (...) {
        // A connection that cannot roll back is broken: reopen it for the next user.
        impl_->reopen(position);
    }
    impl_->give_back(position);
}

std::string database::metrics_text() const {
    std::string out;
    prometheus::append_single(out, "switchboard_db_pool_connections", "gauge", "Connections in the database pool.",
                              impl_->size);
    prometheus::append_single(out, "switchboard_db_pool_in_use", "gauge",
                              "Pool connections leased now (by a statement or a transaction).",
                              impl_->in_use.load(std::memory_order_relaxed));
    prometheus::append_family(out, "switchboard_db_pool_wait_seconds", "histogram",
                              "How long callers waited for a pool connection.");
    impl_->lease_wait.write(out, "switchboard_db_pool_wait_seconds", {});
    prometheus::append_single(out, "switchboard_db_pool_timeouts_total", "counter",
                              "Calls refused because no pool connection was free in time.",
                              impl_->lease_timeouts.load(std::memory_order_relaxed));
    return out;
}

std::optional<db_error> database::run_script_statement(std::uint64_t tx, std::string_view sql) {
    return impl_->with_session(tx, [&](soci::session& session, std::size_t) { session << std::string(sql); });
}

}  // namespace switchboard::kernel::store
