-- Ads and their de-duplicated views. Times are Unix milliseconds (BIGINT).
CREATE TABLE ads_ads (
    id VARCHAR(64) PRIMARY KEY,
    owner_id VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    views BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ads_ads_owner ON ads_ads (owner_id);

-- A view counts once per ad, user and window (window_start: the window's first ms).
CREATE TABLE ads_views (
    ad_id VARCHAR(64) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    window_start BIGINT NOT NULL,
    viewed_at BIGINT NOT NULL,
    PRIMARY KEY (ad_id, user_id, window_start)
);
