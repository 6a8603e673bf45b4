//! The device operations, each as the user (access token) and as an administrator:
//! ConfirmDevice, (Admin)GetDevice, (Admin)ListDevices, (Admin)UpdateDeviceStatus,
//! (Admin)ForgetDevice (AWS API reference; shapes from service-2.json). Devices are found
//! by key within the pool and must belong to the user, else "Device does not exist.".

use super::{Device, tracking};
use crate::error::{CognitoError, ErrorKind, Result};
use crate::page::{Page, PageToken, limit_or_max};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::srp::group;
use crate::time::Timestamp;
use crate::user::{Attribute, User};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_bigint::U3072;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Whose devices: the holder of an access token, or a user named by an administrator.
pub enum Owner<'a> {
    Token(&'a str),
    Admin {
        region: &'a str,
        pool_id: &'a str,
        username: &'a str,
    },
}

/// `DeviceSecretVerifierConfigType`: base64 of the salt and of `g^x` (REFERENCE.md §5).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceSecretVerifierConfig {
    pub password_verifier: Option<String>,
    pub salt: Option<String>,
}

/// `ConfirmDeviceRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceRequest {
    pub access_token: String,
    pub device_key: String,
    pub device_secret_verifier_config: Option<DeviceSecretVerifierConfig>,
    pub device_name: Option<String>,
}

/// `ConfirmDeviceResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceResponse {
    pub user_confirmation_necessary: bool,
}

/// `DeviceType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceView {
    pub device_key: String,
    pub device_attributes: Vec<Attribute>,
    pub device_create_date: Timestamp,
    pub device_last_modified_date: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_last_authenticated_date: Option<Timestamp>,
}

impl From<Device> for DeviceView {
    fn from(d: Device) -> Self {
        let status = if d.remembered {
            "remembered"
        } else {
            "not_remembered"
        };
        let mut attributes = vec![Attribute::new("device_status", "valid")];
        if let Some(name) = &d.name {
            attributes.push(Attribute::new("device_name", name));
        }
        attributes.push(Attribute::new("dev:device_remembered_status", status));
        if let Some(ip) = &d.last_ip {
            attributes.push(Attribute::new("last_ip_used", ip));
        }
        DeviceView {
            device_key: d.device_key,
            device_attributes: attributes,
            device_create_date: d.created,
            device_last_modified_date: d.modified,
            device_last_authenticated_date: d.last_authenticated,
        }
    }
}

fn invalid_verifier() -> CognitoError {
    CognitoError::invalid_parameter("Invalid DeviceSecretVerifierConfig.")
}

/// The salt bytes and verifier a client sends; `v` must be an element of the group other
/// than 0 and 1.
fn parse_verifier(config: Option<&DeviceSecretVerifierConfig>) -> Result<(Vec<u8>, U3072)> {
    let config = config.ok_or_else(invalid_verifier)?;
    let decode = |v: &Option<String>| v.as_deref().and_then(|s| B64.decode(s).ok());
    let salt = decode(&config.salt).filter(|s| !s.is_empty() && s.len() <= 64);
    let v = decode(&config.password_verifier).and_then(|v| group::from_bytes(&v));
    match (salt, v.and_then(|v| group::client_public(&v))) {
        (Some(salt), Some(v)) if v != U3072::ONE => Ok((salt, v)),
        _ => Err(invalid_verifier()),
    }
}

impl Cognito {
    async fn device_owner(&self, owner: Owner<'_>) -> Result<(Arc<UserPool>, User)> {
        match owner {
            Owner::Token(token) => {
                let (claims, user) = self.authorize_self_service(token).await?;
                Ok((self.pool_of(&claims).await?, user))
            }
            Owner::Admin {
                region,
                pool_id,
                username,
            } => {
                let pool = self.pool(region, pool_id).await?;
                let user = self.find_user(&pool, username).await?;
                Ok((pool, user))
            }
        }
    }

