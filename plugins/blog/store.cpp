#include "store.hpp"

#include <algorithm>

namespace switchboard::plugins::blog {

namespace {

// Statements never use one parameter name twice: drivers differ in how they bind
// repeated names.
constexpr const char* post_columns =
    "id, author_id, title, body, like_count, comment_count, view_count, created_at, edited_at";
constexpr const char* comment_columns = "id, post_id, parent_id, author_id, body, created_at, edited_at";

post_row to_post(const json& row) {
    post_row out;
    out.id = as_int(row.at("id"));
    out.author = as_string(row.at("author_id"));
    out.title = as_string(row.at("title"));
    out.body = as_string(row.at("body"));
    out.likes = as_int(row.at("like_count"));
    out.comments = as_int(row.at("comment_count"));
    out.views = as_int(row.at("view_count"));
    out.created_at = as_int(row.at("created_at"));
    out.edited_at = optional_int(row.at("edited_at"));
    return out;
}

comment_row to_comment(const json& row) {
    comment_row out;
    out.id = as_int(row.at("id"));
    out.post = as_int(row.at("post_id"));
    out.parent = optional_int(row.at("parent_id"));
    out.author = as_string(row.at("author_id"));
    out.body = as_string(row.at("body"));
    out.created_at = as_int(row.at("created_at"));
    out.edited_at = optional_int(row.at("edited_at"));
    return out;
}

// The condition that hides rows whose author (`column`) and the viewer blocked one
// another; nothing when there is no viewer.
std::string unblocked(const char* column, const std::string& viewer, json& params) {
    if (viewer.empty()) return {};
    params["viewer1"] = viewer;
    params["viewer2"] = viewer;
    return std::string(" AND NOT EXISTS (SELECT 1 FROM blog_blocks b WHERE (b.blocker_id = :viewer1 AND b.blocked_id = ") +
           column + ") OR (b.blocker_id = " + column + " AND b.blocked_id = :viewer2))";
}

json nullable(const std::optional<std::int64_t>& value) { return value ? json(*value) : json(nullptr); }

}  // namespace

json post_row::to_json() const {
    return {{"id", id},           {"author", author},     {"title", title},
            {"body", body},       {"likes", likes},       {"comments", comments},
            {"views", views},     {"createdAt", created_at}, {"editedAt", nullable(edited_at)}};
}

json comment_row::to_json() const {
    return {{"id", id},     {"postId", post},       {"parentId", nullable(parent)}, {"author", author},
            {"body", body}, {"createdAt", created_at}, {"editedAt", nullable(edited_at)}};
}

post_row blog_store::create_post(const std::string& author, const std::string& title, const std::string& body,
                                 std::int64_t now) {
    const json rows = plugin_.query(
        "INSERT INTO blog_posts (author_id, title, body, created_at) VALUES (:author, :title, :body, :created_at) "
        "RETURNING id",
        {{"author", author}, {"title", title}, {"body", body}, {"created_at", now}});
    if (rows.empty()) throw sdk::database_error("db_error", "the new post's id did not come back");
    post_row out;
    out.id = as_int(rows[0].at("id"));
    out.author = author;
    out.title = title;
    out.body = body;
    out.created_at = now;
    return out;
}

std::optional<post_row> blog_store::post(std::int64_t id, const std::string& viewer) {
    json params = {{"id", id}};
    const std::string hidden = unblocked("blog_posts.author_id", viewer, params);
    const json rows = plugin_.query(std::string("SELECT ") + post_columns +
                                        " FROM blog_posts WHERE id = :id AND deleted_at IS NULL" + hidden,
                                    params);
    if (rows.empty()) return std::nullopt;
    return to_post(rows[0]);
}

bool blog_store::edit_post(std::int64_t id, const std::string& author, const std::optional<std::string>& title,
                           const std::optional<std::string>& body, std::int64_t now, std::int64_t not_before) {
    // COALESCE keeps what the edit did not name, in the same statement as the checks.
    json params = {{"id", id},       {"author", author},   {"edited_at", now},
                   {"not_before", not_before}, {"title", title ? json(*title) : json(nullptr)},
                   {"body", body ? json(*body) : json(nullptr)}};
    return plugin_.exec("UPDATE blog_posts SET title = COALESCE(:title, title), body = COALESCE(:body, body), "
                        "edited_at = :edited_at WHERE id = :id AND author_id = :author AND deleted_at IS NULL "
                        "AND created_at >= :not_before",
                        params) == 1;
}

bool blog_store::delete_post(std::int64_t id, const std::string& author, std::int64_t now) {
    return plugin_.exec("UPDATE blog_posts SET deleted_at = :deleted_at "
                        "WHERE id = :id AND author_id = :author AND deleted_at IS NULL",
                        {{"id", id}, {"author", author}, {"deleted_at", now}}) == 1;
}

page blog_store::posts(std::optional<std::int64_t> before, const std::optional<std::string>& author,
                       std::size_t limit, const std::string& viewer) {
    json params = {{"limit", rows_to_ask(limit)}};
    std::string sql = std::string("SELECT ") + post_columns + " FROM blog_posts WHERE deleted_at IS NULL" +
                      unblocked("blog_posts.author_id", viewer, params);
    if (before) {
        sql += " AND id < :before";
        params["before"] = *before;
    }
    if (author) {
        sql += " AND author_id = :author";
        params["author"] = *author;
    }
    sql += " ORDER BY id DESC LIMIT :limit";
    page out;
    out.has_more = read_page(plugin_.query(sql, params), limit,
                             [&](const json& row) { out.items.push_back(to_post(row).to_json()); });
    return out;
}

bool blog_store::liked(std::int64_t post, const std::string& user) {
    return !plugin_.query("SELECT 1 AS one FROM blog_likes WHERE post_id = :post AND user_id = :user",
                          {{"post", post}, {"user", user}})
                .empty();
}

like_result blog_store::set_like(std::int64_t post, const std::string& user, std::optional<bool> want,
                                 std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        like_result out;
        // Writes first: SQLite takes its write lock at the first write and waits for it
        // (busy_timeout); a transaction that read first could fail to upgrade instead.
        const json key = {{"post", post}, {"user", user}};
        const auto remove = [&] { return tx.exec("DELETE FROM blog_likes WHERE post_id = :post AND user_id = :user", key) == 1; };
        const auto add = [&] {
            return tx.exec("INSERT INTO blog_likes (post_id, user_id, created_at) VALUES (:post, :user, :created_at) "
                           "ON CONFLICT (post_id, user_id) DO NOTHING",
                           {{"post", post}, {"user", user}, {"created_at", now}}) == 1;
        };
        if (!want) {
            if (remove()) {
                out.changed = true;
                out.liked = false;
            } else {
                // Absent: like it. A racing device of the same user may have liked it
                // meanwhile: then it is liked, and this call changed nothing.
                out.changed = add();
                out.liked = true;
            }
        } else if (*want) {
            out.changed = add();
            out.liked = true;
        } else {
            out.changed = remove();
            out.liked = false;
        }
        // The post row's lock, taken here until commit, orders concurrent likers: the
        // count read back is the one this transaction commits.
        // The version numbers the changes in that order, for nodes that hear of them late.
        if (out.changed)
            tx.exec(out.liked ? "UPDATE blog_posts SET like_count = like_count + 1, like_version = like_version + 1 "
                                "WHERE id = :id"
                              : "UPDATE blog_posts SET like_count = like_count - 1, like_version = like_version + 1 "
                                "WHERE id = :id",
                    {{"id", post}});
        const json rows = tx.query("SELECT like_count, like_version FROM blog_posts WHERE id = :id", {{"id", post}});
        if (rows.empty()) throw sdk::error("not_found", "no post " + std::to_string(post));
        out.likes = as_int(rows[0].at("like_count"));
        out.version = as_int(rows[0].at("like_version"));
        return out;
    });
}

