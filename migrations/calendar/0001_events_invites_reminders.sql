-- Calendar events, their invitees and the reminders owed. Times are Unix milliseconds
-- (BIGINT). Reminders live here, not in a timer's memory, so that a reload or a
-- restart loses none: the script's periodic timer sends the ones that are due.
CREATE TABLE calendar_events (
    id VARCHAR(36) PRIMARY KEY,
    owner_id VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    location TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    remind_before BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calendar_events_owner ON calendar_events (owner_id, starts_at);

-- status: pending, accepted or rejected.
CREATE TABLE calendar_invites (
    event_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX calendar_invites_user ON calendar_invites (user_id);

-- One reminder per event and participant; sent_at is set by whoever sends it (an
-- UPDATE that only one sender can win), so it goes out once.
CREATE TABLE calendar_reminders (
    event_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    fire_at BIGINT NOT NULL,
    sent_at BIGINT,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX calendar_reminders_due ON calendar_reminders (sent_at, fire_at);
