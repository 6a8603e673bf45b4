//! UserMigration (AWS developer guide "Migrate user Lambda trigger"): a name the pool does not
//! know, signing in with a password (`UserMigration_Authentication`, not SRP) or asking for a
//! password reset (`UserMigration_ForgotPassword`), is looked up by the function in the old
//! system. Its answer (`userAttributes`, `finalUserStatus`, `forceAliasCreation`) makes the
//! user here, with the password just given, and the flow goes on as for any user. A function
//! that throws means "no such user": the caller answers as for an unknown name.

use super::Event;
use crate::client::AppClient;
use crate::error::{ErrorKind, Result, StoreError};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::{Attribute, User, check_writes, new_identity, status};
use serde_json::{Map, Value};

pub const AUTHENTICATION: &str = "UserMigration_Authentication";
pub const FORGOT_PASSWORD: &str = "UserMigration_ForgotPassword";

impl Cognito {
    /// The user the pool's UserMigration function brings for `typed`, now stored; `None`
    /// when the pool has no such function or the function knows no such user.
    pub(crate) async fn migrate_user(
        &self,
        pool: &UserPool,
        client: &AppClient,
        typed: &str,
        password: Option<&str>,
        source: &'static str,
    ) -> Result<Option<User>> {
        if self.trigger_arn(pool, "UserMigration").is_none() {
            return Ok(None);
        }
        let mut request = Map::new();
        if let Some(password) = password {
            request.insert("password".into(), Value::from(password));
        }
        request.insert("validationData".into(), super::validation_data());
        request.insert("clientMetadata".into(), Value::Null);
        let answer = self
            .run_trigger(Event {
                pool,
                version: "1",
                trigger: "UserMigration",
                source,
                user_name: typed,
                client_id: Some(client.client_id()),
                request,
            })
            .await;
        let response = match answer {
            Ok(Some(response)) => response,
            Ok(None) => return Ok(None),
            Err(e) if e.kind == ErrorKind::UserLambdaValidation => return Ok(None),
            Err(e) => return Err(e),
        };
        let attributes: Vec<Attribute> = response
            .get("userAttributes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(name, _)| *name != "sub" && *name != "username")
            .filter_map(|(name, value)| match value {
                Value::String(s) => Some(Attribute::new(name, s)),
                Value::Bool(b) => Some(Attribute::new(name, b.to_string())),
                _ => None,
            })
            .collect();
        let given = check_writes(pool, &attributes, true)?;
        let (username, sub, attributes) = new_identity(pool, typed, given)?;
        let reset = response.get("finalUserStatus").and_then(Value::as_str)
            == Some("RESET_REQUIRED")
            || password.is_none();
        let now = self.clock.now();
        let mut user = User {
            pool_id: pool.id.clone(),
            username_key: pool.username_key(&username),
            username,
            sub,
            attributes,
            status: if reset {
                status::RESET_REQUIRED
            } else {
                status::CONFIRMED
            }
            .into(),
            enabled: true,
            created: now,
            modified: now,
            password_hash: None,
            password_set: None,
            srp_verifier: None,
            mfa: Default::default(),
            mfa_options: Vec::new(),
        };
        if let Some(password) = password {
            let credentials = self
                .credentials(&pool.id, &user.username, &user.sub, password)
                .await?;
            user.password_hash = Some(credentials.hash);
            user.srp_verifier = Some(credentials.srp_verifier);
            user.password_set = Some(now);
        }
        let force = super::flag(&response, "forceAliasCreation");
        self.claim_aliases(pool, &user, force).await?;
        match self.store.insert_user_with_code(&user, None, &[]).await {
            // Migrated meanwhile by another request: that user it is.
            Err(StoreError::Conflict(_)) => {
                return Ok(self.store.get_user(&pool.id, &user.username_key).await?);
            }
            r => r?,
        }
        tracing::info!(pool_id = %pool.id, sub = %user.sub, "user migrated");
        Ok(Some(user))
    }
}
