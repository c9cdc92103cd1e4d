-- Who takes part in which event, and how: one row a user and event; no row is "not
-- taking part". Portable: the same statements on SQLite and PostgreSQL.

CREATE TABLE events_participants (
    event_id VARCHAR(128) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    status VARCHAR(16) NOT NULL,        -- attending or interested
    user_name VARCHAR(400) NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);

-- Attendee counts per event and status.
CREATE INDEX events_participants_status ON events_participants (event_id, status);
