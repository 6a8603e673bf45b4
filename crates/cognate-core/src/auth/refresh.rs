//! Refreshing, rotating and revoking: REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken,
//! RevokeToken, GlobalSignOut and AdminUserGlobalSignOut.

use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::store::RefreshTokenRecord;
use crate::tokens::{
    ADMIN_SCOPE, AuthenticationResult, Issue, new_refresh_token, refresh_token_hash,
};
use serde::Deserialize;

/// How the caller proves it is the client: SECRET_HASH (InitiateAuth) or the raw secret
/// (GetTokensFromRefreshToken, RevokeToken).
pub enum RefreshCheck<'a> {
    SecretHash(Option<&'a str>),
    ClientSecret(Option<&'a str>),
    /// Already authenticated (the OAuth token endpoint).
    Authenticated,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    pub refresh_token: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub device_key: Option<String>,
}

fn invalid_refresh() -> CognitoError {
    CognitoError::not_authorized("Invalid Refresh Token")
}

impl crate::client::ClientSettings {
    pub fn refresh_token_rotation_enabled(&self) -> bool {
        self.refresh_token_rotation
            .as_ref()
            .and_then(|r| r.get("Feature"))
            .and_then(|f| f.as_str())
            == Some("ENABLED")
    }

    fn rotation_grace_seconds(&self) -> i64 {
        self.refresh_token_rotation
            .as_ref()
            .and_then(|r| r.get("RetryGracePeriodSeconds"))
            .and_then(|g| g.as_i64())
            .unwrap_or(0)
    }
}

impl Cognito {
    pub(crate) fn check_client_secret(
        &self,
        client: &AppClient,
        presented: Option<&str>,
    ) -> Result<()> {
        if !client.has_secret() {
            return Ok(());
        }
        let id = client.client_id();
        match presented {
            None => Err(CognitoError::not_authorized(format!(
                "Client {id} is configured for secret but secret was not received"
            ))),
            Some(s) if self.client_secret_matches(client, s)? => Ok(()),
            Some(_) => Err(CognitoError::not_authorized(format!(
                "Unable to verify secret for client {id}"
            ))),
        }
    }

    /// New ID and access tokens for a refresh token; with `rotate`, a new refresh token too.
    /// Returns the result and the pool's user's internal username.
    pub async fn refresh(
        &self,
        pool: &UserPool,
        client: &AppClient,
        token: &str,
        check: RefreshCheck<'_>,
        rotate: bool,
        device_key: Option<&str>,
    ) -> Result<(AuthenticationResult, String)> {
        let now = self.clock.now();
        let record = self
            .store
            .find_refresh_token(&refresh_token_hash(token))
            .await?
            .ok_or_else(invalid_refresh)?;
        let session = self
            .store
            .get_auth_session(&record.origin_jti)
            .await?
            .ok_or_else(invalid_refresh)?;
        if session.client_id != client.client_id() || session.pool_id != pool.id {
            return Err(invalid_refresh());
        }
        let user = self
            .store
            .get_user(&pool.id, &session.username_key)
            .await?
            .ok_or_else(|| CognitoError::not_authorized("User does not exist."))?;
        match check {
            RefreshCheck::SecretHash(h) => {
                self.check_secret_hash(client, h, &[&user.username, &user.sub])?
            }
            RefreshCheck::ClientSecret(s) => self.check_client_secret(client, s)?,
            RefreshCheck::Authenticated => {}
        }
        if session.revoked_ms.is_some() {
            return Err(CognitoError::not_authorized(
                "Refresh Token has been revoked",
            ));
        }
        if now.millis() > session.expires_ms {
            return Err(CognitoError::not_authorized("Refresh Token has expired"));
        }
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        self.check_refresh_device(pool, &session, device_key)
            .await?;
        if let Some(replaced) = record.replaced_ms
            && now.millis() - replaced > client.settings.rotation_grace_seconds() * 1000
        {
            // A rotated-out token used again: treat it as stolen and end the session.
            self.store
                .revoke_auth_session(&session.origin_jti, now.millis())
                .await?;
            return Err(CognitoError::new(
                ErrorKind::RefreshTokenReuse,
                "Refresh token has already been used.",
            ));
        }
        let refresh_token = if rotate {
            let (new_token, hash) = new_refresh_token();
            let next = RefreshTokenRecord {
                token_hash: hash,
                origin_jti: session.origin_jti.clone(),
                pool_id: pool.id.clone(),
                created_ms: now.millis(),
                replaced_ms: None,
            };
            if !self
                .store
                .rotate_refresh_token(&record.token_hash, now.millis(), &next)
                .await?
            {
                // Already rotated, and within the grace period: a retry gets a token too.
                self.store.add_refresh_token(&next).await?;
            }
            crate::metrics::tokens_issued("refresh");
            Some(new_token)
        } else {
            None
        };
        let (access_token, id_token) = self
            .mint(&Issue {
                pool,
                client,
                user: &user,
                origin_jti: &session.origin_jti,
                auth_time_s: session.auth_time_ms / 1000,
                scope: session.scope.as_deref().unwrap_or(ADMIN_SCOPE),
                nonce: None,
                oauth: session.scope.is_some(),
                device_key: session.device_key.as_deref(),
                source: crate::triggers::tokens::REFRESH_TOKENS,
            })
            .await?;
        Ok((
            AuthenticationResult {
                access_token,
                expires_in: client.settings.access_token_seconds(),
                token_type: "Bearer",
                id_token,
                refresh_token,
                new_device_metadata: None,
            },
            user.username,
        ))
    }

    pub async fn get_tokens_from_refresh_token(
        &self,
        req: GetTokensFromRefreshTokenRequest,
    ) -> Result<AuthenticationResult> {
        let client = self.client_by_id(&req.client_id).await?;
        let pool = self
            .store
            .get_pool(client.pool_id())
            .await?
            .ok_or_else(|| CognitoError::client_not_found(&req.client_id))?;
        let rotate = client.settings.refresh_token_rotation_enabled();
        let (result, _) = self
            .refresh(
                &pool,
                &client,
                &req.refresh_token,
                RefreshCheck::ClientSecret(req.client_secret.as_deref()),
                rotate,
                req.device_key.as_deref(),
            )
            .await?;
        Ok(result)
    }

    /// The device side of a refresh: tokens issued to a device its user confirmed refresh only
    /// with that DEVICE_KEY; a key that is not the session's is refused. Tokens of a device
    /// never confirmed refresh without one. (ForgetDevice revokes the device's sessions.)
    async fn check_refresh_device(
        &self,
        pool: &UserPool,
        session: &crate::store::AuthSession,
        presented: Option<&str>,
    ) -> Result<()> {
        let Some(issued) = session.device_key.as_deref() else {
            return Ok(());
        };
        let confirmed = self.store.get_device(&pool.id, issued).await?.is_some();
        match presented {
            Some(p) if p == issued && confirmed => Ok(()),
            None if !confirmed => Ok(()),
            _ => Err(invalid_refresh()),
        }
    }

    /// Revokes a refresh token and every token minted from it. Unknown tokens are accepted
    /// silently (RFC 7009), so revocation cannot be used to probe for valid tokens.
    pub async fn revoke_token(
        &self,
        token: &str,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<()> {
        let client = self.client_by_id(client_id).await?;
        if !client.settings.enable_token_revocation {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedOperation,
                "Token revocation is not enabled for this client.",
            ));
        }
        self.check_client_secret(&client, client_secret)?;
        self.revoke_token_for(&client, token).await
    }

    /// Revokes a refresh token presented by an authenticated client.
    pub(crate) async fn revoke_token_for(&self, client: &AppClient, token: &str) -> Result<()> {
        if looks_like_jwt(token) {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedTokenType,
                "Unsupported token type",
            ));
        }
        let Some(record) = self
            .store
            .find_refresh_token(&refresh_token_hash(token))
            .await?
        else {
            return Ok(());
        };
        let Some(session) = self.store.get_auth_session(&record.origin_jti).await? else {
            return Ok(());
        };
        if session.client_id != client.client_id() {
            return Err(CognitoError::new(
                ErrorKind::Unauthorized,
                "The token was not issued to this client.",
            ));
        }
        self.store
            .revoke_auth_session(&session.origin_jti, self.clock.now().millis())
            .await?;
        Ok(())
    }

    pub async fn global_sign_out(&self, access_token: &str) -> Result<()> {
        let (claims, user) = self.authorize_self_service(access_token).await?;
        self.store
            .revoke_user_sessions(
                &claims.pool_id,
                &user.username_key,
                self.clock.now().millis(),
            )
            .await?;
        Ok(())
    }

    pub async fn admin_user_global_sign_out(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        self.store
            .revoke_user_sessions(&pool.id, &user.username_key, self.clock.now().millis())
            .await?;
        Ok(())
    }
}

/// ID and access tokens are JWS (three parts); refresh tokens are not.
fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3 && jsonwebtoken::decode_header(token).is_ok()
}
