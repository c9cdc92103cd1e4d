-- Each user's chosen status (online, away, busy) and when they were last seen, in Unix
-- milliseconds: written when their first device connects, when they change status and
-- when their last device leaves. Whether they are online now lives in memory.
CREATE TABLE presence_users (
    user_id TEXT PRIMARY KEY,
    status VARCHAR(16) NOT NULL,
    last_seen BIGINT NOT NULL
);
