-- Blocks between users, mirrored from the social plugin's bus topics (social:blocked,
-- social:unblocked): the blog hides the posts and comments of users either of whom
-- blocked the other. Portable: the same statements on SQLite and PostgreSQL.

CREATE TABLE blog_blocks (
    blocker_id VARCHAR(255) NOT NULL,
    blocked_id VARCHAR(255) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE INDEX blog_blocks_blocked ON blog_blocks (blocked_id, blocker_id);
