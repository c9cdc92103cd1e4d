#include "store.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace switchboard::plugins::chat {

namespace {

// Statements never use one parameter name twice: drivers differ in how they bind
// repeated names.
constexpr const char* room_columns = "id, kind, name, owner, direct_key, created_at";
constexpr const char* message_columns = "id, room_id, user_id, text, created_at, edited_at, deleted_at";

room_row to_room(const json& row) {
    room_row out;
    out.id = as_int(row.at("id"));
    out.kind = as_string(row.at("kind"));
    if (row.at("name").is_string()) out.name = row.at("name").get<std::string>();
    out.owner = as_string(row.at("owner"));
    if (row.at("direct_key").is_string()) {
        const json pair = json::parse(row.at("direct_key").get<std::string>(), nullptr, false);
        if (pair.is_array())
            for (const auto& user : pair)
                if (user.is_string()) out.users.push_back(user.get<std::string>());
    }
    out.created_at = as_int(row.at("created_at"));
    return out;
}

message_row to_message(const json& row) {
    message_row out;
    out.id = as_int(row.at("id"));
    out.room = as_int(row.at("room_id"));
    out.user = as_string(row.at("user_id"));
    out.text = as_string(row.at("text"));
    out.created_at = as_int(row.at("created_at"));
    out.edited_at = optional_int(row.at("edited_at"));
    out.deleted_at = optional_int(row.at("deleted_at"));
    return out;
}

std::string select_room_by(const char* condition) {
    return std::string("SELECT ") + room_columns + " FROM chat_rooms WHERE " + condition;
}

}  // namespace

json room_row::to_json() const {
    json out = {{"id", id}, {"kind", kind}, {"name", name ? json(*name) : json(nullptr)}, {"owner", owner},
                {"createdAt", created_at}};
    if (kind == "direct") out["users"] = users;
    return out;
}

json message_row::to_json() const {
    return {{"id", id},
            {"room", room},
            {"user", user},
            {"text", text},
            {"createdAt", created_at},
            {"editedAt", edited_at ? json(*edited_at) : json(nullptr)}};
}

std::optional<room_row> chat_store::room(std::int64_t id) {
    const json rows = plugin_.query(select_room_by("id = :id"), {{"id", id}});
    if (rows.empty()) return std::nullopt;
    return to_room(rows[0]);
}

room_row chat_store::create_room(bool is_private, const std::string& name, const std::string& owner,
                                 const std::vector<std::string>& members, std::int64_t now) {
    const std::int64_t id = plugin_.in_transaction([&](const sdk::transaction& tx) {
        const json inserted = tx.query(
            "INSERT INTO chat_rooms (kind, name, owner, created_at) VALUES (:kind, :name, :owner, :created_at) "
            "RETURNING id",
            {{"kind", is_private ? "private" : "public"}, {"name", name}, {"owner", owner}, {"created_at", now}});
        if (inserted.empty()) throw sdk::database_error("db_error", "the new room's id did not come back");
        const std::int64_t room = as_int(inserted[0].at("id"));
        const char* insert_member =
            "INSERT INTO chat_members (room_id, user_id, role, joined_at) VALUES (:room, :user, :role, :joined_at)";
        tx.exec(insert_member, {{"room", room}, {"user", owner}, {"role", "owner"}, {"joined_at", now}});
        for (const auto& member : members)
            if (member != owner)
                tx.exec(insert_member, {{"room", room}, {"user", member}, {"role", "member"}, {"joined_at", now}});
        return room;
    });
    room_row out;
    out.id = id;
    out.kind = is_private ? "private" : "public";
    out.name = name;
    out.owner = owner;
    out.created_at = now;
    return out;
}