std::int64_t blog_store::view(std::int64_t post, const std::string& user, std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        const bool first = tx.exec("INSERT INTO blog_views (post_id, user_id, created_at) "
                                   "VALUES (:post, :user, :created_at) ON CONFLICT (post_id, user_id) DO NOTHING",
                                   {{"post", post}, {"user", user}, {"created_at", now}}) == 1;
        if (first) tx.exec("UPDATE blog_posts SET view_count = view_count + 1 WHERE id = :id", {{"id", post}});
        const json rows = tx.query("SELECT view_count FROM blog_posts WHERE id = :id", {{"id", post}});
        if (rows.empty()) throw sdk::error("not_found", "no post " + std::to_string(post));
        return as_int(rows[0].at("view_count"));
    });
}

comment_row blog_store::add_comment(std::int64_t post, std::optional<std::int64_t> parent, const std::string& author,
                                    const std::string& body, std::int64_t now) {
    const std::int64_t id = plugin_.in_transaction([&](const sdk::transaction& tx) {
        const json rows = tx.query(
            "INSERT INTO blog_comments (post_id, parent_id, author_id, body, created_at) "
            "VALUES (:post, :parent, :author, :body, :created_at) RETURNING id",
            {{"post", post}, {"parent", nullable(parent)}, {"author", author}, {"body", body}, {"created_at", now}});
        if (rows.empty()) throw sdk::database_error("db_error", "the new comment's id did not come back");
        tx.exec("UPDATE blog_posts SET comment_count = comment_count + 1 WHERE id = :id", {{"id", post}});
        return as_int(rows[0].at("id"));
    });
    comment_row out;
    out.id = id;
    out.post = post;
    out.parent = parent;
    out.author = author;
    out.body = body;
    out.created_at = now;
    return out;
}

