-- Diary entries and who each is shared with. Times are Unix milliseconds (BIGINT).
CREATE TABLE diary_entries (
    id VARCHAR(36) PRIMARY KEY,
    author_id VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    mood VARCHAR(32),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX diary_entries_author ON diary_entries (author_id, created_at);

CREATE TABLE diary_shares (
    entry_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX diary_shares_user ON diary_shares (user_id);
