-- Sign-in state. All of it lives here, not in a node's memory, so any node can continue a
-- flow, refresh a token or see a revocation made by another.

-- RS256 signing keys of a pool: one for ID tokens, one for access tokens. A rotated key keeps
-- being published until the tokens it signed have expired.
CREATE TABLE signing_keys (
    kid        TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    retired_ms BIGINT,
    doc        TEXT NOT NULL
);
CREATE INDEX signing_keys_by_pool ON signing_keys (pool_id, created_ms);

-- One row per sign-in: the `origin_jti` of every token it led to.
CREATE TABLE auth_sessions (
    origin_jti   TEXT PRIMARY KEY,
    pool_id      TEXT NOT NULL,
    username_key TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    auth_time_ms BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    revoked_ms   BIGINT
);
CREATE INDEX auth_sessions_by_user ON auth_sessions (pool_id, username_key);

-- Refresh tokens, stored only as SHA-256 hashes. `replaced_ms` is set when rotation issued a
-- successor; the old token then works only within the client's grace period.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    origin_jti TEXT NOT NULL,
    pool_id    TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    replaced_ms BIGINT
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (origin_jti);
CREATE INDEX refresh_tokens_by_pool ON refresh_tokens (pool_id);

-- Challenge sessions are sealed blobs; this table only makes each one single-use.
CREATE TABLE used_challenges (
    id         TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX used_challenges_by_expiry ON used_challenges (expires_ms);

-- Failed password attempts, for Cognito's lockout.
CREATE TABLE sign_in_failures (
    pool_id         TEXT NOT NULL,
    username_key    TEXT NOT NULL,
    failures        BIGINT NOT NULL,
    last_failure_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, username_key)
);
