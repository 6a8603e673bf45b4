//! The hosted UI's sign-in cookie: a sealed record of who signed in to which pool and when.
//! Any node can open it (master key); it lasts an hour, as Cognito's does, and a second
//! authorize within that hour signs in without the form.

use crate::mfa::challenge::{Step, step};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};

pub const COOKIE_NAME: &str = "cognito";
pub const LIFETIME_SECONDS: i64 = 3600;
const AAD: &str = "cognate-web-session";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct WebSession {
    pool_id: String,
    username_key: String,
    sub: String,
    auth_time_ms: i64,
    expires_ms: i64,
    /// Whether the sign-in went through a second factor.
    #[serde(default)]
    second_factor: bool,
}

impl Cognito {
    /// The cookie value for a user who just signed in on the hosted pages.
    pub fn seal_web_session(&self, pool: &UserPool, user: &User, auth_time_ms: i64) -> String {
        let s = WebSession {
            pool_id: pool.id.clone(),
            username_key: user.username_key.clone(),
            sub: user.sub.clone(),
            auth_time_ms,
            expires_ms: self.clock.now().millis() + LIFETIME_SECONDS * 1000,
            // A cookie is set only once a sign-in is complete: for a user MFA challenges,
            // that includes the second factor.
            second_factor: step(pool, user) != Step::Tokens,
        };
        let sealed = self
            .secrets
            .seal(&serde_json::to_vec(&s).expect("serializable"), AAD);
        B64URL.encode(sealed)
    }

    /// The user a cookie signs in to `pool`, with their sign-in time, if it is valid, unexpired,
    /// and the user still exists, is enabled and is the same user (same `sub`).
    pub async fn open_web_session(&self, cookie: &str, pool: &UserPool) -> Option<(User, i64)> {
        let sealed = String::from_utf8(B64URL.decode(cookie).ok()?).ok()?;
        let s: WebSession = serde_json::from_slice(&self.secrets.open(&sealed, AAD)?).ok()?;
        if s.pool_id != pool.id || self.clock.now().millis() > s.expires_ms {
            return None;
        }
        let user = self
            .store
            .get_user(&pool.id, &s.username_key)
            .await
            .ok()??;
        // A second factor turned on since the cookie was set: sign in again, with it.
        let usable = user.sub == s.sub
            && user.enabled
            && (s.second_factor || step(pool, &user) == Step::Tokens);
        usable.then_some((user, s.auth_time_ms))
    }
}
