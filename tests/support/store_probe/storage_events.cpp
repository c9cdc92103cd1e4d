// The database side of store-probe: every SDK database call, reachable from a client.
//
// A test plugin may take SQL from its client: it only ever runs in a throwaway
// deployment the spec itself started. Failures are thrown as sdk::error, so the
// client's ack is [{code, message}] with the kernel's code (db_unavailable,
// db_constraint, db_error, not_allowed_here, invalid_payload).
#include <chrono>
#include <string>
#include <thread>

#include "probe.hpp"

namespace switchboard::plugins::store_probe {

namespace {

using sdk::event;
using sdk::json;

const json& object_arg(const event& e) {
    if (e.args.empty() || !e.args[0].is_object()) throw sdk::error("invalid_payload", "expected an object argument");
    return e.args[0];
}

std::string string_field(const json& payload, const char* name) {
    const auto found = payload.find(name);
    if (found == payload.end() || !found->is_string() || found->get<std::string>().empty())
        throw sdk::error("invalid_payload", std::string(name) + " must be a non-empty string");
    return found->get<std::string>();
}

// Params pass through as the client sent them (a non-object reaches the kernel, which
// must refuse it with invalid_payload rather than crash).
json params_field(const json& payload) { return payload.value("params", json::object()); }

// The dialect the migrations recorded: 0002_dialect exists once per dialect, so this
// row also proves the runner picked the right file.
std::string dialect_of(sdk::plugin& p) {
    const json rows = p.query("SELECT value FROM store_probe_meta WHERE name = :name", {{"name", "dialect"}});
    if (rows.empty() || !rows[0]["value"].is_string()) throw sdk::error("db_error", "no dialect recorded");
    return rows[0]["value"].get<std::string>();
}

void register_raw_calls(sdk::plugin& p) {
    p.on("probe:query", [&p](event& e) {
        const json& payload = object_arg(e);
        e.ack(json::array({p.query(string_field(payload, "sql"), params_field(payload))}));
    });
    p.on("probe:exec", [&p](event& e) {
        const json& payload = object_arg(e);
        const auto affected = p.exec(string_field(payload, "sql"), params_field(payload));
        e.ack(json{{"affected", affected}});
    });
    // Statements in one transaction; with fail_after = n, an error is thrown after the
    // n-th statement, so nothing of it may persist.
    p.on("probe:transaction", [&p](event& e) {
        const json& payload = object_arg(e);
        const auto statements = payload.find("statements");
        if (statements == payload.end() || !statements->is_array())
            throw sdk::error("invalid_payload", "statements must be an array");
        const long long fail_after = payload.value("fail_after", -1LL);
        const json result = p.in_transaction([&](const sdk::transaction& tx) {
            json affected = json::array();
            for (const auto& statement : *statements) {
                if (!statement.is_object()) throw sdk::error("invalid_payload", "each statement is an object");
                if (statement.value("query", false))
                    affected.push_back(tx.query(string_field(statement, "sql"), params_field(statement)));
                else
                    affected.push_back(tx.exec(string_field(statement, "sql"), params_field(statement)));
                if (static_cast<long long>(affected.size()) == fail_after)
                    throw sdk::error("aborted", "rolled back on request");
            }
            return affected;
        });
        e.ack(json{{"results", result}});
    });
}

void register_items(sdk::plugin& p) {
    p.on("probe:put", [&p](event& e) {
        const json& payload = object_arg(e);
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        json params{{"key", string_field(payload, "key")},
                    {"value", payload.value("value", json())},
                    {"number", payload.value("number", json())},
                    {"ratio", payload.value("ratio", json())},
                    {"updated_at", now}};
        // ON CONFLICT ... DO UPDATE is spelled the same in SQLite (3.24+) and PostgreSQL.
        const auto affected = p.exec(
            "INSERT INTO store_probe_items (key, value, number, ratio, updated_at) "
            "VALUES (:key, :value, :number, :ratio, :updated_at) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, number = excluded.number, "
            "ratio = excluded.ratio, updated_at = excluded.updated_at",
            params);
        e.ack(json{{"affected", affected}});
    });
    p.on("probe:get", [&p](event& e) {
        const json rows = p.query(
            "SELECT key, value, number, ratio, hits, updated_at FROM store_probe_items WHERE key = :key",
            {{"key", string_field(object_arg(e), "key")}});
        e.ack(json::array({rows.empty() ? json() : rows[0]}));
    });
    p.on("probe:dialect", [&p](event& e) { e.ack(dialect_of(p)); });
}

// A query that holds its connection (and its handler thread) for a while: the test
// checks that other sockets' events, database ones included, keep flowing meanwhile.
void register_slow_query(sdk::plugin& p) {
    p.on("probe:slow", [&p](event& e) {
        const json& payload = object_arg(e);
        const std::string dialect = dialect_of(p);
        const auto started = std::chrono::steady_clock::now();
        if (dialect == "postgresql") {
            // pg_sleep returns void, which has no column type: select from it instead.
            p.query("SELECT 1 AS slept FROM pg_sleep(:seconds)", {{"seconds", payload.value("ms", 1000) / 1000.0}});
        } else {
            // SQLite has no sleep: count to a big number instead.
            p.query("WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < :count) "
                    "SELECT max(n) AS n FROM counter",
                    {{"count", payload.value("count", 3'000'000LL)}});
        }
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started).count();
        e.ack(json{{"dialect", dialect}, {"elapsed_ms", elapsed}});
    });
}

// Inline handlers run on the network worker; the kernel must refuse their database
// calls (not_allowed_here) instead of blocking every socket of that worker.
void register_inline(sdk::plugin& p) {
    const sdk::handler_options inline_handler{true};
    p.on("probe:inline_query", [&p](event& e) { e.ack(json::array({p.query("SELECT 1 AS one")})); }, inline_handler);
    p.on("probe:inline_transaction", [&p](event& e) {
        p.in_transaction([](const sdk::transaction&) {});
        e.ack(true);
    }, inline_handler);
    p.on("probe:ping", [](event& e) { e.ack("pong"); }, inline_handler);
    // A pooled handler that takes its time without the database: the stand-in for a
    // slow or stuck plugin (the hardening specs: queued events, shutdown).
    p.on("probe:stall", [](event& e) {
        const auto ms = e.args.empty() || !e.args[0].is_object() ? 1000 : e.args[0].value("ms", 1000);
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        e.ack("done");
    });
}

}  // namespace

void register_storage_events(sdk::plugin& p) {
    register_raw_calls(p);
    register_items(p);
    register_slow_query(p);
    register_inline(p);
}

}  // namespace switchboard::plugins::store_probe
