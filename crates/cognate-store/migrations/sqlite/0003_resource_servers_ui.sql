-- Resource servers: the custom OAuth scopes of a pool, `<identifier>/<ScopeName>`.
CREATE TABLE resource_servers (
    pool_id    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

-- Hosted UI (classic) branding: CSS and a logo (base64 in the document), pool-wide under the
-- client ID 'ALL' or for one app client.
CREATE TABLE ui_customizations (
    pool_id   TEXT NOT NULL,
    client_id TEXT NOT NULL,
    doc       TEXT NOT NULL,
    PRIMARY KEY (pool_id, client_id)
);
