#include "store.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <switchboard/columns.hpp>

namespace switchboard::plugins::notifications {

using namespace sdk::columns;

namespace {

json as_data(const json& text) {
    if (!text.is_string()) return json::object();
    json value = json::parse(text.get<std::string>(), nullptr, false);
    return value.is_object() ? value : json::object();
}

std::string text_of(const json& row, const char* column) {
    const auto found = row.find(column);
    return found != row.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

// What a notification and an announcement both are, as clients see them (each adds
// one field of its own: readAt, author); from a new one's input or from its row.
json shown(std::int64_t id, const notification_input& input, std::int64_t created_at) {
    return json{{"id", id},
                {"type", input.type},
                {"title", input.title},
                {"message", input.message},
                {"data", input.data},
                {"createdAt", created_at}};
}

json shown(const json& row) {
    return shown(as_int(row.value("id", json())),
                 {text_of(row, "type"), text_of(row, "title"), text_of(row, "message"), as_data(row.value("data", json()))},
                 as_int(row.value("created_at", json())));
}

json to_notification(const json& row) {
    json out = shown(row);
    const auto read_at = row.find("read_at");
    out["readAt"] = read_at == row.end() || read_at->is_null() ? json(nullptr) : json(as_int(*read_at));
    return out;
}

json to_announcement(const json& row) {
    json out = shown(row);
    out["author"] = text_of(row, "author_id");
    return out;
}

std::string data_text(const json& data) { return data.dump(-1, ' ', false, json::error_handler_t::replace); }

// " IN (:id0, :id1, ...)" with the values added to `params`. The names are ours;
// only the values come from the caller.
std::string in_list(const std::vector<std::int64_t>& ids, json& params) {
    std::string sql = " IN (";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string name = "id" + std::to_string(i);
        sql += (i ? ", :" : ":") + name;
        params[name] = ids[i];
    }
    return sql + ")";
}

constexpr std::int64_t no_cursor = std::numeric_limits<std::int64_t>::max();

}  // namespace

std::vector<json> store::add(const std::vector<std::string>& user_ids, const notification_input& input) {
    const std::int64_t created_at = unix_ms();
    const std::string data = data_text(input.data);
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        std::vector<json> out;
        for (const auto& user_id : user_ids) {
            const json rows = tx.query(
                "INSERT INTO notifications_items (user_id, type, title, message, data, created_at) "
                "VALUES (:user_id, :type, :title, :message, :data, :created_at) RETURNING id",
                {{"user_id", user_id},
                 {"type", input.type},
                 {"title", input.title},
                 {"message", input.message},
                 {"data", data},
                 {"created_at", created_at}});
            if (rows.empty()) throw sdk::database_error("db_error", "the insert returned no id");
            json item = shown(as_int(rows[0].value("id", json())), input, created_at);
            item["readAt"] = nullptr;
            out.push_back(std::move(item));
        }
        return out;
    });
}

std::int64_t store::unread_count(const std::string& user_id) {
    const json rows = plugin_.query(
        "SELECT count(*) AS unread FROM notifications_items WHERE user_id = :user_id AND read_at IS NULL",
        {{"user_id", user_id}});
    return rows.empty() ? 0 : as_int(rows[0].value("unread", json()));
}

std::vector<json> store::page(const std::string& user_id, const list_query& query, bool& more) {
    std::string sql =
        "SELECT id, type, title, message, data, created_at, read_at FROM notifications_items "
        "WHERE user_id = :user_id AND id < :before";
    if (query.unread_only) sql += " AND read_at IS NULL";
    sql += " ORDER BY id DESC LIMIT :limit";
    const json rows = plugin_.query(sql, {{"user_id", user_id},
                                          {"before", query.before.value_or(no_cursor)},
                                          {"limit", rows_to_ask(query.limit)}});
    std::vector<json> out;
    more = read_page(rows, query.limit, [&](const json& row) { out.push_back(to_notification(row)); });
    return out;
}

std::vector<std::int64_t> store::mark_read(const std::string& user_id, const std::vector<std::int64_t>& ids,
                                           std::int64_t read_at) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        json params{{"user_id", user_id}};
        const std::string ids_sql = in_list(ids, params);
        const json owned = tx.query("SELECT id, read_at FROM notifications_items WHERE user_id = :user_id AND id" +
                                        ids_sql,
                                    params);
        // Someone else's notification and one that does not exist look the same.
        if (owned.size() != ids.size()) throw sdk::error("not_found", "no such notification");
        std::vector<std::int64_t> newly_read;
        for (const auto& row : owned)
            if (row.value("read_at", json()).is_null()) newly_read.push_back(as_int(row.value("id", json())));
        if (newly_read.empty()) return newly_read;
        json update{{"user_id", user_id}, {"read_at", read_at}};
        const std::string update_ids = in_list(newly_read, update);
        tx.exec("UPDATE notifications_items SET read_at = :read_at WHERE user_id = :user_id AND read_at IS NULL "
                "AND id" + update_ids,
                update);
        std::sort(newly_read.begin(), newly_read.end());
        return newly_read;
    });
}

std::uint64_t store::mark_all_read(const std::string& user_id, std::optional<std::int64_t> up_to,
                                   std::int64_t read_at) {
    return plugin_.exec(
        "UPDATE notifications_items SET read_at = :read_at "
        "WHERE user_id = :user_id AND read_at IS NULL AND id <= :up_to",
        {{"user_id", user_id}, {"read_at", read_at}, {"up_to", up_to.value_or(no_cursor)}});
}

json store::add_announcement(const std::string& author, const notification_input& input) {
    const std::int64_t created_at = unix_ms();
    const json rows = plugin_.query(
        "INSERT INTO notifications_announcements (author_id, type, title, message, data, created_at) "
        "VALUES (:author_id, :type, :title, :message, :data, :created_at) RETURNING id",
        {{"author_id", author},
         {"type", input.type},
         {"title", input.title},
         {"message", input.message},
         {"data", data_text(input.data)},
         {"created_at", created_at}});
    if (rows.empty()) throw sdk::database_error("db_error", "the insert returned no id");
    json out = shown(as_int(rows[0].value("id", json())), input, created_at);
    out["author"] = author;
    return out;
}

std::vector<json> store::announcements(const list_query& query, bool& more) {
    const json rows = plugin_.query(
        "SELECT id, author_id, type, title, message, data, created_at FROM notifications_announcements "
        "WHERE id < :before ORDER BY id DESC LIMIT :limit",
        {{"before", query.before.value_or(no_cursor)}, {"limit", rows_to_ask(query.limit)}});
    std::vector<json> out;
    more = read_page(rows, query.limit, [&](const json& row) { out.push_back(to_announcement(row)); });
    return out;
}

}  // namespace switchboard::plugins::notifications
