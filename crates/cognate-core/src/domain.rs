//! User pool domains: the prefix or custom host name the hosted UI is served under.

use crate::error::{CognitoError, Result, StoreError};
use crate::service::Cognito;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A domain as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PoolDomain {
    pub domain: String,
    pub pool_id: String,
    /// Present for custom domains (`{CertificateArn, SecurityPolicy}`); absent for prefixes.
    pub custom_domain_config: Option<Value>,
    pub managed_login_version: i64,
    pub created: Timestamp,
}

/// `DomainDescriptionType`. Cognito answers `{}` for a domain that does not exist.
#[derive(Debug, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct DomainDescription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(rename = "AWSAccountId", skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_front_distribution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain_config: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_login_version: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainChange {
    pub managed_login_version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_front_domain: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainRequest {
    pub domain: String,
    pub user_pool_id: String,
    pub managed_login_version: Option<i64>,
    pub custom_domain_config: Option<Value>,
}

fn valid_prefix(d: &str) -> bool {
    let b = d.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn valid_fqdn(d: &str) -> bool {
    d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

impl Cognito {
    pub async fn create_user_pool_domain(
        &self,
        region: &str,
        req: DomainRequest,
    ) -> Result<DomainChange> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let custom = req.custom_domain_config.is_some();
        if custom {
            if !valid_fqdn(&req.domain) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Custom domain {} is not a valid domain name.",
                    req.domain
                )));
            }
        } else {
            if !valid_prefix(&req.domain) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Domain {} is invalid: a prefix domain has lower-case letters, numbers and hyphens only.",
                    req.domain
                )));
            }
            // The hosted UI console refuses these words in prefixes; so does Cognito.
            if ["aws", "amazon", "cognito"]
                .iter()
                .any(|w| req.domain.contains(w))
            {
                return Err(CognitoError::invalid_parameter(
                    "Domain cannot contain reserved word: aws, amazon, or cognito.",
                ));
            }
        }
        let existing = self.store.list_domains_of_pool(&pool.id).await?;
        if existing
            .iter()
            .any(|d| d.custom_domain_config.is_some() == custom)
        {
            return Err(CognitoError::invalid_parameter(
                "The user pool already has a domain configured.",
            ));
        }
        let domain = PoolDomain {
            domain: req.domain.clone(),
            pool_id: pool.id.clone(),
            custom_domain_config: req.custom_domain_config,
            managed_login_version: req.managed_login_version.unwrap_or(1),
            created: self.clock.now(),
        };
        match self.store.insert_domain(&domain).await {
            Err(StoreError::Conflict(_)) => {
                return Err(CognitoError::invalid_parameter(
                    "Domain already associated with another user pool.",
                ));
            }
            r => r?,
        }
        Ok(DomainChange {
            managed_login_version: domain.managed_login_version,
            cloud_front_domain: custom.then(|| domain.domain.clone()),
        })
    }

    pub async fn describe_user_pool_domain(
        &self,
        region: &str,
        domain: &str,
    ) -> Result<DomainDescription> {
        let Some(d) = self.store.get_domain(domain).await? else {
            return Ok(DomainDescription::default());
        };
        if crate::ids::region_of_pool(&d.pool_id) != Some(region) {
            return Ok(DomainDescription::default());
        }
        Ok(DomainDescription {
            user_pool_id: Some(d.pool_id),
            aws_account_id: Some(self.account_id.clone()),
            cloud_front_distribution: Some(d.domain.clone()),
            domain: Some(d.domain),
            version: Some("20130630".into()),
            status: Some("ACTIVE".into()),
            custom_domain_config: d.custom_domain_config,
            managed_login_version: Some(d.managed_login_version),
        })
    }

    async fn domain_of_pool(
        &self,
        region: &str,
        pool_id: &str,
        domain: &str,
    ) -> Result<PoolDomain> {
        self.pool(region, pool_id).await?;
        match self.store.get_domain(domain).await? {
            Some(d) if d.pool_id == pool_id => Ok(d),
            _ => Err(CognitoError::invalid_parameter(
                "No such domain or user pool exists.",
            )),
        }
    }

    pub async fn update_user_pool_domain(
        &self,
        region: &str,
        req: DomainRequest,
    ) -> Result<DomainChange> {
        let mut d = self
            .domain_of_pool(region, &req.user_pool_id, &req.domain)
            .await?;
        if let Some(v) = req.managed_login_version {
            d.managed_login_version = v;
        }
        if let Some(cfg) = req.custom_domain_config {
            if d.custom_domain_config.is_none() {
                return Err(CognitoError::invalid_parameter(
                    "CustomDomainConfig applies to custom domains only.",
                ));
            }
            d.custom_domain_config = Some(cfg);
        }
        self.store.update_domain(&d).await?;
        Ok(DomainChange {
            managed_login_version: d.managed_login_version,
            cloud_front_domain: d.custom_domain_config.is_some().then(|| d.domain.clone()),
        })
    }

    pub async fn delete_user_pool_domain(
        &self,
        region: &str,
        pool_id: &str,
        domain: &str,
    ) -> Result<()> {
        self.domain_of_pool(region, pool_id, domain).await?;
        self.store.delete_domain(domain).await?;
        Ok(())
    }
}
