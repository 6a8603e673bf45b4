//! Resource servers: custom OAuth scopes. A scope `<identifier>/<ScopeName>` of a pool's
//! resource server may be allowed to app clients and appears in client-credentials tokens.

use crate::error::{CognitoError, ErrorKind, Result, StoreError};
use crate::page::{Page, PageToken};
use crate::service::Cognito;
use serde::{Deserialize, Serialize};

/// `ResourceServerScopeType`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerScope {
    pub scope_name: String,
    pub scope_description: String,
}

/// `ResourceServerType`, as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServer {
    pub user_pool_id: String,
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
}

impl ResourceServer {
    /// The full scope strings, `<identifier>/<ScopeName>`.
    pub fn scope_strings(&self) -> impl Iterator<Item = String> + '_ {
        self.scopes
            .iter()
            .map(|s| format!("{}/{}", self.identifier, s.scope_name))
    }
}

/// CreateResourceServer and UpdateResourceServer share their members.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerRequest {
    pub user_pool_id: String,
    pub identifier: String,
    pub name: String,
    pub scopes: Option<Vec<ResourceServerScope>>,
}

/// `ListResourceServers` pages hold at most 50.
const MAX_PAGE: usize = 50;

fn not_found(identifier: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFound,
        format!("Resource server {identifier} does not exist."),
    )
}

/// Scope names must be unique within a server (the model checks their length and characters).
fn check_scopes(scopes: &[ResourceServerScope]) -> Result<()> {
    for (i, s) in scopes.iter().enumerate() {
        if scopes[..i].iter().any(|o| o.scope_name == s.scope_name) {
            return Err(CognitoError::invalid_parameter(format!(
                "Duplicate scope name {} in the resource server.",
                s.scope_name
            )));
        }
    }
    Ok(())
}

impl Cognito {
    pub async fn resource_server(
        &self,
        region: &str,
        pool_id: &str,
        identifier: &str,
    ) -> Result<ResourceServer> {
        self.pool(region, pool_id).await?;
        self.store
            .get_resource_server(pool_id, identifier)
            .await?
            .ok_or_else(|| not_found(identifier))
    }

    pub async fn create_resource_server(
        &self,
        region: &str,
        req: ResourceServerRequest,
    ) -> Result<ResourceServer> {
        self.pool(region, &req.user_pool_id).await?;
        let scopes = req.scopes.unwrap_or_default();
        check_scopes(&scopes)?;
        let server = ResourceServer {
            user_pool_id: req.user_pool_id,
            identifier: req.identifier,
            name: req.name,
            scopes,
        };
        match self.store.insert_resource_server(&server).await {
            Err(StoreError::Conflict(_)) => Err(CognitoError::invalid_parameter(format!(
                "A resource server with identifier {} already exists.",
                server.identifier
            ))),
            r => {
                r?;
                tracing::info!(pool_id = %server.user_pool_id, identifier = %server.identifier, "resource server created");
                Ok(server)
            }
        }
    }

    /// Replaces the name and the scopes: omitted scopes mean none, as in Cognito.
    pub async fn update_resource_server(
        &self,
        region: &str,
        req: ResourceServerRequest,
    ) -> Result<ResourceServer> {
        let mut server = self
            .resource_server(region, &req.user_pool_id, &req.identifier)
            .await?;
        let scopes = req.scopes.unwrap_or_default();
        check_scopes(&scopes)?;
        server.name = req.name;
        server.scopes = scopes;
        self.store.update_resource_server(&server).await?;
        Ok(server)
    }

    /// App clients keep naming the deleted scopes; tokens just stop carrying them.
    pub async fn delete_resource_server(
        &self,
        region: &str,
        pool_id: &str,
        identifier: &str,
    ) -> Result<()> {
        self.resource_server(region, pool_id, identifier).await?;
        self.store
            .delete_resource_server(pool_id, identifier)
            .await?;
        Ok(())
    }

    pub async fn list_resource_servers(
        &self,
        region: &str,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Page<ResourceServer>> {
        self.pool(region, pool_id).await?;
        let after = PageToken::decode_opt(next_token)?;
        let limit = max_results.map_or(MAX_PAGE, |n| n.clamp(1, MAX_PAGE as i64) as usize);
        let servers = self
            .store
            .list_resource_servers(pool_id, after.as_deref(), limit + 1)
            .await?;
        Ok(Page::from_overfetch(servers, limit, |s| {
            s.identifier.clone()
        }))
    }

    /// Every custom scope of the pool, `<identifier>/<ScopeName>`, ordered by identifier.
    /// The OAuth endpoints use it for `client_credentials`; app clients may name only these
    /// (and the standard scopes).
    pub async fn resource_server_scopes(&self, pool_id: &str) -> Result<Vec<String>> {
        let mut scopes = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .list_resource_servers(pool_id, after.as_deref(), 100)
                .await?;
            let done = page.len() < 100;
            after = page.last().map(|s| s.identifier.clone());
            scopes.extend(page.iter().flat_map(ResourceServer::scope_strings));
            if done {
                return Ok(scopes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_strings_and_duplicates() {
        let scope = |n: &str| ResourceServerScope {
            scope_name: n.into(),
            scope_description: "d".into(),
        };
        let s = ResourceServer {
            user_pool_id: "p".into(),
            identifier: "https://api.example.com".into(),
            name: "api".into(),
            scopes: vec![scope("read"), scope("write")],
        };
        assert_eq!(
            s.scope_strings().collect::<Vec<_>>(),
            [
                "https://api.example.com/read",
                "https://api.example.com/write"
            ]
        );
        assert!(check_scopes(&s.scopes).is_ok());
        assert!(check_scopes(&[scope("a"), scope("a")]).is_err());
    }
}
