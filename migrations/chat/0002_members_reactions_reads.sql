-- Who belongs to which room, who reacted how, and how far each member has read.
-- Portable: the same statements on SQLite and PostgreSQL.

CREATE TABLE chat_members (
    room_id BIGINT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id VARCHAR(255) NOT NULL,
    role VARCHAR(16) NOT NULL,          -- owner or member
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- chat:rooms lists a user's rooms.
CREATE INDEX chat_members_user ON chat_members (user_id);

CREATE TABLE chat_reactions (
    message_id BIGINT NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    user_id VARCHAR(255) NOT NULL,
    emoji VARCHAR(64) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE chat_reads (
    room_id BIGINT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id VARCHAR(255) NOT NULL,
    message_id BIGINT NOT NULL,         -- the newest message the user has read
    read_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
