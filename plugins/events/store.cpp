#include "store.hpp"

#include <algorithm>

#include <switchboard/columns.hpp>

namespace switchboard::plugins::events {

using namespace sdk::columns;

namespace {

json to_message(const json& row) {
    return {{"id", as_int(row.at("id"))},
            {"eventId", as_string(row.at("event_id"))},
            {"userId", as_string(row.at("user_id"))},
            {"userName", as_string(row.at("user_name"))},
            {"content", as_string(row.at("content"))},
            {"createdAt", as_int(row.at("created_at"))}};
}

}  // namespace

status events_store::status_of(const std::string& event, const std::string& user) {
    const json rows = plugin_.query("SELECT status FROM events_participants WHERE event_id = :event AND user_id = :user",
                                    {{"event", event}, {"user", user}});
    if (rows.empty()) return std::nullopt;
    return as_string(rows[0].at("status"));
}

status events_store::set_status(const std::string& event, const std::string& user, const status& to,
                                const std::string& name, std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) -> status {
        // A write first: SQLite takes its write lock at once (and waits for it) instead
        // of failing to upgrade a read later.
        const json removed = tx.query("DELETE FROM events_participants WHERE event_id = :event AND user_id = :user "
                                      "RETURNING status",
                                      {{"event", event}, {"user", user}});
        if (to)
            tx.exec("INSERT INTO events_participants (event_id, user_id, status, user_name, updated_at) "
                    "VALUES (:event, :user, :status, :name, :updated_at)",
                    {{"event", event}, {"user", user}, {"status", *to}, {"name", name}, {"updated_at", now}});
        if (removed.empty()) return std::nullopt;
        return as_string(removed[0].at("status"));
    });
}

attendee_counts events_store::counts(const std::string& event) {
    attendee_counts out;
    for (const auto& row : plugin_.query("SELECT status, COUNT(*) AS n FROM events_participants "
                                         "WHERE event_id = :event GROUP BY status",
                                         {{"event", event}})) {
        const auto kind = as_string(row.at("status"));
        if (kind == "attending") out.attending = as_int(row.at("n"));
        else if (kind == "interested") out.interested = as_int(row.at("n"));
    }
    return out;
}

json events_store::participants(const std::string& event) {
    json out = json::array();
    for (const auto& row : plugin_.query("SELECT user_id, user_name, status FROM events_participants "
                                         "WHERE event_id = :event ORDER BY user_name, user_id LIMIT 1000",
                                         {{"event", event}}))
        out.push_back({{"userId", as_string(row.at("user_id"))},
                       {"name", as_string(row.at("user_name"))},
                       {"status", as_string(row.at("status"))}});
    return out;
}

json events_store::add_message(const std::string& event, const std::string& user, const std::string& name,
                               const std::string& content, std::int64_t now) {
    const json rows = plugin_.query(
        "INSERT INTO events_messages (event_id, user_id, user_name, content, created_at) "
        "VALUES (:event, :user, :name, :content, :created_at) RETURNING id",
        {{"event", event}, {"user", user}, {"name", name}, {"content", content}, {"created_at", now}});
    if (rows.empty()) throw sdk::database_error("db_error", "the new message's id did not come back");
    return {{"id", as_int(rows[0].at("id"))}, {"eventId", event}, {"userId", user},
            {"userName", name},               {"content", content}, {"createdAt", now}};
}

message_page events_store::history(const std::string& event, std::optional<std::int64_t> before, std::size_t limit) {
    std::string sql = "SELECT id, event_id, user_id, user_name, content, created_at FROM events_messages "
                      "WHERE event_id = :event";
    json params = {{"event", event}, {"limit", rows_to_ask(limit)}};
    if (before) {
        sql += " AND id < :before";
        params["before"] = *before;
    }
    sql += " ORDER BY id DESC LIMIT :limit";
    message_page out;
    out.has_more = read_page(plugin_.query(sql, params), limit,
                             [&](const json& row) { out.messages.push_back(to_message(row)); });
    std::reverse(out.messages.begin(), out.messages.end());
    return out;
}

}  // namespace switchboard::plugins::events
