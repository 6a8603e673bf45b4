//! Sign-in on the hosted pages: the same checks as the API (lockout, account states,
//! Cognito's messages, the second factor), without SECRET_HASH, which a browser cannot
//! compute.

use crate::auth::{AuthResponse, NEW_PASSWORD_REQUIRED};
use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::mfa::challenge::Next;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::{Attribute, User};

pub enum WebSignIn {
    SignedIn(Box<User>),
    /// The user must choose a password: continue with this sealed session.
    NewPasswordRequired {
        session: String,
        required: Vec<String>,
    },
    /// A second factor is asked: the challenge as the API gives it (name, session,
    /// parameters such as CODE_DELIVERY_DESTINATION or MFAS_CAN_SETUP).
    SecondFactor(Box<AuthResponse>),
}

impl From<Next> for WebSignIn {
    fn from(next: Next) -> Self {
        match next {
            Next::Done(user) => WebSignIn::SignedIn(user),
            Next::Challenge(challenge) => WebSignIn::SecondFactor(challenge),
        }
    }
}

impl Cognito {
    pub async fn web_sign_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
        password: &str,
    ) -> Result<WebSignIn> {
        let user = match self.find_user_opt(pool, username).await? {
            None => {
                let source = crate::triggers::migration::AUTHENTICATION;
                self.migrate_user(pool, client, username, Some(password), source)
                    .await?
            }
            found => found,
        };
        let user = self
            .check_password(pool, client, username, user, password)
            .await?;
        match self.account_gate(pool, &user)? {
            None => {
                let next = self.next_factor(pool, client, user, None).await?;
                Ok(self.web_finished(pool, client, next).await?.into())
            }
            Some(_) => {
                let required = pool
                    .schema_attributes
                    .iter()
                    .filter(|a| a.is_required() && a.name != "sub" && user.attr(&a.name).is_none())
                    .map(|a| a.name.clone())
                    .collect();
                let session = self.seal_challenge(
                    &pool.id,
                    client.client_id(),
                    &user,
                    NEW_PASSWORD_REQUIRED,
                    client.settings.auth_session_validity,
                    None,
                );
                Ok(WebSignIn::NewPasswordRequired { session, required })
            }
        }
    }

    pub async fn web_new_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
        new_password: &str,
        attributes: &[Attribute],
    ) -> Result<WebSignIn> {
        let state = self.open_challenge(session, client.client_id(), NEW_PASSWORD_REQUIRED)?;
        let user = self
            .challenge_user(pool, &state)
            .await?
            .ok_or_else(CognitoError::user_not_found)?;
        let user = self
            .complete_new_password(pool, client, &state, user, new_password, attributes)
            .await?;
        let next = self.next_factor(pool, client, user, None).await?;
        Ok(self.web_finished(pool, client, next).await?.into())
    }
}
