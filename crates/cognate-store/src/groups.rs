//! Groups and memberships.

use crate::documents::to_doc;
use crate::lookups::doc;
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::group::Group;
use cognate_core::store::{GroupStore, StoreResult};
use cognate_core::user::User;

#[async_trait]
impl GroupStore for SqlStore {
    async fn insert_group(&self, group: &Group) -> StoreResult<()> {
        self.run(
            sqlx::query("INSERT INTO user_groups (pool_id, name, doc) VALUES ($1, $2, $3)")
                .bind(&group.user_pool_id)
                .bind(&group.group_name)
                .bind(to_doc(group)?),
        )
        .await
    }

    async fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<Group>> {
        self.lookup(
            "SELECT doc FROM user_groups WHERE pool_id = $1 AND name = $2",
            &[pool_id.into(), name.into()],
            doc,
        )
        .await
    }

    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        self.run(
            sqlx::query("UPDATE user_groups SET doc = $1 WHERE pool_id = $2 AND name = $3")
                .bind(to_doc(group)?)
                .bind(&group.user_pool_id)
                .bind(&group.group_name),
        )
        .await
    }

    async fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query("DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2")
            .bind(pool_id)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        sqlx::query("DELETE FROM user_groups WHERE pool_id = $1 AND name = $2")
            .bind(pool_id)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Group>> {
        self.all_docs(sqlx::query(
            "SELECT doc FROM user_groups WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .bind(pool_id)
        .bind(after.unwrap_or(""))
        .bind(limit as i64)).await
    }

    async fn add_user_to_group(
        &self,
        pool_id: &str,
        group: &str,
        username_key: &str,
    ) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO group_members (pool_id, group_name, username_key) VALUES ($1, $2, $3) \
             ON CONFLICT (pool_id, group_name, username_key) DO NOTHING",
            )
            .bind(pool_id)
            .bind(group)
            .bind(username_key),
        )
        .await
    }

    async fn remove_user_from_group(
        &self,
        pool_id: &str,
        group: &str,
        username_key: &str,
    ) -> StoreResult<()> {
        self.run(sqlx::query("DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND username_key = $3")
            .bind(pool_id)
            .bind(group)
            .bind(username_key)).await
    }

    async fn list_groups_of_user(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Group>> {
        self.lookup_all(
            "SELECT g.doc AS doc FROM group_members m \
             JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
             WHERE m.pool_id = $1 AND m.username_key = $2 AND m.group_name > $3 \
             ORDER BY m.group_name LIMIT $4",
            &[
                pool_id.into(),
                username_key.into(),
                after.unwrap_or("").into(),
                (limit as i64).into(),
            ],
            doc,
        )
        .await
    }

    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<User>> {
        self.all_docs(
            sqlx::query(
                "SELECT u.doc AS doc FROM group_members m \
             JOIN users u ON u.pool_id = m.pool_id AND u.username_key = m.username_key \
             WHERE m.pool_id = $1 AND m.group_name = $2 AND m.username_key > $3 \
             ORDER BY m.username_key LIMIT $4",
            )
            .bind(pool_id)
            .bind(group)
            .bind(after.unwrap_or(""))
            .bind(limit as i64),
        )
        .await
    }
}
