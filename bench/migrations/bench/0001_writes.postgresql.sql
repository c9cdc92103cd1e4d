-- The rows bench:write inserts (bench/plugin, bench/lua, bench/reference write the same).
CREATE TABLE bench_writes (
    id BIGSERIAL PRIMARY KEY,
    seq BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
