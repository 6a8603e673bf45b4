//! The texts of messages, from the pool's templates (AWS Cognito developer guide, "Customizing
//! email and SMS messages"): `VerificationMessageTemplate` for codes and confirmation links
//! (`{####}`, `{##link text##}`), `AdminCreateUserConfig.InviteMessageTemplate` for invitations
//! (`{username}`, `{####}` = the temporary password), Cognito's own texts where the pool sets
//! none, and `EmailConfiguration` for the sender's address.

use super::{Medium, OutgoingMessage};
use crate::pool::UserPool;
use serde_json::Value;

const DEFAULT_CODE_MESSAGE: &str = "Your verification code is {####}. ";
const DEFAULT_CODE_SUBJECT: &str = "Your verification code";
const DEFAULT_LINK_MESSAGE: &str =
    "Please click the link below to verify your email address. {##Verify Email##} ";
const DEFAULT_LINK_SUBJECT: &str = "Your verification link";
const DEFAULT_INVITE_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}. ";
const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn message(
    pool: &UserPool,
    medium: Medium,
    to: &str,
    subject: Option<String>,
    body: String,
) -> OutgoingMessage {
    let email = &pool.email_configuration;
    OutgoingMessage {
        pool_id: pool.id.clone(),
        medium,
        to: to.to_owned(),
        subject: (medium == Medium::Email).then(|| subject.unwrap_or_default()),
        body,
        from: text(email, "From").map(str::to_owned),
        reply_to: text(email, "ReplyToEmailAddress").map(str::to_owned),
        custom_sender: None,
    }
}

/// Whether the pool confirms email addresses with a link rather than a code.
pub fn confirms_with_link(pool: &UserPool) -> bool {
    text(&pool.verification_message_template, "DefaultEmailOption") == Some("CONFIRM_WITH_LINK")
}

/// A message carrying a verification code: sign-up, a resent code, an attribute to verify,
/// a password reset.
pub fn code_message(pool: &UserPool, medium: Medium, to: &str, code: &str) -> OutgoingMessage {
    let t = &pool.verification_message_template;
    let (subject, body) = match medium {
        Medium::Email => (
            text(t, "EmailSubject").unwrap_or(DEFAULT_CODE_SUBJECT),
            text(t, "EmailMessage").unwrap_or(DEFAULT_CODE_MESSAGE),
        ),
        Medium::Sms => ("", text(t, "SmsMessage").unwrap_or(DEFAULT_CODE_MESSAGE)),
    };
    message(
        pool,
        medium,
        to,
        Some(subject.to_owned()),
        body.replace("{####}", code),
    )
}

/// A sign-in's SMS or email code (`SMS_MFA`, `EMAIL_OTP`): the pool's
/// `SmsAuthenticationMessage`, or `EmailMfaConfiguration` `Subject` / `Message`.
pub fn authentication_message(
    pool: &UserPool,
    medium: Medium,
    to: &str,
    code: &str,
) -> OutgoingMessage {
    const DEFAULT: &str = "Your authentication code is {####}. ";
    let (subject, body) = match medium {
        Medium::Sms => (
            None,
            pool.settings
                .get("SmsAuthenticationMessage")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or(DEFAULT),
        ),
        Medium::Email => {
            let config = pool.settings.get("EmailMfaConfiguration");
            let field = |k: &str| config.and_then(|c| text(c, k));
            (
                Some(
                    field("Subject")
                        .unwrap_or("Your authentication code")
                        .to_owned(),
                ),
                field("Message").unwrap_or(DEFAULT),
            )
        }
    };
    message(pool, medium, to, subject, body.replace("{####}", code))
}

/// The sign-up confirmation email of a `CONFIRM_WITH_LINK` pool: `{##text##}` becomes a link
/// to `link` with that text.
pub fn link_message(pool: &UserPool, to: &str, link: &str) -> OutgoingMessage {
    let t = &pool.verification_message_template;
    let subject = text(t, "EmailSubjectByLink").unwrap_or(DEFAULT_LINK_SUBJECT);
    let template = text(t, "EmailMessageByLink").unwrap_or(DEFAULT_LINK_MESSAGE);
    message(
        pool,
        Medium::Email,
        to,
        Some(subject.to_owned()),
        with_link(template, link),
    )
}

/// Replaces `{##text##}` with an HTML link to `href` showing `text`.
pub(crate) fn with_link(template: &str, href: &str) -> String {
    let Some(start) = template.find("{##") else {
        return template.to_owned();
    };
    let Some(len) = template[start + 3..].find("##}") else {
        return template.to_owned();
    };
    let label = &template[start + 3..start + 3 + len];
    format!(
        "{}<a href=\"{}\">{}</a>{}",
        &template[..start],
        href.replace('&', "&amp;").replace('"', "&quot;"),
        label,
        &template[start + 3 + len + 3..]
    )
}

/// An `AdminCreateUser` invitation with the temporary password. `None` when the pool's
/// template for this medium has no `{####}`: Cognito then sends no invitation.
pub fn invitation(
    pool: &UserPool,
    medium: Medium,
    to: &str,
    username: &str,
    temporary_password: &str,
) -> Option<OutgoingMessage> {
    let empty = Value::Null;
    let t = pool
        .admin_create_user_config
        .invite_message_template
        .as_ref()
        .unwrap_or(&empty);
    let (subject, body) = match medium {
        Medium::Email => (
            text(t, "EmailSubject").unwrap_or(DEFAULT_INVITE_SUBJECT),
            text(t, "EmailMessage").unwrap_or(DEFAULT_INVITE_MESSAGE),
        ),
        Medium::Sms => ("", text(t, "SMSMessage").unwrap_or(DEFAULT_INVITE_MESSAGE)),
    };
    if !body.contains("{####}") {
        return None;
    }
    let body = body
        .replace("{username}", username)
        .replace("{####}", temporary_password);
    Some(message(pool, medium, to, Some(subject.to_owned()), body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_placeholder_becomes_a_link() {
        assert_eq!(
            super::with_link("Click {##Verify##} now", "https://x/confirmUser?a=1&b=2"),
            "Click <a href=\"https://x/confirmUser?a=1&amp;b=2\">Verify</a> now"
        );
    }
}
