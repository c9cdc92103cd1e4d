-- Rooms and their messages: the two tables with generated ids, whose syntax differs
-- between SQLite and PostgreSQL (0001_rooms_and_messages.postgresql.sql).
-- Timestamps are Unix milliseconds.

CREATE TABLE chat_rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind VARCHAR(16) NOT NULL,          -- public, private or direct
    name VARCHAR(400),                  -- NULL for direct conversations
    owner VARCHAR(255) NOT NULL,        -- the creator's user id
    direct_key TEXT UNIQUE,             -- direct rooms: the two user ids, sorted (one room a pair)
    created_at BIGINT NOT NULL
);

CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id BIGINT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id VARCHAR(255) NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT                   -- deleted messages keep their id; their text is cleared
);

-- History pages backwards by id within a room.
CREATE INDEX chat_messages_room_id ON chat_messages (room_id, id);
