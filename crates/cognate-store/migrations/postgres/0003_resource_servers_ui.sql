-- PostgreSQL twin of migrations/sqlite/0003_resource_servers_ui.sql.
-- Resource servers: the custom OAuth scopes of a pool, `<identifier>/<ScopeName>`.
CREATE TABLE resource_servers (
    pool_id    TEXT COLLATE "C" NOT NULL,
    identifier TEXT COLLATE "C" NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

-- Hosted UI (classic) branding: CSS and a logo (base64 in the document), pool-wide under the
-- client ID 'ALL' or for one app client.
CREATE TABLE ui_customizations (
    pool_id   TEXT COLLATE "C" NOT NULL,
    client_id TEXT COLLATE "C" NOT NULL,
    doc       TEXT NOT NULL,
    PRIMARY KEY (pool_id, client_id)
);
