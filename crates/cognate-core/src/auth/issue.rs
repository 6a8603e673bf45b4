//! Tokens for a finished API sign-in: PostAuthentication, the device the sign-in names or
//! offers, and a new session.

use crate::client::AppClient;
use crate::error::Result;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::tokens::{ADMIN_SCOPE, AuthenticationResult, Issue};
use crate::user::User;

impl Cognito {
    /// Tokens for a completed sign-in: a new session with its own `origin_jti`. In a pool
    /// that tracks devices, the tokens name the sign-in's device, or a new one offered as
    /// `NewDeviceMetadata` when it came without DEVICE_KEY. `source`: the PreTokenGeneration
    /// trigger source of this sign-in's last step (`triggers::tokens`).
    pub(crate) async fn issue_sign_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        device_key: Option<&str>,
        source: &'static str,
    ) -> Result<AuthenticationResult> {
        let origin_jti = crate::ids::uuid();
        let tracked = crate::device::tracking(pool).is_some();
        let new_device = (tracked && device_key.is_none()).then(|| self.new_device(pool));
        let device_key = match &new_device {
            Some(d) => Some(d.device_key.as_str()),
            None => device_key.filter(|_| tracked),
        };
        self.post_authentication(pool, client, user, new_device.is_some())
            .await?;
        let mut result = self
            .start_session(&Issue {
                pool,
                client,
                user,
                origin_jti: &origin_jti,
                auth_time_s: self.clock.now().seconds(),
                scope: ADMIN_SCOPE,
                nonce: None,
                oauth: false,
                device_key,
                source,
            })
            .await?;
        result.new_device_metadata = new_device;
        tracing::info!(pool_id = %pool.id, client_id = %client.client_id(), sub = %user.sub, "signed in");
        Ok(result)
    }
}
