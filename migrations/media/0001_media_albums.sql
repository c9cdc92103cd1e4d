-- Media metadata (the files live in the application's storage: url points there) and
-- albums with ordered items. Times are Unix milliseconds (BIGINT).
CREATE TABLE media_items (
    id VARCHAR(36) PRIMARY KEY,
    owner_id VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    mime VARCHAR(128) NOT NULL,
    size_bytes BIGINT NOT NULL,
    metadata TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX media_items_owner ON media_items (owner_id, created_at);

-- visibility: private (the owner only), public, or shared (with media_album_shares).
CREATE TABLE media_albums (
    id VARCHAR(36) PRIMARY KEY,
    owner_id VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    visibility VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX media_albums_owner ON media_albums (owner_id);

CREATE TABLE media_album_shares (
    album_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (album_id, user_id)
);

-- Items in order: position 1..n within their album, kept dense by the script.
CREATE TABLE media_album_items (
    album_id VARCHAR(36) NOT NULL,
    media_id VARCHAR(36) NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (album_id, media_id)
);
CREATE INDEX media_album_items_media ON media_album_items (media_id);
