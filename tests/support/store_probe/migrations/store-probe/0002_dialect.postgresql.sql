-- One file per dialect: the row tells the tests which one ran.
INSERT INTO store_probe_meta (name, value) VALUES ('dialect', 'postgresql');

CREATE TABLE store_probe_log (
  id BIGSERIAL PRIMARY KEY,
  line TEXT NOT NULL
);

-- A function body holds semicolons inside dollar quotes: one statement for the runner.
CREATE FUNCTION store_probe_touch(item TEXT) RETURNS INTEGER AS $body$
BEGIN
  UPDATE store_probe_items SET hits = hits + 1 WHERE key = item;
  RETURN 1;
END;
$body$ LANGUAGE plpgsql;
