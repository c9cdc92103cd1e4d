-- Posts and comments: the two tables with generated ids, whose syntax differs
-- between SQLite and PostgreSQL (0001_posts_and_comments.postgresql.sql).
-- Timestamps are Unix milliseconds.

CREATE TABLE blog_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id VARCHAR(255) NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Kept beside the post rather than counted on each read: a like updates the row it
    -- counts in the same transaction, so the number is exact and one row lock orders
    -- concurrent likers.
    like_count BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0,
    view_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT                   -- deleted posts keep their row (likes and comments point at it)
);

-- The feed pages backwards by id; the ranking reads the most liked.
CREATE INDEX blog_posts_author ON blog_posts (author_id, id);
CREATE INDEX blog_posts_likes ON blog_posts (like_count, id);

CREATE TABLE blog_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id BIGINT NOT NULL REFERENCES blog_posts (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES blog_comments (id) ON DELETE CASCADE,   -- a reply to this comment
    author_id VARCHAR(255) NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT
);

CREATE INDEX blog_comments_post ON blog_comments (post_id, id);
