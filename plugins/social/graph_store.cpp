#include "graph_store.hpp"

#include <algorithm>

#include <switchboard/columns.hpp>

namespace switchboard::plugins::social {

using namespace sdk::columns;

namespace {

// The pair's row in social_friends: the smaller id first.
json pair_of(const std::string& a, const std::string& b) {
    return {{"a", std::min(a, b)}, {"b", std::max(a, b)}};
}

// Statements never use one parameter name twice: drivers differ in how they bind
// repeated names.
constexpr const char* blocked_either_way =
    "SELECT 1 AS one FROM social_blocks WHERE (blocker_id = :a1 AND blocked_id = :b1) "
    "OR (blocker_id = :b2 AND blocked_id = :a2)";

json either_way(const std::string& a, const std::string& b) { return {{"a1", a}, {"b1", b}, {"a2", a}, {"b2", b}}; }

// Holds the pair's row (migrations/social/0003_pair_locks.sql) until the transaction
// ends: every relation change of one pair, made on any node, runs after the one
// before it committed, and reads what it wrote. First in its transaction: SQLite takes
// its write lock at the first write, and a PostgreSQL statement after the wait sees
// the other's commit.
void lock_pair(const sdk::transaction& tx, const std::string& a, const std::string& b, std::int64_t now) {
    json params = pair_of(a, b);
    params["now"] = now;
    tx.exec("INSERT INTO social_pair_locks (user_a, user_b, taken_at) VALUES (:a, :b, :now) "
            "ON CONFLICT (user_a, user_b) DO UPDATE SET taken_at = excluded.taken_at",
            params);
}

[[noreturn]] void refuse_blocked() {
    // The same words whoever blocked whom: the refusal does not say which.
    throw sdk::error("forbidden", "not possible with this user");
}

}  // namespace

user_page graph_store::page_of(const std::string& sql, json params, std::size_t limit) {
    params["limit"] = rows_to_ask(limit);
    user_page out;
    out.has_more = read_page(plugin_.query(sql, params), limit, [&](const json& row) {
        out.users.push_back({{"userId", as_string(row.at("user_id"))}, {"since", as_int(row.at("created_at"))}});
    });
    return out;
}

bool graph_store::is_private(const std::string& user) {
    const json rows = plugin_.query("SELECT is_private FROM social_accounts WHERE user_id = :user", {{"user", user}});
    return !rows.empty() && as_int(rows[0].at("is_private")) != 0;
}

void graph_store::set_private(const std::string& user, bool is_private, std::int64_t now) {
    plugin_.exec("INSERT INTO social_accounts (user_id, is_private, updated_at) VALUES (:user, :private, :now) "
                 "ON CONFLICT (user_id) DO UPDATE SET is_private = excluded.is_private, updated_at = excluded.updated_at",
                 {{"user", user}, {"private", is_private ? 1 : 0}, {"now", now}});
}

json graph_store::approve_all(const std::string& user) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        const json rows = tx.query("UPDATE social_follows SET status = 'active' WHERE followee_id = :user "
                                   "AND status = 'pending' RETURNING follower_id",
                                   {{"user", user}});
        json out = json::array();
        for (const auto& row : rows) out.push_back(as_string(row.at("follower_id")));
        return out;
    });
}

bool graph_store::has_blocked(const std::string& blocker, const std::string& blocked) {
    return !plugin_.query("SELECT 1 AS one FROM social_blocks WHERE blocker_id = :a AND blocked_id = :b",
                          {{"a", blocker}, {"b", blocked}})
                .empty();
}

bool graph_store::blocked_between(const std::string& a, const std::string& b) {
    return !plugin_.query(blocked_either_way, either_way(a, b)).empty();
}

block_outcome graph_store::block(const std::string& blocker, const std::string& blocked, std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        lock_pair(tx, blocker, blocked, now);
        block_outcome out;
        out.added = tx.exec("INSERT INTO social_blocks (blocker_id, blocked_id, created_at) VALUES (:a, :b, :now) "
                            "ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
                            {{"a", blocker}, {"b", blocked}, {"now", now}}) == 1;
        out.ended_follow = tx.exec("DELETE FROM social_follows WHERE follower_id = :a AND followee_id = :b",
                                   {{"a", blocker}, {"b", blocked}}) > 0;
        tx.exec("DELETE FROM social_follows WHERE follower_id = :b AND followee_id = :a", {{"a", blocker}, {"b", blocked}});
        tx.exec("DELETE FROM social_friend_requests WHERE (from_id = :a1 AND to_id = :b1) OR (from_id = :b2 AND to_id = :a2)",
                either_way(blocker, blocked));
        out.ended_friendship = tx.exec("DELETE FROM social_friends WHERE user_a = :a AND user_b = :b",
                                       pair_of(blocker, blocked)) > 0;
        return out;
    });
}

