//! PreAuthentication and PostAuthentication (AWS developer guide "Pre authentication Lambda
//! trigger", "Post authentication Lambda trigger"), source `*_Authentication`.
//!
//! PreAuthentication runs when a known user starts signing in (password, SRP, the hosted
//! page; not refresh), before the password is checked, with the sign-in's ClientMetadata as
//! `validationData`; a throw refuses the sign-in. PostAuthentication runs once a sign-in has
//! passed every factor, before tokens are issued; a throw refuses them.

use super::{Event, user_attributes};
use crate::client::AppClient;
use crate::error::Result;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use serde_json::{Map, Value};

impl Cognito {
    pub(crate) async fn pre_authentication(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        client_metadata: Option<&Value>,
    ) -> Result<()> {
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            Value::Object(user_attributes(user)),
        );
        // InitiateAuth's ClientMetadata is what PreAuthentication sees as validationData.
        request.insert(
            "validationData".into(),
            client_metadata
                .cloned()
                .unwrap_or_else(super::validation_data),
        );
        request.insert("userNotFound".into(), Value::Bool(false));
        self.run_trigger(Event {
            pool,
            version: "1",
            trigger: "PreAuthentication",
            source: "PreAuthentication_Authentication",
            user_name: &user.username,
            client_id: Some(client.client_id()),
            request,
        })
        .await?;
        Ok(())
    }

    pub(crate) async fn post_authentication(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        new_device_used: bool,
    ) -> Result<()> {
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            Value::Object(user_attributes(user)),
        );
        request.insert("newDeviceUsed".into(), Value::Bool(new_device_used));
        request.insert("clientMetadata".into(), Value::Null);
        self.run_trigger(Event {
            pool,
            version: "1",
            trigger: "PostAuthentication",
            source: "PostAuthentication_Authentication",
            user_name: &user.username,
            client_id: Some(client.client_id()),
            request,
        })
        .await?;
        Ok(())
    }
}
