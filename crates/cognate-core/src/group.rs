//! Groups: membership, precedence and IAM roles, which later become token claims.

use crate::error::{CognitoError, ErrorKind, Result, StoreError};
use crate::page::{Page, PageToken, limit_or_max};
use crate::service::Cognito;
use crate::time::Timestamp;
use crate::user::UserView;
use serde::{Deserialize, Serialize};

/// `GroupType`, as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    pub group_name: String,
    pub user_pool_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRequest {
    pub group_name: String,
    pub user_pool_id: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
}

impl Cognito {
    pub async fn group(&self, region: &str, pool_id: &str, name: &str) -> Result<Group> {
        self.pool(region, pool_id).await?;
        self.store
            .get_group(pool_id, name)
            .await?
            .ok_or_else(CognitoError::group_not_found)
    }

    pub async fn create_group(&self, region: &str, req: GroupRequest) -> Result<Group> {
        self.pool(region, &req.user_pool_id).await?;
        let now = self.clock.now();
        let group = Group {
            group_name: req.group_name,
            user_pool_id: req.user_pool_id,
            description: req.description,
            role_arn: req.role_arn,
            precedence: req.precedence,
            last_modified_date: now,
            creation_date: now,
        };
        match self.store.insert_group(&group).await {
            Err(StoreError::Conflict(_)) => Err(CognitoError::new(
                ErrorKind::GroupExists,
                format!("A group with the name {} already exists.", group.group_name),
            )),
            r => {
                r?;
                Ok(group)
            }
        }
    }

    /// Changes only the members the request names.
    pub async fn update_group(&self, region: &str, req: GroupRequest) -> Result<Group> {
        let mut group = self
            .group(region, &req.user_pool_id, &req.group_name)
            .await?;
        if req.description.is_some() {
            group.description = req.description;
        }
        if req.role_arn.is_some() {
            group.role_arn = req.role_arn;
        }
        if req.precedence.is_some() {
            group.precedence = req.precedence;
        }
        group.last_modified_date = self.clock.now();
        self.store.update_group(&group).await?;
        Ok(group)
    }

    pub async fn delete_group(&self, region: &str, pool_id: &str, name: &str) -> Result<()> {
        self.group(region, pool_id, name).await?;
        self.store.delete_group(pool_id, name).await?;
        Ok(())
    }

    pub async fn list_groups(
        &self,
        region: &str,
        pool_id: &str,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Page<Group>> {
        self.pool(region, pool_id).await?;
        let after = PageToken::decode_opt(next_token)?;
        let limit = limit_or_max(limit, 60);
        let groups = self
            .store
            .list_groups(pool_id, after.as_deref(), limit + 1)
            .await?;
        Ok(Page::from_overfetch(groups, limit, |g| {
            g.group_name.clone()
        }))
    }

    pub async fn admin_add_user_to_group(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        self.group(region, pool_id, group).await?;
        self.store
            .add_user_to_group(pool_id, group, &user.username_key)
            .await?;
        Ok(())
    }

    pub async fn admin_remove_user_from_group(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        self.group(region, pool_id, group).await?;
        self.store
            .remove_user_from_group(pool_id, group, &user.username_key)
            .await?;
        Ok(())
    }

    pub async fn admin_list_groups_for_user(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Page<Group>> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        let after = PageToken::decode_opt(next_token)?;
        let limit = limit_or_max(limit, 60);
        let groups = self
            .store
            .list_groups_of_user(pool_id, &user.username_key, after.as_deref(), limit + 1)
            .await?;
        Ok(Page::from_overfetch(groups, limit, |g| {
            g.group_name.clone()
        }))
    }

    pub async fn list_users_in_group(
        &self,
        region: &str,
        pool_id: &str,
        group: &str,
        limit: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Page<UserView>> {
        self.group(region, pool_id, group).await?;
        let after = PageToken::decode_opt(next_token)?;
        let limit = limit_or_max(limit, 60);
        let users = self
            .store
            .list_users_in_group(pool_id, group, after.as_deref(), limit + 1)
            .await?;
        Ok(Page::from_overfetch(users, limit, |u| u.username_key.clone()).map(|u| u.view(None)))
    }
}
