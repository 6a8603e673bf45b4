//! CustomMessage (AWS developer guide "Custom message Lambda trigger"): before a code,
//! link or invitation goes out, the function may write its text. It sees placeholders, never
//! the secret: `codeParameter` `{####}`, `linkParameter` `{##Click Here##}` and, for
//! invitations, `usernameParameter` `{username}`; Cognito puts the code, link and username in
//! afterwards. A text that lacks the code's placeholder cannot carry the code: the pool's own
//! text is sent instead.

use super::{Event, user_attributes};
use crate::error::Result;
use crate::messaging::{Medium, OutgoingMessage};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use serde_json::{Map, Value};

pub const SIGN_UP: &str = "CustomMessage_SignUp";
pub const ADMIN_CREATE_USER: &str = "CustomMessage_AdminCreateUser";
pub const RESEND_CODE: &str = "CustomMessage_ResendCode";
pub const FORGOT_PASSWORD: &str = "CustomMessage_ForgotPassword";
pub const UPDATE_USER_ATTRIBUTE: &str = "CustomMessage_UpdateUserAttribute";
pub const VERIFY_USER_ATTRIBUTE: &str = "CustomMessage_VerifyUserAttribute";
pub const AUTHENTICATION: &str = "CustomMessage_Authentication";

const CODE: &str = "{####}";
const LINK: &str = "{##Click Here##}";
const USERNAME: &str = "{username}";

/// What goes into a custom text: the code (a temporary password for invitations), a
/// confirmation link, the username of an invitation.
pub struct Secrets<'a> {
    pub code: &'a str,
    pub link: Option<&'a str>,
    pub username: Option<&'a str>,
}

impl Cognito {
    /// `message` as the pool's CustomMessage function writes it (or as it is, with no
    /// function or no usable answer); or, when the pool has a custom sender for its medium,
    /// the invocation of that sender in its place (`senders.rs`).
    pub(crate) async fn custom_message(
        &self,
        pool: &UserPool,
        client_id: Option<&str>,
        user: &User,
        source: &'static str,
        message: OutgoingMessage,
        secrets: Secrets<'_>,
    ) -> Result<OutgoingMessage> {
        if let Some(invocation) =
            super::senders::invocation(pool, message.medium, client_id, user, source, secrets.code)
        {
            return Ok(OutgoingMessage {
                subject: None,
                body: String::new(),
                custom_sender: Some(invocation),
                ..message
            });
        }
        if self.trigger_arn(pool, "CustomMessage").is_none() {
            return Ok(message);
        }
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            Value::Object(user_attributes(user)),
        );
        request.insert("codeParameter".into(), Value::from(CODE));
        request.insert("linkParameter".into(), Value::from(LINK));
        request.insert(
            "usernameParameter".into(),
            secrets
                .username
                .map_or(Value::Null, |_| Value::from(USERNAME)),
        );
        request.insert("clientMetadata".into(), Value::Null);
        let Some(response) = self
            .run_trigger(Event {
                pool,
                version: "1",
                trigger: "CustomMessage",
                source,
                user_name: &user.username,
                client_id,
                request,
            })
            .await?
        else {
            return Ok(message);
        };
        let text = |key: &str| {
            response
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let body = match message.medium {
            Medium::Email => text("emailMessage"),
            Medium::Sms => text("smsMessage"),
        };
        // The text must carry what the message exists for.
        let carries = |b: &str| match secrets.link {
            Some(_) => b.contains(CODE) || b.contains(LINK) || b.contains("{##"),
            None => b.contains(CODE),
        };
        let Some(body) = body.filter(|b| carries(b)) else {
            return Ok(message);
        };
        let mut body = body.replace(CODE, secrets.code);
        if let Some(link) = secrets.link {
            body = crate::messaging::templates::with_link(&body, link);
        }
        if let Some(username) = secrets.username {
            body = body.replace(USERNAME, username);
        }
        let subject = match message.medium {
            Medium::Email => text("emailSubject").or(message.subject.clone()),
            Medium::Sms => None,
        };
        Ok(OutgoingMessage {
            subject,
            body,
            ..message
        })
    }
}