    /// ConfirmDevice: the device named by the access token's `device_key` claim becomes the
    /// user's, with its SRP verifier (sealed). `UserConfirmationNecessary` when the pool
    /// remembers devices only on the user's prompt.
    pub async fn confirm_device(&self, req: ConfirmDeviceRequest) -> Result<ConfirmDeviceResponse> {
        let (claims, user) = self.authorize_self_service(&req.access_token).await?;
        let pool = self.pool_of(&claims).await?;
        let tracking = tracking(&pool).ok_or_else(|| {
            CognitoError::invalid_parameter("Device tracking is not enabled for this user pool.")
        })?;
        if claims.claims.get("device_key").and_then(|k| k.as_str()) != Some(&req.device_key) {
            return Err(super::no_such_device());
        }
        let (salt, v) = parse_verifier(req.device_secret_verifier_config.as_ref())?;
        let now = self.clock.now();
        let existing = self.store.get_device(&pool.id, &req.device_key).await?;
        if existing.as_ref().is_some_and(|d| d.sub != user.sub) {
            return Err(super::no_such_device());
        }
        let remembered = !tracking.device_only_remembered_on_user_prompt;
        let device = Device {
            pool_id: pool.id.clone(),
            device_key: req.device_key.clone(),
            username_key: user.username_key.clone(),
            sub: user.sub.clone(),
            group_key: self.group_key(&req.device_key),
            verifier: self.seal_device_verifier(&pool.id, &req.device_key, &salt, &v),
            name: req.device_name.filter(|n| !n.is_empty()),
            remembered,
            created: existing.as_ref().map_or(now, |d| d.created),
            modified: now,
            last_authenticated: Some(now),
            last_ip: None,
        };
        self.store.put_device(&device).await?;
        Ok(ConfirmDeviceResponse {
            user_confirmation_necessary: !remembered,
        })
    }

    /// GetDevice / AdminGetDevice.
    pub async fn get_device(&self, owner: Owner<'_>, device_key: &str) -> Result<DeviceView> {
        let (pool, user) = self.device_owner(owner).await?;
        Ok(self.device_of(&pool, &user, device_key).await?.into())
    }

    /// ListDevices / AdminListDevices: the user's devices in device-key order, 60 at most per
    /// page.
    pub async fn list_devices(
        &self,
        owner: Owner<'_>,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<DeviceView>> {
        let (pool, user) = self.device_owner(owner).await?;
        let after = PageToken::decode_opt(token)?;
        let limit = limit_or_max(limit, 60);
        let devices = self
            .store
            .list_devices(&pool.id, &user.username_key, after.as_deref(), limit + 1)
            .await?
            .into_iter()
            .filter(|d| d.sub == user.sub)
            .collect();
        Ok(Page::from_overfetch(devices, limit, |d: &Device| d.device_key.clone()).map(Into::into))
    }

    /// UpdateDeviceStatus / AdminUpdateDeviceStatus: `remembered` or `not_remembered`.
    pub async fn update_device_status(
        &self,
        owner: Owner<'_>,
        device_key: &str,
        status: Option<&str>,
    ) -> Result<()> {
        let remembered = match status {
            Some("remembered") => true,
            Some("not_remembered") | None => false,
            Some(other) => {
                return Err(CognitoError::new(
                    ErrorKind::InvalidParameter,
                    format!(
                        "1 validation error detected: Value '{other}' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"
                    ),
                ));
            }
        };
        let (pool, user) = self.device_owner(owner).await?;
        let mut device = self.device_of(&pool, &user, device_key).await?;
        device.remembered = remembered;
        device.modified = self.clock.now();
        if !self.store.update_device(&device).await? {
            return Err(super::no_such_device());
        }
        Ok(())
    }

    /// ForgetDevice / AdminForgetDevice: the device is gone, and with it the refresh tokens
    /// issued to it.
    pub async fn forget_device(&self, owner: Owner<'_>, device_key: &str) -> Result<()> {
        let (pool, user) = self.device_owner(owner).await?;
        self.device_of(&pool, &user, device_key).await?;
        let now = self.clock.now().millis();
        self.store.delete_device(&pool.id, device_key, now).await?;
        Ok(())
    }
}
