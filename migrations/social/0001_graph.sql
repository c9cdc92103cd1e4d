-- The social graph: accounts' privacy, follows (with requests for private accounts),
-- friend requests and friendships, blocks. Portable: the same statements on SQLite
-- and PostgreSQL. Users are the JWT subjects: no user table here. Timestamps are Unix
-- milliseconds.

CREATE TABLE social_accounts (
    user_id VARCHAR(255) PRIMARY KEY,
    is_private INTEGER NOT NULL DEFAULT 0,  -- 1: following needs the owner's approval
    updated_at BIGINT NOT NULL
);

CREATE TABLE social_follows (
    follower_id VARCHAR(255) NOT NULL,
    followee_id VARCHAR(255) NOT NULL,
    status VARCHAR(16) NOT NULL,            -- active, or pending (a request to a private account)
    created_at BIGINT NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);

-- Followers lists page by follower id.
CREATE INDEX social_follows_followee ON social_follows (followee_id, status, follower_id);

CREATE TABLE social_friend_requests (
    from_id VARCHAR(255) NOT NULL,
    to_id VARCHAR(255) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (from_id, to_id)
);

CREATE INDEX social_friend_requests_to ON social_friend_requests (to_id, from_id);

-- One row a pair, the smaller id first, so a pair is never friends twice.
CREATE TABLE social_friends (
    user_a VARCHAR(255) NOT NULL,
    user_b VARCHAR(255) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_a, user_b)
);

CREATE INDEX social_friends_b ON social_friends (user_b, user_a);

CREATE TABLE social_blocks (
    blocker_id VARCHAR(255) NOT NULL,
    blocked_id VARCHAR(255) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE INDEX social_blocks_blocked ON social_blocks (blocked_id, blocker_id);
