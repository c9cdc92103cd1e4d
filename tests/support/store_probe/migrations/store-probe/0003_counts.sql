-- A portable view after dialect-specific files: versions apply in order across variants.
CREATE VIEW store_probe_item_count AS SELECT count(*) AS items FROM store_probe_items;
