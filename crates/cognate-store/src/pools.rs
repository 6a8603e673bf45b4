//! User pools, app clients and domains.

use crate::documents::to_doc;
use crate::lookups::doc;
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::client::AppClient;
use cognate_core::domain::PoolDomain;
use cognate_core::pool::UserPool;
use cognate_core::store::{ClientStore, DomainStore, PoolStore, StoreResult};
use sqlx::AssertSqlSafe;
use std::sync::Arc;

#[async_trait]
impl PoolStore for SqlStore {
    async fn insert_pool(&self, pool: &UserPool) -> StoreResult<()> {
        self.run(
            sqlx::query("INSERT INTO user_pools (id, region, doc) VALUES ($1, $2, $3)")
                .bind(&pool.id)
                .bind(pool.region())
                .bind(to_doc(pool)?),
        )
        .await
    }

    async fn get_pool(&self, pool_id: &str) -> StoreResult<Option<Arc<UserPool>>> {
        self.lookup(
            "SELECT doc FROM user_pools WHERE id = $1",
            &[pool_id.into()],
            |row| self.pools.decode(pool_id, row),
        )
        .await
    }

    async fn update_pool(&self, pool: &UserPool) -> StoreResult<()> {
        self.run(
            sqlx::query("UPDATE user_pools SET doc = $1 WHERE id = $2")
                .bind(to_doc(pool)?)
                .bind(&pool.id),
        )
        .await
    }

    async fn delete_pool(&self, pool_id: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        for table in [
            "group_members",
            "user_groups",
            "users",
            "pool_domains",
            "app_clients",
            "signing_keys",
            "auth_sessions",
            "auth_codes",
            "refresh_tokens",
            "sign_in_failures",
            "resource_servers",
            "ui_customizations",
            "verification_codes",
            "user_quotas",
            "outbox",
            "devices",
            "identity_providers",
            "identity_provider_identifiers",
            "identity_links",
            "pool_certificates",
        ] {
            // `table` comes from the fixed list above.
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE pool_id = $1"
            )))
            .bind(pool_id)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        sqlx::query("DELETE FROM user_pools WHERE id = $1")
            .bind(pool_id)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn list_pools(
        &self,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserPool>> {
        self.all_docs(
            sqlx::query(
                "SELECT doc FROM user_pools WHERE region = $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(region)
            .bind(after.unwrap_or(""))
            .bind(limit as i64),
        )
        .await
    }

    async fn list_pools_everywhere(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserPool>> {
        self.all_docs(
            sqlx::query("SELECT doc FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after.unwrap_or(""))
                .bind(limit as i64),
        )
        .await
    }
}

#[async_trait]
impl ClientStore for SqlStore {
    async fn insert_client(&self, client: &AppClient) -> StoreResult<()> {
        self.run(
            sqlx::query("INSERT INTO app_clients (client_id, pool_id, doc) VALUES ($1, $2, $3)")
                .bind(client.client_id())
                .bind(client.pool_id())
                .bind(to_doc(client)?),
        )
        .await
    }

    async fn get_client(&self, client_id: &str) -> StoreResult<Option<AppClient>> {
        self.lookup(
            "SELECT doc FROM app_clients WHERE client_id = $1",
            &[client_id.into()],
            |row| {
                self.clients
                    .decode(client_id, row)
                    .map(Arc::unwrap_or_clone)
            },
        )
        .await
    }

    async fn update_client(&self, client: &AppClient) -> StoreResult<()> {
        self.run(
            sqlx::query("UPDATE app_clients SET doc = $1 WHERE client_id = $2")
                .bind(to_doc(client)?)
                .bind(client.client_id()),
        )
        .await
    }

    async fn delete_client(&self, client_id: &str) -> StoreResult<()> {
        self.run(sqlx::query("DELETE FROM app_clients WHERE client_id = $1").bind(client_id))
            .await
    }

    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<AppClient>> {
        self.all_docs(sqlx::query(
            "SELECT doc FROM app_clients WHERE pool_id = $1 AND client_id > $2 ORDER BY client_id LIMIT $3",
        )
        .bind(pool_id)
        .bind(after.unwrap_or(""))
        .bind(limit as i64)).await
    }
}

#[async_trait]
impl DomainStore for SqlStore {
    async fn insert_domain(&self, domain: &PoolDomain) -> StoreResult<()> {
        self.run(
            sqlx::query("INSERT INTO pool_domains (domain, pool_id, doc) VALUES ($1, $2, $3)")
                .bind(&domain.domain)
                .bind(&domain.pool_id)
                .bind(to_doc(domain)?),
        )
        .await
    }

    async fn get_domain(&self, domain: &str) -> StoreResult<Option<PoolDomain>> {
        self.lookup(
            "SELECT doc FROM pool_domains WHERE domain = $1",
            &[domain.into()],
            doc,
        )
        .await
    }

    async fn list_domains_of_pool(&self, pool_id: &str) -> StoreResult<Vec<PoolDomain>> {
        self.all_docs(
            sqlx::query("SELECT doc FROM pool_domains WHERE pool_id = $1 ORDER BY domain")
                .bind(pool_id),
        )
        .await
    }

    async fn update_domain(&self, domain: &PoolDomain) -> StoreResult<()> {
        self.run(
            sqlx::query("UPDATE pool_domains SET doc = $1 WHERE domain = $2")
                .bind(to_doc(domain)?)
                .bind(&domain.domain),
        )
        .await
    }

    async fn delete_domain(&self, domain: &str) -> StoreResult<()> {
        self.run(sqlx::query("DELETE FROM pool_domains WHERE domain = $1").bind(domain))
            .await
    }
}