room_row chat_store::direct_room(const std::string& user, const std::string& peer, std::int64_t now, bool& created,
                                 const char* peer_state) {
    const std::string key = json::array({std::min(user, peer), std::max(user, peer)}).dump();
    const json rows = plugin_.in_transaction([&](const sdk::transaction& tx) {
        // ON CONFLICT DO NOTHING: two first calls for a pair, on two devices at once,
        // end with one room and no error.
        created = tx.exec("INSERT INTO chat_rooms (kind, name, owner, direct_key, created_at) "
                          "VALUES ('direct', NULL, :owner, :direct_key, :created_at) "
                          "ON CONFLICT (direct_key) DO NOTHING",
                          {{"owner", user}, {"direct_key", key}, {"created_at", now}}) == 1;
        json found = tx.query(select_room_by("direct_key = :direct_key"), {{"direct_key", key}});
        if (found.empty()) throw sdk::database_error("db_error", "the direct room vanished");
        const std::int64_t room = as_int(found[0].at("id"));
        for (const auto& member : {user, peer})
            tx.exec("INSERT INTO chat_members (room_id, user_id, role, joined_at, state) "
                    "VALUES (:room, :user, 'member', :joined_at, :state) ON CONFLICT (room_id, user_id) DO NOTHING",
                    {{"room", room},
                     {"user", member},
                     {"joined_at", now},
                     {"state", created && member == peer ? peer_state : state_active}});
        return found;
    });
    return to_room(rows[0]);
}

std::optional<std::string> chat_store::role_of(std::int64_t room, const std::string& user) {
    const json rows = plugin_.query("SELECT role FROM chat_members WHERE room_id = :room AND user_id = :user",
                                    {{"room", room}, {"user", user}});
    if (rows.empty()) return std::nullopt;
    return as_string(rows[0].at("role"));
}

bool chat_store::add_member(std::int64_t room, const std::string& user, const std::string& role, std::int64_t now) {
    return plugin_.exec("INSERT INTO chat_members (room_id, user_id, role, joined_at) "
                        "VALUES (:room, :user, :role, :joined_at) ON CONFLICT (room_id, user_id) DO NOTHING",
                        {{"room", room}, {"user", user}, {"role", role}, {"joined_at", now}}) == 1;
}

bool chat_store::remove_member(std::int64_t room, const std::string& user) {
    return plugin_.exec("DELETE FROM chat_members WHERE room_id = :room AND user_id = :user",
                        {{"room", room}, {"user", user}}) > 0;
}

json chat_store::members(std::int64_t room) {
    json out = json::array();
    for (const auto& row :
         plugin_.query("SELECT user_id, role, joined_at FROM chat_members WHERE room_id = :room "
                       "ORDER BY joined_at, user_id LIMIT 1000",
                       {{"room", room}}))
        out.push_back({{"user", as_string(row.at("user_id"))},
                       {"role", as_string(row.at("role"))},
                       {"joinedAt", as_int(row.at("joined_at"))}});
    return out;
}

json chat_store::rooms_of(const std::string& user) {
    json out = json::array();
    const json rows = plugin_.query(
        "SELECT r.id, r.kind, r.name, r.owner, r.direct_key, r.created_at, m.role FROM chat_rooms r "
        "LEFT JOIN chat_members m ON m.room_id = r.id AND m.user_id = :user "
        "WHERE (r.kind = 'public' AND m.user_id IS NULL) OR m.state = 'active' ORDER BY r.id LIMIT 500",
        {{"user", user}});
    for (const auto& row : rows) {
        json room = to_room(row).to_json();
        room["role"] = row.at("role").is_string() ? row.at("role") : json(nullptr);
        out.push_back(std::move(room));
    }
    return out;
}

std::optional<std::string> chat_store::state_of(std::int64_t room, const std::string& user) {
    const json rows = plugin_.query("SELECT state FROM chat_members WHERE room_id = :room AND user_id = :user",
                                    {{"room", room}, {"user", user}});
    if (rows.empty()) return std::nullopt;
    return as_string(rows[0].at("state"));
}

bool chat_store::activate(std::int64_t room, const std::string& user) {
    return plugin_.exec("UPDATE chat_members SET state = 'active' "
                        "WHERE room_id = :room AND user_id = :user AND state <> 'active'",
                        {{"room", room}, {"user", user}}) == 1;
}

bool chat_store::decline(std::int64_t room, const std::string& user) {
    return plugin_.exec("UPDATE chat_members SET state = 'declined' "
                        "WHERE room_id = :room AND user_id = :user AND state = 'request'",
                        {{"room", room}, {"user", user}}) == 1;
}