bool graph_store::unblock(const std::string& blocker, const std::string& blocked) {
    return plugin_.exec("DELETE FROM social_blocks WHERE blocker_id = :a AND blocked_id = :b",
                        {{"a", blocker}, {"b", blocked}}) > 0;
}

user_page graph_store::blocks(const std::string& blocker, const std::optional<std::string>& after, std::size_t limit) {
    return page_of("SELECT blocked_id AS user_id, created_at FROM social_blocks WHERE blocker_id = :user "
                   "AND blocked_id > :after ORDER BY blocked_id LIMIT :limit",
                   {{"user", blocker}, {"after", after.value_or("")}}, limit);
}

std::optional<std::string> graph_store::follow_status(const std::string& follower, const std::string& followee) {
    const json rows = plugin_.query("SELECT status FROM social_follows WHERE follower_id = :a AND followee_id = :b",
                                    {{"a", follower}, {"b", followee}});
    if (rows.empty()) return std::nullopt;
    return as_string(rows[0].at("status"));
}

std::string graph_store::follow(const std::string& follower, const std::string& followee, std::int64_t now,
                                bool& created) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        lock_pair(tx, follower, followee, now);
        // The privacy is read in the insert itself: an account made private meanwhile
        // gets a request, never a follow it did not approve.
        created = tx.exec("INSERT INTO social_follows (follower_id, followee_id, status, created_at) "
                          "VALUES (:a, :b, CASE WHEN EXISTS (SELECT 1 FROM social_accounts WHERE user_id = :owner "
                          "AND is_private = 1) THEN 'pending' ELSE 'active' END, :now) "
                          "ON CONFLICT (follower_id, followee_id) DO NOTHING",
                          {{"a", follower}, {"b", followee}, {"owner", followee}, {"now", now}}) == 1;
        if (!tx.query(blocked_either_way, either_way(follower, followee)).empty()) refuse_blocked();
        const json rows = tx.query("SELECT status FROM social_follows WHERE follower_id = :a AND followee_id = :b",
                                   {{"a", follower}, {"b", followee}});
        if (rows.empty()) throw sdk::database_error("db_error", "the follow vanished");
        return as_string(rows[0].at("status"));
    });
}

bool graph_store::unfollow(const std::string& follower, const std::string& followee) {
    return plugin_.exec("DELETE FROM social_follows WHERE follower_id = :a AND followee_id = :b",
                        {{"a", follower}, {"b", followee}}) > 0;
}

bool graph_store::approve(const std::string& owner, const std::string& follower) {
    return plugin_.exec("UPDATE social_follows SET status = 'active' WHERE follower_id = :a AND followee_id = :b "
                        "AND status = 'pending'",
                        {{"a", follower}, {"b", owner}}) == 1;
}

bool graph_store::decline(const std::string& owner, const std::string& follower) {
    return plugin_.exec("DELETE FROM social_follows WHERE follower_id = :a AND followee_id = :b AND status = 'pending'",
                        {{"a", follower}, {"b", owner}}) == 1;
}

user_page graph_store::followers(const std::string& user, const std::optional<std::string>& after, std::size_t limit) {
    return page_of("SELECT follower_id AS user_id, created_at FROM social_follows WHERE followee_id = :user "
                   "AND status = 'active' AND follower_id > :after ORDER BY follower_id LIMIT :limit",
                   {{"user", user}, {"after", after.value_or("")}}, limit);
}

user_page graph_store::following(const std::string& user, const std::optional<std::string>& after, std::size_t limit) {
    return page_of("SELECT followee_id AS user_id, created_at FROM social_follows WHERE follower_id = :user "
                   "AND status = 'active' AND followee_id > :after ORDER BY followee_id LIMIT :limit",
                   {{"user", user}, {"after", after.value_or("")}}, limit);
}

user_page graph_store::follow_requests(const std::string& user, const std::optional<std::string>& after,
                                       std::size_t limit) {
    return page_of("SELECT follower_id AS user_id, created_at FROM social_follows WHERE followee_id = :user "
                   "AND status = 'pending' AND follower_id > :after ORDER BY follower_id LIMIT :limit",
                   {{"user", user}, {"after", after.value_or("")}}, limit);
}

