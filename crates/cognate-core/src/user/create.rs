//! AdminCreateUser, with its invitation (AWS API reference: AdminCreateUser; REFERENCE.md
//! §8, §12): the temporary password goes to the user by the `DesiredDeliveryMediums` (SMS by
//! default, email when the user has no phone), rendered from `InviteMessageTemplate`, in the
//! same transaction as the user.

use super::{AdminCreateUserRequest, User, UserView, check_writes, new_identity, status};
use crate::error::{CognitoError, ErrorKind, Result, StoreError};
use crate::messaging::{Medium, OutboxRecord, templates};
use crate::password::{self, PolicyContext};
use crate::pool::UserPool;
use crate::service::Cognito;

impl Cognito {
    pub async fn admin_create_user(
        &self,
        region: &str,
        req: AdminCreateUserRequest,
    ) -> Result<UserView> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let policy = pool.password_policy().clone();
        if let Some(p) = &req.temporary_password {
            password::check_policy(&policy, p, PolicyContext::Other)?;
        }
        let resend = match req.message_action.as_deref() {
            Some("RESEND") => true,
            Some("SUPPRESS") | None => false,
            Some(other) => {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid MessageAction: {other}"
                )));
            }
        };
        let temporary = req
            .temporary_password
            .clone()
            .unwrap_or_else(|| password::generate_temporary(&policy));
        let now = self.clock.now();

        if resend {
            let mut user = self.find_user(&pool, &req.username).await?;
            if user.status != status::FORCE_CHANGE_PASSWORD {
                return Err(CognitoError::new(
                    ErrorKind::UnsupportedUserState,
                    format!(
                        "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                        user.username
                    ),
                ));
            }
            let credentials = self
                .credentials(&pool.id, &user.username, &user.sub, &temporary)
                .await?;
            user.password_hash = Some(credentials.hash);
            user.srp_verifier = Some(credentials.srp_verifier);
            user.password_set = Some(now);
            user.modified = now;
            let invitations = self.invitations(&pool, &user, &temporary, &req).await?;
            self.store
                .update_user_with_messages(&user, &invitations)
                .await?;
            self.outbox_ready.notify_one();
            return Ok(user.view(None));
        }

        let given = check_writes(&pool, &req.user_attributes, true)?;
        let (username, sub, attributes) = new_identity(&pool, &req.username, given)?;
        let credentials = self
            .credentials(&pool.id, &username, &sub, &temporary)
            .await?;
        let mut user = User {
            pool_id: pool.id.clone(),
            username_key: pool.username_key(&username),
            username,
            sub,
            attributes,
            status: status::FORCE_CHANGE_PASSWORD.into(),
            enabled: true,
            created: now,
            modified: now,
            password_hash: Some(credentials.hash),
            password_set: Some(now),
            srp_verifier: Some(credentials.srp_verifier),
            mfa: Default::default(),
            mfa_options: Vec::new(),
        };
        // PreSignUp may verify attributes; the user still changes the temporary password.
        let passed = crate::triggers::sign_up::Passed {
            client_metadata: req.client_metadata.as_ref(),
            validation_data: req.validation_data.as_ref(),
            ..Default::default()
        };
        self.pre_sign_up(
            &pool,
            &mut user,
            crate::triggers::sign_up::PRE_SIGN_UP_ADMIN_CREATE_USER,
            passed,
        )
        .await?;
        // Messages first (CustomMessage may refuse): nothing of another user changes before.
        let invitations = self.invitations(&pool, &user, &temporary, &req).await?;
        self.claim_aliases(&pool, &user, req.force_alias_creation)
            .await?;
        match self
            .store
            .insert_user_with_code(&user, None, &invitations)
            .await
        {
            Err(StoreError::Conflict(_)) => {
                return Err(CognitoError::new(
                    ErrorKind::UsernameExists,
                    "User account already exists",
                ));
            }
            r => r?,
        }
        tracing::info!(pool_id = %pool.id, sub = %user.sub, "user created by admin");
        self.outbox_ready.notify_one();
        Ok(user.view(None))
    }

    /// The invitation messages of a new (or re-invited) user, as the pool's CustomMessage
    /// function writes them; none with `SUPPRESS`.
    async fn invitations(
        &self,
        pool: &UserPool,
        user: &User,
        temporary: &str,
        req: &AdminCreateUserRequest,
    ) -> Result<Vec<OutboxRecord>> {
        if req.message_action.as_deref() == Some("SUPPRESS") {
            return Ok(Vec::new());
        }
        let asked: Vec<Medium> = req
            .desired_delivery_mediums
            .iter()
            .flatten()
            .filter_map(|m| match m.as_str() {
                "EMAIL" => Some(Medium::Email),
                "SMS" => Some(Medium::Sms),
                _ => None,
            })
            .collect();
        let mut mediums = if asked.is_empty() {
            vec![Medium::Sms]
        } else {
            asked.clone()
        };
        if asked.is_empty() && user.attr("phone_number").is_none() {
            mediums = vec![Medium::Email];
        }
        // The name the user signs in with: the email or phone number in pools that use one.
        let sign_in_name = pool
            .username_attributes
            .iter()
            .find_map(|a| user.attr(a))
            .unwrap_or(&user.username);
        let mut sealed = Vec::new();
        for m in mediums {
            let Some(to) = user.attr(m.attribute()) else {
                continue;
            };
            let Some(message) = templates::invitation(pool, m, to, sign_in_name, temporary) else {
                continue;
            };
            let secrets = crate::triggers::messages::Secrets {
                code: temporary,
                link: None,
                username: Some(sign_in_name),
            };
            let message = self
                .custom_message(
                    pool,
                    None,
                    user,
                    crate::triggers::messages::ADMIN_CREATE_USER,
                    message,
                    secrets,
                )
                .await?;
            sealed.push(self.seal_message(&message));
        }
        Ok(sealed)
    }
}
