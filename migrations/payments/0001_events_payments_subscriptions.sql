-- Payment providers' webhook events, and what they recorded. Times are Unix
-- milliseconds (BIGINT); amounts are integers in the currency's minor unit.

-- Every event taken, by provider and the provider's event id: a second delivery of
-- the same id (a retry or a replay) finds its row and changes nothing.
CREATE TABLE payments_events (
    provider VARCHAR(64) NOT NULL,
    event_id VARCHAR(128) NOT NULL,
    type VARCHAR(64) NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE payments_payments (
    provider VARCHAR(64) NOT NULL,
    payment_id VARCHAR(128) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    amount BIGINT NOT NULL,
    currency VARCHAR(8) NOT NULL,
    status VARCHAR(32) NOT NULL,
    event_id VARCHAR(128) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, payment_id)
);
CREATE INDEX payments_payments_user ON payments_payments (user_id, created_at);

CREATE TABLE payments_subscriptions (
    provider VARCHAR(64) NOT NULL,
    subscription_id VARCHAR(128) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    plan VARCHAR(64) NOT NULL,
    status VARCHAR(32) NOT NULL,
    current_period_end BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subscription_id)
);
CREATE INDEX payments_subscriptions_user ON payments_subscriptions (user_id);
