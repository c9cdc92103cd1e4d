-- Content items, their chapters, who they are shared with, ratings and counted views.
-- Ids are UUIDs made by the script; times are Unix milliseconds, declared BIGINT (the
-- kernel reads a column declared INTEGER as a 32-bit int).
CREATE TABLE content_items (
    id VARCHAR(36) PRIMARY KEY,
    owner_id VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    visibility VARCHAR(16) NOT NULL,
    rating_sum BIGINT NOT NULL,
    rating_count BIGINT NOT NULL,
    views BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX content_items_owner ON content_items (owner_id);

-- Readers of a "shared" item besides its owner.
CREATE TABLE content_shares (
    content_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (content_id, user_id)
);

-- Chapters in order: position 1..n within their item, kept dense by the script.
CREATE TABLE content_chapters (
    id VARCHAR(36) PRIMARY KEY,
    content_id VARCHAR(36) NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX content_chapters_order ON content_chapters (content_id, position);

-- One rating per user and item; the item keeps the sum and the count for the average.
CREATE TABLE content_ratings (
    content_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    stars INTEGER NOT NULL,
    PRIMARY KEY (content_id, user_id)
);

-- A view counts once per user, item and window (window = start of the window, ms).
CREATE TABLE content_views (
    content_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    window_start BIGINT NOT NULL,
    PRIMARY KEY (content_id, user_id, window_start)
);
