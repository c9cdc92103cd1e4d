-- One file per dialect: the row tells the tests which one ran.
INSERT INTO store_probe_meta (name, value) VALUES ('dialect', 'sqlite');

CREATE TABLE store_probe_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  line TEXT NOT NULL
);