graph_counts graph_store::counts(const std::string& user) {
    const json rows = plugin_.query(
        "SELECT (SELECT COUNT(*) FROM social_follows WHERE followee_id = :u1 AND status = 'active') AS followers, "
        "(SELECT COUNT(*) FROM social_follows WHERE follower_id = :u2 AND status = 'active') AS following, "
        "(SELECT COUNT(*) FROM social_friends WHERE user_a = :u3 OR user_b = :u4) AS friends",
        {{"u1", user}, {"u2", user}, {"u3", user}, {"u4", user}});
    graph_counts out;
    if (rows.empty()) return out;
    out.followers = as_int(rows[0].at("followers"));
    out.following = as_int(rows[0].at("following"));
    out.friends = as_int(rows[0].at("friends"));
    return out;
}

friend_outcome graph_store::request_friend(const std::string& from, const std::string& to, std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        lock_pair(tx, from, to, now);
        // Their request to us, taken (deleted): if there was one, this is a yes.
        const bool theirs = tx.exec("DELETE FROM social_friend_requests WHERE from_id = :a AND to_id = :b",
                                    {{"a", to}, {"b", from}}) == 1;
        if (!tx.query(blocked_either_way, either_way(from, to)).empty()) refuse_blocked();
        json pair = pair_of(from, to);
        pair["now"] = now;
        if (theirs) {
            tx.exec("INSERT INTO social_friends (user_a, user_b, created_at) VALUES (:a, :b, :now) "
                    "ON CONFLICT (user_a, user_b) DO NOTHING",
                    pair);
            return friend_outcome::accepted;
        }
        if (!tx.query("SELECT 1 AS one FROM social_friends WHERE user_a = :a AND user_b = :b", pair_of(from, to)).empty())
            return friend_outcome::already_friends;
        const bool sent = tx.exec("INSERT INTO social_friend_requests (from_id, to_id, created_at) VALUES (:a, :b, :now) "
                                  "ON CONFLICT (from_id, to_id) DO NOTHING",
                                  {{"a", from}, {"b", to}, {"now", now}}) == 1;
        return sent ? friend_outcome::sent : friend_outcome::already_sent;
    });
}

bool graph_store::accept_friend(const std::string& owner, const std::string& from, std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        lock_pair(tx, owner, from, now);
        if (tx.exec("DELETE FROM social_friend_requests WHERE from_id = :a AND to_id = :b", {{"a", from}, {"b", owner}}) != 1)
            return false;
        json pair = pair_of(owner, from);
        pair["now"] = now;
        tx.exec("INSERT INTO social_friends (user_a, user_b, created_at) VALUES (:a, :b, :now) "
                "ON CONFLICT (user_a, user_b) DO NOTHING",
                pair);
        return true;
    });
}

bool graph_store::drop_request(const std::string& from, const std::string& to) {
    return plugin_.exec("DELETE FROM social_friend_requests WHERE from_id = :a AND to_id = :b", {{"a", from}, {"b", to}}) ==
           1;
}

bool graph_store::unfriend(const std::string& a, const std::string& b) {
    return plugin_.exec("DELETE FROM social_friends WHERE user_a = :a AND user_b = :b", pair_of(a, b)) > 0;
}

bool graph_store::are_friends(const std::string& a, const std::string& b) {
    return !plugin_.query("SELECT 1 AS one FROM social_friends WHERE user_a = :a AND user_b = :b", pair_of(a, b)).empty();
}

user_page graph_store::friends(const std::string& user, const std::optional<std::string>& after, std::size_t limit) {
    return page_of("SELECT user_id, created_at FROM ("
                   "SELECT user_b AS user_id, created_at FROM social_friends WHERE user_a = :u1 "
                   "UNION ALL SELECT user_a AS user_id, created_at FROM social_friends WHERE user_b = :u2"
                   ") AS f WHERE user_id > :after ORDER BY user_id LIMIT :limit",
                   {{"u1", user}, {"u2", user}, {"after", after.value_or("")}}, limit);
}

json graph_store::friend_requests(const std::string& user) {
    const auto list = [&](const char* sql) {
        json out = json::array();
        for (const auto& row : plugin_.query(sql, {{"user", user}}))
            out.push_back({{"userId", as_string(row.at("user_id"))}, {"since", as_int(row.at("created_at"))}});
        return out;
    };
    return {{"received", list("SELECT from_id AS user_id, created_at FROM social_friend_requests WHERE to_id = :user "
                              "ORDER BY created_at, from_id LIMIT 500")},
            {"sent", list("SELECT to_id AS user_id, created_at FROM social_friend_requests WHERE from_id = :user "
                          "ORDER BY created_at, to_id LIMIT 500")}};
}

}  // namespace switchboard::plugins::social
