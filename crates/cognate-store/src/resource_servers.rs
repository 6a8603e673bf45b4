//! Resource servers (custom OAuth scopes) and hosted UI customizations.

use crate::SqlStore;
use crate::documents::to_doc;
use crate::lookups::doc;
use async_trait::async_trait;
use cognate_core::resource_server::ResourceServer;
use cognate_core::store::{ResourceServerStore, StoreResult, UiCustomizationStore};
use cognate_core::ui_customization::StoredUiCustomization;

#[async_trait]
impl ResourceServerStore for SqlStore {
    async fn insert_resource_server(&self, server: &ResourceServer) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO resource_servers (pool_id, identifier, doc) VALUES ($1, $2, $3)",
            )
            .bind(&server.user_pool_id)
            .bind(&server.identifier)
            .bind(to_doc(server)?),
        )
        .await
    }

    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> StoreResult<Option<ResourceServer>> {
        self.lookup(
            "SELECT doc FROM resource_servers WHERE pool_id = $1 AND identifier = $2",
            &[pool_id.into(), identifier.into()],
            doc,
        )
        .await
    }

    async fn update_resource_server(&self, server: &ResourceServer) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "UPDATE resource_servers SET doc = $1 WHERE pool_id = $2 AND identifier = $3",
            )
            .bind(to_doc(server)?)
            .bind(&server.user_pool_id)
            .bind(&server.identifier),
        )
        .await
    }

    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<()> {
        self.run(
            sqlx::query("DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2")
                .bind(pool_id)
                .bind(identifier),
        )
        .await
    }

    async fn list_resource_servers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<ResourceServer>> {
        self.all_docs(
            sqlx::query(
                "SELECT doc FROM resource_servers WHERE pool_id = $1 AND identifier > $2 \
             ORDER BY identifier LIMIT $3",
            )
            .bind(pool_id)
            .bind(after.unwrap_or(""))
            .bind(limit as i64),
        )
        .await
    }
}

#[async_trait]
impl UiCustomizationStore for SqlStore {
    async fn put_ui_customization(&self, custom: &StoredUiCustomization) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO ui_customizations (pool_id, client_id, doc) VALUES ($1, $2, $3) \
             ON CONFLICT (pool_id, client_id) DO UPDATE SET doc = excluded.doc",
            )
            .bind(&custom.pool_id)
            .bind(&custom.client_id)
            .bind(to_doc(custom)?),
        )
        .await
    }

    async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<StoredUiCustomization>> {
        self.lookup(
            "SELECT doc FROM ui_customizations WHERE pool_id = $1 AND client_id = $2",
            &[pool_id.into(), client_id.into()],
            doc,
        )
        .await
    }

    async fn delete_ui_customization(&self, pool_id: &str, client_id: &str) -> StoreResult<()> {
        self.run(
            sqlx::query("DELETE FROM ui_customizations WHERE pool_id = $1 AND client_id = $2")
                .bind(pool_id)
                .bind(client_id),
        )
        .await
    }
}
