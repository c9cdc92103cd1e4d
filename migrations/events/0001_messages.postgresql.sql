-- An event room's messages: the table with a generated id, whose syntax differs
-- between SQLite and PostgreSQL (0001_messages.sqlite.sql). Timestamps are Unix
-- milliseconds. Events themselves live in the backend: here an event is its id.

CREATE TABLE events_messages (
    id BIGSERIAL PRIMARY KEY,
    event_id VARCHAR(128) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    user_name VARCHAR(400) NOT NULL,    -- the sender's name when sent (the token's name claim)
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- History pages backwards by id within an event.
CREATE INDEX events_messages_event ON events_messages (event_id, id);
