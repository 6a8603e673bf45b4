-- Federation: a pool's identity providers (their secrets sealed inside the document), and
-- the IdpIdentifiers that name them, unique in the pool.
CREATE TABLE identity_providers (
    pool_id       TEXT COLLATE "C" NOT NULL,
    provider_name TEXT COLLATE "C" NOT NULL,
    doc           TEXT NOT NULL,
    PRIMARY KEY (pool_id, provider_name)
);

CREATE TABLE identity_provider_identifiers (
    pool_id       TEXT COLLATE "C" NOT NULL,
    identifier    TEXT COLLATE "C" NOT NULL,
    provider_name TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
