//! Remembered devices (AWS developer guide "Working with user devices in your user pool";
//! REFERENCE.md §5, §13): the pool's `DeviceConfiguration`, `NewDeviceMetadata` on a sign-in
//! without a device, `ConfirmDevice` with the device's SRP verifier, the device operations
//! ([`ops`]), and device authentication (`DEVICE_SRP_AUTH` → `DEVICE_PASSWORD_VERIFIER`,
//! [`sign_in`]) that lets a remembered device stand in for MFA.

pub mod ops;
pub mod sign_in;

use crate::pool::UserPool;
use crate::service::Cognito;
use crate::store::StoreResult;
use crate::time::Timestamp;
use async_trait::async_trait;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A device a user confirmed, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Device {
    pub pool_id: String,
    /// `<region>_<uuid>`.
    pub device_key: String,
    pub username_key: String,
    /// The owner's `sub`: a user created again under the same name does not inherit it.
    pub sub: String,
    /// `DeviceGroupKey`: with the device key, what the device's SRP verifier is bound to.
    pub group_key: String,
    /// Salt and verifier of the device's secret (DeviceSecretVerifierConfig), sealed.
    pub verifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `remembered` or `not_remembered`.
    pub remembered: bool,
    pub created: Timestamp,
    pub modified: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
}

/// Devices, by pool and device key; listed per user in device-key order.
#[async_trait]
pub trait DeviceStore {
    /// Inserts or replaces the device (ConfirmDevice).
    async fn put_device(&self, device: &Device) -> StoreResult<()>;
    /// Updates a device that still exists; `false` when it is gone (forgotten meanwhile).
    async fn update_device(&self, device: &Device) -> StoreResult<bool>;
    async fn get_device(&self, pool_id: &str, device_key: &str) -> StoreResult<Option<Device>>;
    /// Up to `limit` devices of the user with keys after `after`.
    async fn list_devices(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Device>>;
    /// Deletes the device and revokes every sign-in made from it (its refresh and access
    /// tokens stop working), in one transaction.
    async fn delete_device(&self, pool_id: &str, device_key: &str, at_ms: i64) -> StoreResult<()>;
}

/// The pool's `DeviceConfiguration`: any member given turns device tracking on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tracking {
    /// A remembered device signs in with device authentication instead of MFA.
    pub challenge_required_on_new_device: bool,
    /// ConfirmDevice leaves the device not remembered until UpdateDeviceStatus.
    pub device_only_remembered_on_user_prompt: bool,
}

/// Device tracking of `pool`, if on.
pub fn tracking(pool: &UserPool) -> Option<Tracking> {
    let config = pool.settings.get("DeviceConfiguration")?.as_object()?;
    if config.is_empty() {
        return None;
    }
    let flag = |name: &str| config.get(name).and_then(|v| v.as_bool()) == Some(true);
    Some(Tracking {
        challenge_required_on_new_device: flag("ChallengeRequiredOnNewDevice"),
        device_only_remembered_on_user_prompt: flag("DeviceOnlyRememberedOnUserPrompt"),
    })
}

/// `NewDeviceMetadata` of a sign-in's answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    pub device_key: String,
    pub device_group_key: String,
}

/// `ResourceNotFoundException` "Device does not exist." (amazon-cognito-identity-js retries a
/// sign-in without its device key on a not-found error that names the device).
pub fn no_such_device() -> crate::error::CognitoError {
    crate::error::CognitoError::new(
        crate::error::ErrorKind::ResourceNotFound,
        "Device does not exist.",
    )
}

impl Cognito {
    /// A new device key for a sign-in in `pool`, with its group key.
    pub(crate) fn new_device(&self, pool: &UserPool) -> NewDeviceMetadata {
        let region = pool.id.split('_').next().unwrap_or_default();
        let device_key = format!("{region}_{}", crate::ids::uuid());
        NewDeviceMetadata {
            device_group_key: self.group_key(&device_key),
            device_key,
        }
    }

    /// The group key of a device key: derived under the master key, so ConfirmDevice knows
    /// it without anything stored at sign-in, and nobody else can compute it.
    pub(crate) fn group_key(&self, device_key: &str) -> String {
        let mac = self.secrets.mac("device-group-key", device_key.as_bytes());
        let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac);
        let chars: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(9)
            .collect();
        format!("-{chars}")
    }

    /// The user's device `device_key`, or "Device does not exist.".
    pub(crate) async fn device_of(
        &self,
        pool: &UserPool,
        user: &crate::user::User,
        device_key: &str,
    ) -> crate::error::Result<Device> {
        self.store
            .get_device(&pool.id, device_key)
            .await?
            .filter(|d| d.sub == user.sub && d.username_key == user.username_key)
            .ok_or_else(no_such_device)
    }
}
