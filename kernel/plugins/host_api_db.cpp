// The host table's database calls: refused on a network worker (they block), timed
// per plugin, failures handed to the plugin's error sink as {code, message}.
#include <chrono>
#include <optional>

#include "kernel/core/worker.hpp"
#include "kernel/plugins/host_api_support.hpp"
#include "kernel/store/database.hpp"

namespace switchboard::kernel::plugins::host_calls {

using nlohmann::json;

namespace {

// Reports a database failure to the plugin's error sink as {code, message}.
switchboard_status_t db_failure(switchboard_sink_fn error, void* user_data, const store::db_error& failure,
                                switchboard_status_t status = SWITCHBOARD_ERROR) {
    if (error) {
        const std::string dumped = json{{"code", failure.code}, {"message", failure.message}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
        error(user_data, view(dumped));
    }
    return status;
}

// The common checks of every database call; returns the database or reports why not.
store::database* database_for(switchboard_plugin_t* self, switchboard_sink_fn error, void* user_data,
                              switchboard_status_t& status) {
    if (worker::current()) {
        // A blocking call on a network worker would stall every socket of that worker.
        status = db_failure(error, user_data,
                            {"not_allowed_here", "database calls are refused in inline handlers: they block"},
                            SWITCHBOARD_NOT_ALLOWED_HERE);
        return nullptr;
    }
    try {
        return &self->host->environment().database();
    } catch (const std::exception& e) {
        status = db_failure(error, user_data, {"db_unavailable", e.what()});
        return nullptr;
    }
}

std::optional<json> parse_params(switchboard_str_t params_json) {
    const auto s = text(params_json);
    if (s.empty()) return json::object();
    json value = json::parse(s, nullptr, false);
    if (!value.is_object()) return std::nullopt;
    return value;
}

// What exec and query share: the database, the params checked, the statement timed,
// a failure reported. `run(db, params)` runs the statement.
template <class Run>
switchboard_status_t run_statement(switchboard_plugin_t* self, switchboard_str_t params_json, switchboard_sink_fn error,
                                   void* user_data, Run&& run) {
    switchboard_status_t status = SWITCHBOARD_OK;
    auto* db = database_for(self, error, user_data, status);
    if (!db) return status;
    const auto params = parse_params(params_json);
    if (!params) return db_failure(error, user_data, {"invalid_payload", "params must be a JSON object"},
                                   SWITCHBOARD_INVALID_ARGUMENT);
    const auto started = std::chrono::steady_clock::now();
    auto failure = run(*db, *params);
    self->db_statements.observe(std::chrono::steady_clock::now() - started);
    if (failure) return db_failure(error, user_data, *failure);
    return SWITCHBOARD_OK;
}

}  // namespace

switchboard_status_t host_db_exec(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                  switchboard_str_t params_json, uint64_t* affected_rows, switchboard_sink_fn error,
                                  void* user_data) {
    if (!self || text(sql).empty()) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_exec", [&] {
        std::uint64_t affected = 0;
        const auto status = run_statement(self, params_json, error, user_data, [&](store::database& db, const json& params) {
            return db.exec(tx, text(sql), params, &affected);
        });
        if (status == SWITCHBOARD_OK && affected_rows) *affected_rows = affected;
        return status;
    });
}

switchboard_status_t host_db_query(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                   switchboard_str_t params_json, switchboard_sink_fn rows, switchboard_sink_fn error,
                                   void* user_data) {
    if (!self || text(sql).empty() || !rows) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_query", [&] {
        json result;
        const auto status = run_statement(self, params_json, error, user_data, [&](store::database& db, const json& params) {
            return db.query(tx, text(sql), params, result);
        });
        if (status != SWITCHBOARD_OK) return status;
        const std::string dumped = result.dump(-1, ' ', false, json::error_handler_t::replace);
        rows(user_data, view(dumped));
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_begin(switchboard_plugin_t* self, switchboard_tx_t* out_tx, switchboard_sink_fn error,
                                   void* user_data) {
    if (!self || !out_tx) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_begin", [&] {
        switchboard_status_t status = SWITCHBOARD_OK;
        auto* db = database_for(self, error, user_data, status);
        if (!db) return status;
        std::uint64_t tx = 0;
        if (auto failure = db->begin(tx)) return db_failure(error, user_data, *failure);
        *out_tx = tx;
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_commit(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_sink_fn error,
                                    void* user_data) {
    if (!self || !tx) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_commit", [&] {
        switchboard_status_t status = SWITCHBOARD_OK;
        auto* db = database_for(self, error, user_data, status);
        if (!db) return status;
        if (auto failure = db->commit(tx)) return db_failure(error, user_data, *failure);
        return SWITCHBOARD_OK;
    });
}

switchboard_status_t host_db_rollback(switchboard_plugin_t* self, switchboard_tx_t tx) {
    if (!self || !tx) return SWITCHBOARD_INVALID_ARGUMENT;
    return guarded(self, "host_db_rollback", [&] {
        self->host->environment().database().rollback(tx);
        return SWITCHBOARD_OK;
    });
}

}  // namespace switchboard::kernel::plugins::host_calls
