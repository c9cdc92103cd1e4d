-- A post's like version: one more on every like or unlike, in the same transaction as
-- the count, so the row lock numbers the changes in commit order. Several nodes push
-- counts to their watchers; a node that already pushed a newer version drops an older
-- one arriving late (plugins/blog/cluster_sync.hpp). Portable: SQLite and PostgreSQL.

ALTER TABLE blog_posts ADD COLUMN like_version BIGINT NOT NULL DEFAULT 0;
