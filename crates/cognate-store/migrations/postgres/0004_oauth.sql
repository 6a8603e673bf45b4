-- OAuth 2.0: scopes granted to a sign-in (refreshes keep them), and authorization codes.
ALTER TABLE auth_sessions ADD COLUMN scope TEXT;

-- Codes are stored only as SHA-256 hashes. `used_ms` makes them single-use; `origin_jti`
-- names the session a code produced, so a replayed code can revoke it.
CREATE TABLE auth_codes (
    code_hash  TEXT COLLATE "C" PRIMARY KEY,
    pool_id    TEXT COLLATE "C" NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT,
    origin_jti TEXT COLLATE "C",
    doc        TEXT NOT NULL
);
CREATE INDEX auth_codes_by_expiry ON auth_codes (expires_ms);
CREATE INDEX auth_codes_by_pool ON auth_codes (pool_id);
