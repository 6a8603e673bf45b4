//! PreSignUp and PostConfirmation (AWS developer guide "Pre sign-up Lambda trigger", "Post
//! confirmation Lambda trigger").
//!
//! PreSignUp runs before a user is written, for SignUp (`PreSignUp_SignUp`) and
//! AdminCreateUser (`PreSignUp_AdminCreateUser`), with the attributes, `validationData` and
//! `clientMetadata`; it may throw (no user is made) or answer `autoConfirmUser`,
//! `autoVerifyEmail`, `autoVerifyPhone`. PostConfirmation runs once the user is confirmed
//! (`PostConfirmation_ConfirmSignUp`) or has reset a forgotten password
//! (`PostConfirmation_ConfirmForgotPassword`); when it fails, the caller gets its error and
//! the user stays confirmed, as on Cognito.

use super::{Event, flag, user_attributes};
use crate::error::Result;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::{User, status};
use serde_json::{Map, Value};

pub const PRE_SIGN_UP_SIGN_UP: &str = "PreSignUp_SignUp";
pub const PRE_SIGN_UP_ADMIN_CREATE_USER: &str = "PreSignUp_AdminCreateUser";
pub const POST_CONFIRMATION_CONFIRM_SIGN_UP: &str = "PostConfirmation_ConfirmSignUp";
pub const POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD: &str =
    "PostConfirmation_ConfirmForgotPassword";

/// What a caller passes on to a trigger: `ClientMetadata` and (sign-up) `ValidationData`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Passed<'a> {
    pub client_id: Option<&'a str>,
    pub client_metadata: Option<&'a Value>,
    pub validation_data: Option<&'a Value>,
}

/// `ValidationData` as the API gives it (`[{Name, Value}]`), as the event wants it (a map).
fn name_value_map(list: Option<&Value>) -> Value {
    match list {
        Some(Value::Array(items)) => Value::Object(
            items
                .iter()
                .filter_map(|i| {
                    let name = i.get("Name")?.as_str()?;
                    let value = i.get("Value").and_then(Value::as_str).unwrap_or_default();
                    Some((name.to_owned(), Value::from(value)))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn metadata(passed: &Passed<'_>) -> Value {
    passed.client_metadata.cloned().unwrap_or(Value::Null)
}

impl Cognito {
    /// PreSignUp for a user about to be written (`source`: SignUp or AdminCreateUser): applies
    /// its answer to `user` (confirmed, attributes verified). Returns whether the user was
    /// auto-confirmed.
    pub(crate) async fn pre_sign_up(
        &self,
        pool: &UserPool,
        user: &mut User,
        source: &'static str,
        passed: Passed<'_>,
    ) -> Result<bool> {
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            Value::Object(user_attributes(user)),
        );
        request.insert(
            "validationData".into(),
            name_value_map(passed.validation_data),
        );
        request.insert("clientMetadata".into(), metadata(&passed));
        let Some(response) = self
            .run_trigger(Event {
                pool,
                version: "1",
                trigger: "PreSignUp",
                source,
                user_name: &user.username,
                client_id: passed.client_id,
                request,
            })
            .await?
        else {
            return Ok(false);
        };
        let confirm = flag(&response, "autoConfirmUser");
        if confirm && user.status == status::UNCONFIRMED {
            user.status = status::CONFIRMED.into();
        }
        for (answer, attribute) in [
            ("autoVerifyEmail", "email"),
            ("autoVerifyPhone", "phone_number"),
        ] {
            if flag(&response, answer) && user.attr(attribute).is_some() {
                user.set_attr(&format!("{attribute}_verified"), "true");
            }
        }
        Ok(confirm)
    }

    /// PostConfirmation for a user just confirmed (or whose password reset just finished).
    pub(crate) async fn post_confirmation(
        &self,
        pool: &UserPool,
        user: &User,
        source: &'static str,
        passed: Passed<'_>,
    ) -> Result<()> {
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            Value::Object(user_attributes(user)),
        );
        request.insert("clientMetadata".into(), metadata(&passed));
        self.run_trigger(Event {
            pool,
            version: "1",
            trigger: "PostConfirmation",
            source,
            user_name: &user.username,
            client_id: passed.client_id,
            request,
        })
        .await?;
        Ok(())
    }
}