request_page chat_store::requests(const std::string& user, std::optional<std::int64_t> before, std::size_t limit) {
    const json rows = plugin_.query(
        "SELECT r.id, r.kind, r.name, r.owner, r.direct_key, r.created_at, "
        "(SELECT MAX(x.id) FROM chat_messages x WHERE x.room_id = r.id AND x.deleted_at IS NULL) AS latest "
        "FROM chat_members m JOIN chat_rooms r ON r.id = m.room_id "
        "WHERE m.user_id = :user AND m.state = 'request' AND r.id < :before "
        "AND EXISTS (SELECT 1 FROM chat_messages y WHERE y.room_id = r.id AND y.deleted_at IS NULL) "
        "ORDER BY r.id DESC LIMIT :limit",
        {{"user", user},
         {"before", before.value_or(std::numeric_limits<std::int64_t>::max())},
         {"limit", rows_to_ask(limit)}});
    request_page out;
    out.has_more = read_page(rows, limit, [&](const json& row) {
        const room_row room = to_room(row);
        const auto latest = message(as_int(row.at("latest")));
        if (!latest) return;   // deleted between the two reads
        std::string from;
        for (const auto& member : room.users)
            if (member != user) from = member;
        json item_message = latest->to_json();
        item_message["reactions"] = reaction_counts(latest->id);
        out.requests.push_back({{"room", room.to_json()}, {"from", from}, {"message", std::move(item_message)}});
    });
    return out;
}

message_row chat_store::add_message(std::int64_t room, const std::string& user, const std::string& text,
                                    std::int64_t now) {
    const json rows = plugin_.query(
        "INSERT INTO chat_messages (room_id, user_id, text, created_at) VALUES (:room, :user, :text, :created_at) "
        "RETURNING id",
        {{"room", room}, {"user", user}, {"text", text}, {"created_at", now}});
    if (rows.empty()) throw sdk::database_error("db_error", "the new message's id did not come back");
    message_row out;
    out.id = as_int(rows[0].at("id"));
    out.room = room;
    out.user = user;
    out.text = text;
    out.created_at = now;
    return out;
}

message_page chat_store::page(std::int64_t room, std::optional<std::int64_t> before, std::size_t limit) {
    const json found = plugin_.query("SELECT " + std::string(message_columns) +
                                  " FROM chat_messages WHERE room_id = :room AND id < :before AND deleted_at IS NULL "
                                  "ORDER BY id DESC LIMIT :limit",
                              {{"room", room},
                               {"before", before.value_or(std::numeric_limits<std::int64_t>::max())},
                               {"limit", rows_to_ask(limit)}});
    message_page out;
    json rows = json::array();
    out.has_more = read_page(found, limit, [&](const json& row) { rows.push_back(row); });
    if (rows.empty()) return out;
    std::reverse(rows.begin(), rows.end());

    std::map<std::int64_t, json> reactions;
    for (const auto& row : plugin_.query(
             "SELECT r.message_id, r.emoji, COUNT(*) AS n FROM chat_reactions r "
             "JOIN chat_messages m ON m.id = r.message_id "
             "WHERE m.room_id = :room AND r.message_id >= :low AND r.message_id <= :high "
             "GROUP BY r.message_id, r.emoji",
             {{"room", room}, {"low", as_int(rows.front().at("id"))}, {"high", as_int(rows.back().at("id"))}})) {
        auto& counts = reactions[as_int(row.at("message_id"))];
        if (counts.is_null()) counts = json::object();
        counts[as_string(row.at("emoji"))] = as_int(row.at("n"));
    }
    for (const auto& row : rows) {
        json message = to_message(row).to_json();
        const auto found = reactions.find(message["id"].get<std::int64_t>());
        message["reactions"] = found == reactions.end() ? json::object() : found->second;
        out.messages.push_back(std::move(message));
    }
    return out;
}

std::optional<message_row> chat_store::message(std::int64_t id) {
    const json rows =
        plugin_.query("SELECT " + std::string(message_columns) + " FROM chat_messages WHERE id = :id", {{"id", id}});
    if (rows.empty()) return std::nullopt;
    return to_message(rows[0]);
}

