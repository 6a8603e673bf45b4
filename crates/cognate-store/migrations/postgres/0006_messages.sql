-- Verification codes, stored only as HMACs: one live code per user and purpose.
CREATE TABLE verification_codes (
    pool_id       TEXT COLLATE "C" NOT NULL,
    username_key  TEXT COLLATE "C" NOT NULL,
    purpose       TEXT COLLATE "C" NOT NULL,
    code_hash     TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    expires_ms    BIGINT NOT NULL,
    pending_value TEXT,
    PRIMARY KEY (pool_id, username_key, purpose)
);
CREATE INDEX verification_codes_by_expiry ON verification_codes (expires_ms);

-- Hourly per-user caps: uses of an action in the current window.
CREATE TABLE user_quotas (
    pool_id         TEXT COLLATE "C" NOT NULL,
    username_key    TEXT COLLATE "C" NOT NULL,
    action          TEXT COLLATE "C" NOT NULL,
    window_start_ms BIGINT NOT NULL,
    used            BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key, action)
);

-- The outbox: messages to deliver (sealed: they carry codes and temporary passwords), their
-- tries and their fate. A worker on any node claims due rows with a lease.
CREATE TABLE outbox (
    id              TEXT COLLATE "C" PRIMARY KEY,
    pool_id         TEXT COLLATE "C" NOT NULL,
    medium          TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    lease_until_ms  BIGINT NOT NULL,
    attempts        BIGINT NOT NULL,
    delivered_ms    BIGINT,
    failed_ms       BIGINT,
    channel         TEXT,
    last_error      TEXT,
    sealed          TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE delivered_ms IS NULL AND failed_ms IS NULL;
CREATE INDEX outbox_by_channel ON outbox (channel, created_ms);
