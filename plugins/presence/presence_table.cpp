#include "presence_table.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace switchboard::plugins::presence {

namespace {

using json = sdk::json;

// Plenty under SQLite's and PostgreSQL's bound-parameter limits.
constexpr std::size_t ids_per_query = 500;

// A BIGINT column: a number, or its text (SQLite may hand back either).
std::optional<std::int64_t> as_int64(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        std::int64_t out = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (error == std::errc() && end == text.data() + text.size()) return out;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> presence_table::saved_status(const std::string& user_id) {
    const json rows =
        plugin_.query("SELECT status FROM presence_users WHERE user_id = :user_id", json{{"user_id", user_id}});
    if (rows.empty() || !rows[0]["status"].is_string()) return std::nullopt;
    auto status = rows[0]["status"].get<std::string>();
    // Only what presence:set accepts goes back out to subscribers.
    if (status != "online" && status != "away" && status != "busy") return std::nullopt;
    return status;
}

void presence_table::save(const std::string& user_id, std::string_view status, std::int64_t seen_at) {
    // ON CONFLICT ... DO UPDATE: PostgreSQL 9.5+, SQLite 3.24+.
    plugin_.exec(
        "INSERT INTO presence_users (user_id, status, last_seen) VALUES (:user_id, :status, :last_seen) "
        "ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, last_seen = excluded.last_seen",
        json{{"user_id", user_id}, {"status", status}, {"last_seen", seen_at}});
}

void presence_table::touch(const std::string& user_id, std::int64_t seen_at) {
    plugin_.exec(
        "INSERT INTO presence_users (user_id, status, last_seen) VALUES (:user_id, 'online', :last_seen) "
        "ON CONFLICT (user_id) DO UPDATE SET last_seen = excluded.last_seen",
        json{{"user_id", user_id}, {"last_seen", seen_at}});
}

std::map<std::string, std::int64_t> presence_table::last_seen(const std::vector<std::string>& user_ids) {
    std::map<std::string, std::int64_t> out;
    for (std::size_t first = 0; first < user_ids.size(); first += ids_per_query) {
        const std::size_t last = std::min(user_ids.size(), first + ids_per_query);
        // Only parameter names are built into the text; the ids are bound.
        std::string sql = "SELECT user_id, last_seen FROM presence_users WHERE user_id IN (";
        json params = json::object();
        for (std::size_t i = first; i < last; ++i) {
            const std::string name = "u" + std::to_string(i - first);
            sql += (i == first ? ":" : ", :") + name;
            params[name] = user_ids[i];
        }
        sql += ")";
        for (const auto& row : plugin_.query(sql, params)) {
            const auto id = row.find("user_id");
            const auto seen = as_int64(row.value("last_seen", json()));
            if (id != row.end() && id->is_string() && seen) out[id->get<std::string>()] = *seen;
        }
    }
    return out;
}

}  // namespace switchboard::plugins::presence
