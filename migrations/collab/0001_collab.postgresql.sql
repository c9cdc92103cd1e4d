-- Yjs documents served by the collab plugin. Times are Unix milliseconds.

-- A document exists once someone opened it; that first user owns it.
CREATE TABLE collab_documents (
    name TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Users the owner gave a role: editor or reader.
CREATE TABLE collab_members (
    document TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (document, user_id)
);

-- Every update as it came (base64 of the Yjs v1 update), append-only: updates are
-- commutative and idempotent, so the document is all of them applied in any order.
CREATE TABLE collab_updates (
    id BIGSERIAL PRIMARY KEY,
    document TEXT NOT NULL,
    data TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX collab_updates_document ON collab_updates (document, id);
