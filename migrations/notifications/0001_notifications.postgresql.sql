-- Notifications, one row per recipient. Times are Unix milliseconds.
CREATE TABLE notifications_items (
    id BIGSERIAL PRIMARY KEY,
    user_id TEXT NOT NULL,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);

-- Pages of one user's notifications, newest first.
CREATE INDEX notifications_items_user ON notifications_items (user_id, id);
-- Unread counts and the unread list sent on connect.
CREATE INDEX notifications_items_unread ON notifications_items (user_id, read_at);

-- Announcements to everyone: stored once, not per user.
CREATE TABLE notifications_announcements (
    id BIGSERIAL PRIMARY KEY,
    author_id TEXT NOT NULL,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
