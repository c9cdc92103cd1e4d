-- Message requests (#14, seed 002): each member's side of a direct conversation.
-- active    the conversation is open to this member (every row before this migration)
-- request   the other member wrote first and this member does not follow them: it
--           waits in this member's chat:requests until accepted, rejected or answered
-- declined  this member rejected the request: the other is not told
-- Portable: the same statement on SQLite and PostgreSQL.
ALTER TABLE chat_members ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'active';

-- chat:requests lists a user's waiting requests.
CREATE INDEX chat_members_user_state ON chat_members (user_id, state, room_id);
