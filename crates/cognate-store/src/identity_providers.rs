//! Identity providers (federation) and the IdpIdentifiers that name them.

use crate::documents::to_doc;
use crate::lookups::doc;
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::federation::certificates::StoredCertificate;
use cognate_core::federation::{IdentityLink, IdentityProviderStore, StoredIdentityProvider};
use cognate_core::store::StoreResult;
use cognate_core::user::User;

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// Writes the provider's identifiers (a taken one fails the transaction with `Conflict`).
async fn insert_identifiers(tx: &mut Tx<'_>, idp: &StoredIdentityProvider) -> StoreResult<()> {
    for identifier in &idp.idp_identifiers {
        sqlx::query(
            "INSERT INTO identity_provider_identifiers (pool_id, identifier, provider_name) \
             VALUES ($1, $2, $3)",
        )
        .bind(&idp.pool_id)
        .bind(identifier)
        .bind(&idp.provider_name)
        .execute(&mut **tx)
        .await
        .map_err(backend_error)?;
    }
    Ok(())
}

async fn delete_identifiers(tx: &mut Tx<'_>, pool_id: &str, name: &str) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM identity_provider_identifiers WHERE pool_id = $1 AND provider_name = $2",
    )
    .bind(pool_id)
    .bind(name)
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?;
    Ok(())
}

#[async_trait]
impl IdentityProviderStore for SqlStore {
    async fn insert_identity_provider(&self, idp: &StoredIdentityProvider) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query(
            "INSERT INTO identity_providers (pool_id, provider_name, doc) VALUES ($1, $2, $3)",
        )
        .bind(&idp.pool_id)
        .bind(&idp.provider_name)
        .bind(to_doc(idp)?)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        insert_identifiers(&mut tx, idp).await?;
        tx.commit().await.map_err(backend_error)
    }

    async fn update_identity_provider(&self, idp: &StoredIdentityProvider) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query(
            "UPDATE identity_providers SET doc = $1 WHERE pool_id = $2 AND provider_name = $3",
        )
        .bind(to_doc(idp)?)
        .bind(&idp.pool_id)
        .bind(&idp.provider_name)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        delete_identifiers(&mut tx, &idp.pool_id, &idp.provider_name).await?;
        insert_identifiers(&mut tx, idp).await?;
        tx.commit().await.map_err(backend_error)
    }

    async fn get_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
    ) -> StoreResult<Option<StoredIdentityProvider>> {
        self.lookup(
            "SELECT doc FROM identity_providers WHERE pool_id = $1 AND provider_name = $2",
            &[pool_id.into(), provider_name.into()],
            doc,
        )
        .await
    }

    async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> StoreResult<Option<StoredIdentityProvider>> {
        self.lookup(
            "SELECT p.doc FROM identity_provider_identifiers i JOIN identity_providers p \
             ON p.pool_id = i.pool_id AND p.provider_name = i.provider_name \
             WHERE i.pool_id = $1 AND i.identifier = $2",
            &[pool_id.into(), identifier.into()],
            doc,
        )
        .await
    }

    async fn delete_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        delete_identifiers(&mut tx, pool_id, provider_name).await?;
        // Its links go too: a provider made again under the name must not inherit them.
        sqlx::query("DELETE FROM identity_links WHERE pool_id = $1 AND provider_name = $2")
            .bind(pool_id)
            .bind(provider_name)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        sqlx::query("DELETE FROM identity_providers WHERE pool_id = $1 AND provider_name = $2")
            .bind(pool_id)
            .bind(provider_name)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn list_identity_providers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<StoredIdentityProvider>> {
        self.all_docs(
            sqlx::query(
                "SELECT doc FROM identity_providers WHERE pool_id = $1 AND provider_name > $2 \
                 ORDER BY provider_name LIMIT $3",
            )
            .bind(pool_id)
            .bind(after.unwrap_or(""))
            .bind(limit as i64),
        )
        .await
    }

    async fn link_identity(&self, link: &IdentityLink, user: &User) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query(
            "INSERT INTO identity_links (pool_id, provider_name, provider_user_id, username_key) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&link.pool_id)
        .bind(&link.provider_name)
        .bind(&link.provider_user_id)
        .bind(&link.username_key)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        crate::users::update_user(user)?
            .into_query()
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn get_identity_link(
        &self,
        pool_id: &str,
        provider_name: &str,
        provider_user_id: &str,
    ) -> StoreResult<Option<IdentityLink>> {
        let row = sqlx::query(
            "SELECT username_key FROM identity_links \
             WHERE pool_id = $1 AND provider_name = $2 AND provider_user_id = $3",
        )
        .bind(pool_id)
        .bind(provider_name)
        .bind(provider_user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(row.map(|r| IdentityLink {
            pool_id: pool_id.to_owned(),
            provider_name: provider_name.to_owned(),
            provider_user_id: provider_user_id.to_owned(),
            username_key: sqlx::Row::get(&r, "username_key"),
        }))
    }

    async fn unlink_identity(&self, link: &IdentityLink, user: &User) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query(
            "DELETE FROM identity_links \
             WHERE pool_id = $1 AND provider_name = $2 AND provider_user_id = $3",
        )
        .bind(&link.pool_id)
        .bind(&link.provider_name)
        .bind(&link.provider_user_id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        crate::users::update_user(user)?
            .into_query()
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn insert_certificate_if_absent(
        &self,
        certificate: &StoredCertificate,
    ) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO pool_certificates (pool_id, purpose, doc) VALUES ($1, $2, $3) \
                 ON CONFLICT (pool_id, purpose) DO NOTHING",
            )
            .bind(&certificate.pool_id)
            .bind(&certificate.purpose)
            .bind(to_doc(certificate)?),
        )
        .await
    }

    async fn get_certificate(
        &self,
        pool_id: &str,
        purpose: &str,
    ) -> StoreResult<Option<StoredCertificate>> {
        self.lookup(
            "SELECT doc FROM pool_certificates WHERE pool_id = $1 AND purpose = $2",
            &[pool_id.into(), purpose.into()],
            doc,
        )
        .await
    }

    async fn delete_certificate(&self, pool_id: &str, purpose: &str) -> StoreResult<()> {
        self.run(
            sqlx::query("DELETE FROM pool_certificates WHERE pool_id = $1 AND purpose = $2")
                .bind(pool_id)
                .bind(purpose),
        )
        .await
    }
}