std::optional<comment_row> blog_store::comment(std::int64_t id, const std::string& viewer) {
    json params = {{"id", id}};
    const std::string hidden = unblocked("blog_comments.author_id", viewer, params);
    const json rows = plugin_.query(std::string("SELECT ") + comment_columns +
                                        " FROM blog_comments WHERE id = :id AND deleted_at IS NULL" + hidden,
                                    params);
    if (rows.empty()) return std::nullopt;
    return to_comment(rows[0]);
}

bool blog_store::edit_comment(std::int64_t id, const std::string& author, const std::string& body, std::int64_t now,
                              std::int64_t not_before) {
    return plugin_.exec("UPDATE blog_comments SET body = :body, edited_at = :edited_at WHERE id = :id "
                        "AND author_id = :author AND deleted_at IS NULL AND created_at >= :not_before",
                        {{"id", id}, {"author", author}, {"body", body}, {"edited_at", now}, {"not_before", not_before}}) ==
           1;
}

bool blog_store::delete_comment(std::int64_t id, std::int64_t post, std::int64_t now) {
    return plugin_.in_transaction([&](const sdk::transaction& tx) {
        // The row stays (replies point at it); its text goes.
        const bool deleted = tx.exec("UPDATE blog_comments SET deleted_at = :deleted_at, body = '' "
                                     "WHERE id = :id AND deleted_at IS NULL",
                                     {{"id", id}, {"deleted_at", now}}) == 1;
        if (deleted)
            tx.exec("UPDATE blog_posts SET comment_count = comment_count - 1 WHERE id = :id", {{"id", post}});
        return deleted;
    });
}

page blog_store::comments(std::int64_t post, std::optional<std::int64_t> before, std::size_t limit,
                          const std::string& viewer) {
    json params = {{"post", post}, {"limit", rows_to_ask(limit)}};
    std::string sql = std::string("SELECT ") + comment_columns +
                      " FROM blog_comments WHERE post_id = :post AND deleted_at IS NULL" +
                      unblocked("blog_comments.author_id", viewer, params);
    if (before) {
        sql += " AND id < :before";
        params["before"] = *before;
    }
    sql += " ORDER BY id DESC LIMIT :limit";
    page out;
    out.has_more = read_page(plugin_.query(sql, params), limit,
                             [&](const json& row) { out.items.push_back(to_comment(row).to_json()); });
    // Fetched newest first to find the page; read oldest first, as a thread reads.
    std::reverse(out.items.begin(), out.items.end());
    return out;
}

json blog_store::most_liked(std::size_t limit, std::int64_t created_since, const std::string& viewer) {
    json params = {{"since", created_since}, {"limit", limit}};
    const std::string hidden = unblocked("blog_posts.author_id", viewer, params);
    const json rows = plugin_.query(std::string("SELECT ") + post_columns +
                                        " FROM blog_posts WHERE deleted_at IS NULL AND like_count > 0 "
                                        "AND created_at >= :since" + hidden + " ORDER BY like_count DESC, id ASC LIMIT :limit",
                                    params);
    json out = json::array();
    for (const auto& row : rows) out.push_back(to_post(row).to_json());
    return out;
}

void blog_store::set_block(const std::string& blocker, const std::string& blocked, bool is_blocked, std::int64_t now) {
    if (is_blocked)
        plugin_.exec("INSERT INTO blog_blocks (blocker_id, blocked_id, created_at) VALUES (:a, :b, :now) "
                     "ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
                     {{"a", blocker}, {"b", blocked}, {"now", now}});
    else
        plugin_.exec("DELETE FROM blog_blocks WHERE blocker_id = :a AND blocked_id = :b", {{"a", blocker}, {"b", blocked}});
}

std::vector<std::string> blog_store::hidden_with(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& row : plugin_.query("SELECT blocked_id AS other FROM blog_blocks WHERE blocker_id = :u1 "
                                         "UNION SELECT blocker_id AS other FROM blog_blocks WHERE blocked_id = :u2 "
                                         "LIMIT 10000",
                                         {{"u1", user}, {"u2", user}}))
        out.push_back(as_string(row.at("other")));
    return out;
}

}  // namespace switchboard::plugins::blog