bool chat_store::edit(std::int64_t id, const std::string& user, const std::string& text, std::int64_t now,
                      std::int64_t not_before) {
    return plugin_.exec("UPDATE chat_messages SET text = :text, edited_at = :edited_at "
                        "WHERE id = :id AND user_id = :user AND deleted_at IS NULL AND created_at >= :not_before",
                        {{"text", text}, {"edited_at", now}, {"id", id}, {"user", user}, {"not_before", not_before}}) ==
           1;
}

bool chat_store::erase(std::int64_t id, const std::string& user, std::int64_t now, std::int64_t not_before) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        // The row stays (ids, read marks and pages keep their meaning); its text goes.
        const bool erased =
            tx.exec("UPDATE chat_messages SET text = '', deleted_at = :deleted_at "
                    "WHERE id = :id AND user_id = :user AND deleted_at IS NULL AND created_at >= :not_before",
                    {{"deleted_at", now}, {"id", id}, {"user", user}, {"not_before", not_before}}) == 1;
        if (erased) tx.exec("DELETE FROM chat_reactions WHERE message_id = :id", {{"id", id}});
        return erased;
    });
}

bool chat_store::toggle_reaction(std::int64_t message, const std::string& user, const std::string& emoji,
                                 std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        if (tx.exec("DELETE FROM chat_reactions WHERE message_id = :message AND user_id = :user AND emoji = :emoji",
                    {{"message", message}, {"user", user}, {"emoji", emoji}}) > 0)
            return false;
        const json mine = tx.query("SELECT COUNT(*) AS n FROM chat_reactions WHERE message_id = :message AND user_id = :user",
                                   {{"message", message}, {"user", user}});
        if (!mine.empty() && as_int(mine[0].at("n")) >= static_cast<std::int64_t>(max_reactions_per_user))
            throw sdk::error("too_many_reactions", "at most " + std::to_string(max_reactions_per_user) +
                                                       " reactions per user on one message");
        tx.exec("INSERT INTO chat_reactions (message_id, user_id, emoji, created_at) "
                "VALUES (:message, :user, :emoji, :created_at) ON CONFLICT (message_id, user_id, emoji) DO NOTHING",
                {{"message", message}, {"user", user}, {"emoji", emoji}, {"created_at", now}});
        return true;
    });
}

json chat_store::reaction_counts(std::int64_t message) {
    json out = json::object();
    for (const auto& row : plugin_.query(
             "SELECT emoji, COUNT(*) AS n FROM chat_reactions WHERE message_id = :message GROUP BY emoji",
             {{"message", message}}))
        out[as_string(row.at("emoji"))] = as_int(row.at("n"));
    return out;
}

std::pair<json, bool> chat_store::mark_read(std::int64_t room, const std::string& user, std::int64_t message,
                                            std::int64_t now) {
    const bool moved =
        plugin_.exec("INSERT INTO chat_reads (room_id, user_id, message_id, read_at) "
                     "VALUES (:room, :user, :message, :read_at) "
                     "ON CONFLICT (room_id, user_id) DO UPDATE SET message_id = excluded.message_id, "
                     "read_at = excluded.read_at WHERE chat_reads.message_id < excluded.message_id",
                     {{"room", room}, {"user", user}, {"message", message}, {"read_at", now}}) == 1;
    const json rows = plugin_.query("SELECT message_id, read_at FROM chat_reads WHERE room_id = :room AND user_id = :user",
                                    {{"room", room}, {"user", user}});
    if (rows.empty()) throw sdk::database_error("db_error", "the read mark vanished");
    return {json{{"message", as_int(rows[0].at("message_id"))}, {"readAt", as_int(rows[0].at("read_at"))}}, moved};
}

json chat_store::reads(std::int64_t room) {
    json out = json::array();
    for (const auto& row : plugin_.query(
             "SELECT user_id, message_id, read_at FROM chat_reads WHERE room_id = :room ORDER BY user_id LIMIT 1000",
             {{"room", room}}))
        out.push_back({{"user", as_string(row.at("user_id"))},
                       {"message", as_int(row.at("message_id"))},
                       {"readAt", as_int(row.at("read_at"))}});
    return out;
}

}  // namespace switchboard::plugins::chat
