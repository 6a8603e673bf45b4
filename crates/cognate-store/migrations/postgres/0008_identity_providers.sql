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

-- Identities linked to existing users (AdminLinkProviderForUser): a provider's user, by the
-- value it is known by there, signs in as `username_key`.
CREATE TABLE identity_links (
    pool_id          TEXT COLLATE "C" NOT NULL,
    provider_name    TEXT COLLATE "C" NOT NULL,
    provider_user_id TEXT COLLATE "C" NOT NULL,
    username_key     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (pool_id, provider_name, provider_user_id)
);
CREATE INDEX identity_links_by_user ON identity_links (pool_id, username_key);

-- The pool's own certificates for SAML federation (the signing one GetSigningCertificate
-- returns), their private keys sealed in the document.
CREATE TABLE pool_certificates (
    pool_id TEXT COLLATE "C" NOT NULL,
    purpose TEXT COLLATE "C" NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (pool_id, purpose)
);
