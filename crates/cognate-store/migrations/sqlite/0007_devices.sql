-- Remembered devices (ConfirmDevice): the record as a document (its SRP verifier sealed),
-- keyed by device key within the pool, listed per user.
CREATE TABLE devices (
    pool_id      TEXT NOT NULL,
    device_key   TEXT NOT NULL,
    username_key TEXT NOT NULL,
    doc          TEXT NOT NULL,
    PRIMARY KEY (pool_id, device_key)
);
CREATE INDEX devices_by_user ON devices (pool_id, username_key, device_key);

-- The device a sign-in was made from: its refresh tokens work only with that DEVICE_KEY.
ALTER TABLE auth_sessions ADD COLUMN device_key TEXT;
CREATE INDEX auth_sessions_by_device ON auth_sessions (pool_id, device_key);
