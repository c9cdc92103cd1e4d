-- One row per pair of users that ever changed a relation with each other, the smaller
-- id first: the row a transaction on the pair writes first, so its lock orders every
-- relation change of that pair, whichever node makes it (two users asking each other
-- at once would otherwise each insert a request before seeing the other's, neither
-- transaction seeing the other's uncommitted row). Portable: SQLite and PostgreSQL.

CREATE TABLE social_pair_locks (
    user_a VARCHAR(255) NOT NULL,
    user_b VARCHAR(255) NOT NULL,
    taken_at BIGINT NOT NULL,
    PRIMARY KEY (user_a, user_b)
);
