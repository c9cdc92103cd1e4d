// Every SQL statement of the blog: posts, likes, views and comments, on SQLite or
// PostgreSQL through the SDK. Blocking: pooled handlers only. Database failures throw
// sdk::database_error (plugin::serve turns them into "unavailable"/"internal_error").
//
// SQLite hands computed columns (RETURNING, COUNT) back as text: every number read
// from a row goes through `as_int` (switchboard/columns.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/columns.hpp>
#include <switchboard/sdk.hpp>

namespace switchboard::plugins::blog {

using sdk::json;

using namespace sdk::columns;

struct post_row {
    std::int64_t id = 0;
    std::string author;
    std::string title;
    std::string body;
    std::int64_t likes = 0;
    std::int64_t comments = 0;
    std::int64_t views = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> edited_at;

    json to_json() const;
};

struct comment_row {
    std::int64_t id = 0;
    std::int64_t post = 0;
    std::optional<std::int64_t> parent;
    std::string author;
    std::string body;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> edited_at;

    json to_json() const;
};

struct like_result {
    bool liked = false;     // the user's like as it is now
    bool changed = false;   // false: it already was so (an idempotent repeat)
    std::int64_t likes = 0; // the post's count right after this change, as committed
    std::int64_t version = 0; // the post's like version right after it (one more each change)
};

struct page {
    json items = json::array();   // oldest first for comments, newest first for posts
    bool has_more = false;
};

class blog_store {
public:
    explicit blog_store(sdk::plugin& plugin) : plugin_(plugin) {}

    post_row create_post(const std::string& author, const std::string& title, const std::string& body,
                         std::int64_t now);
    // `viewer` (when not empty) hides what a block between the viewer and an author
    // hides: such a post or comment reads as absent.

    // A post that is not deleted.
    std::optional<post_row> post(std::int64_t id, const std::string& viewer = {});
    // Changes what is given, if the post is live, the author's and created at or after
    // `not_before`. False when nothing matched.
    bool edit_post(std::int64_t id, const std::string& author, const std::optional<std::string>& title,
                   const std::optional<std::string>& body, std::int64_t now, std::int64_t not_before);
    bool delete_post(std::int64_t id, const std::string& author, std::int64_t now);
    // Live posts by id, newest first, before `before`, of `author` if given.
    page posts(std::optional<std::int64_t> before, const std::optional<std::string>& author, std::size_t limit,
               const std::string& viewer = {});

    bool liked(std::int64_t post, const std::string& user);
    // `want`: true to like, false to unlike, nothing to toggle.
    like_result set_like(std::int64_t post, const std::string& user, std::optional<bool> want, std::int64_t now);
    // Counts `user`'s first view; returns the post's view count.
    std::int64_t view(std::int64_t post, const std::string& user, std::int64_t now);

    comment_row add_comment(std::int64_t post, std::optional<std::int64_t> parent, const std::string& author,
                            const std::string& body, std::int64_t now);
    // A comment that is not deleted.
    std::optional<comment_row> comment(std::int64_t id, const std::string& viewer = {});
    bool edit_comment(std::int64_t id, const std::string& author, const std::string& body, std::int64_t now,
                      std::int64_t not_before);
    bool delete_comment(std::int64_t id, std::int64_t post, std::int64_t now);
    // Live comments of a post by id, oldest first, the newest page before `before`.
    page comments(std::int64_t post, std::optional<std::int64_t> before, std::size_t limit,
                  const std::string& viewer = {});

    // Live posts with at least one like, most liked first (ties: older first).
    json most_liked(std::size_t limit, std::int64_t created_since, const std::string& viewer = {});

    // Blocks, as the social plugin announces them.
    void set_block(const std::string& blocker, const std::string& blocked, bool is_blocked, std::int64_t now);
    // The users either of whom blocked `user` (at most 10000): kept out of pushes about
    // `user`'s posts and comments.
    std::vector<std::string> hidden_with(const std::string& user);

private:
    sdk::plugin& plugin_;
};

}  // namespace switchboard::plugins::blog
