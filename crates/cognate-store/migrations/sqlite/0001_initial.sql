-- Each resource is a JSON document (`doc`) plus the columns that are looked up, ordered or
-- filtered on. Timestamps live in the documents as epoch milliseconds.
CREATE TABLE user_pools (
    id     TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    doc    TEXT NOT NULL
);
CREATE INDEX user_pools_by_region ON user_pools (region, id);

CREATE TABLE app_clients (
    client_id TEXT PRIMARY KEY,
    pool_id   TEXT NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX app_clients_by_pool ON app_clients (pool_id, client_id);

CREATE TABLE pool_domains (
    domain  TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    doc     TEXT NOT NULL
);
CREATE INDEX pool_domains_by_pool ON pool_domains (pool_id);

CREATE TABLE users (
    pool_id            TEXT NOT NULL,
    username_key       TEXT NOT NULL,
    username           TEXT NOT NULL,
    sub                TEXT NOT NULL,
    status             TEXT NOT NULL,
    enabled            BIGINT NOT NULL,
    email              TEXT,
    phone_number       TEXT,
    name               TEXT,
    given_name         TEXT,
    family_name        TEXT,
    preferred_username TEXT,
    doc                TEXT NOT NULL,
    PRIMARY KEY (pool_id, username_key)
);
CREATE UNIQUE INDEX users_by_sub ON users (pool_id, sub);
CREATE INDEX users_by_username ON users (pool_id, username);
CREATE INDEX users_by_email ON users (pool_id, email);
CREATE INDEX users_by_lower_email ON users (pool_id, lower(email));
CREATE INDEX users_by_phone ON users (pool_id, phone_number);
CREATE INDEX users_by_name ON users (pool_id, name);
CREATE INDEX users_by_given_name ON users (pool_id, given_name);
CREATE INDEX users_by_family_name ON users (pool_id, family_name);
CREATE INDEX users_by_preferred_username ON users (pool_id, preferred_username);
CREATE INDEX users_by_lower_preferred_username ON users (pool_id, lower(preferred_username));
CREATE INDEX users_by_status ON users (pool_id, status);

CREATE TABLE user_groups (
    pool_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id      TEXT NOT NULL,
    group_name   TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username_key)
);
CREATE INDEX group_members_by_user ON group_members (pool_id, username_key, group_name);
