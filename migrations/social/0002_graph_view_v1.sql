-- social_graph_v1: the read interface other plugins use to ask the graph, so that
-- none of them reads social's tables (whose shape may change) directly. Portable:
-- the same statement on SQLite and PostgreSQL.
--
-- One row per directed relation that stands now:
--   from_user   to_user   relation
--   follower    followee  'follows'   an active follow (approved, for a private account;
--                                      a pending request is not listed)
--   blocker     blocked   'blocks'    a block
--
-- Versioned: these columns and values never change under this name. A different
-- shape gets a new view (social_graph_v2) beside this one, which stays until no
-- reader needs it. Readers: the chat plugin's message requests (plugins/chat/README.md).
CREATE VIEW social_graph_v1 AS
    SELECT follower_id AS from_user, followee_id AS to_user, 'follows' AS relation
    FROM social_follows WHERE status = 'active'
    UNION ALL
    SELECT blocker_id AS from_user, blocked_id AS to_user, 'blocks' AS relation
    FROM social_blocks;
