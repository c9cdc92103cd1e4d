-- store-probe's tables (portable SQL: SQLite and PostgreSQL).
-- The runner splits at top-level semicolons only; this comment's ; must not count.
CREATE TABLE store_probe_items (
  key VARCHAR(200) PRIMARY KEY,
  value TEXT,
  number BIGINT,
  ratio DOUBLE PRECISION,
  hits INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);

/* Facts the migrations leave for the tests to read; a block comment; with semicolons. */
CREATE TABLE store_probe_meta (
  name VARCHAR(100) PRIMARY KEY,
  value TEXT NOT NULL
);

INSERT INTO store_probe_meta (name, value) VALUES ('motto', 'it''s; fine -- really');
