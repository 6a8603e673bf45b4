//! Attribute writes: the schema's rules and the one permission gate every write on a
//! user's behalf goes through (AWS Cognito developer guide, "Attribute permissions and
//! scopes").

use super::{Attribute, User};
use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::pool::UserPool;
use crate::schema;
use crate::service::Cognito;

/// Who writes a user's attributes.
#[derive(Clone, Copy)]
pub enum Writer<'a> {
    /// An administrator with SigV4 credentials (`AdminCreateUser`, `AdminUpdateUserAttributes`,
    /// ...): any attribute of the schema, verification flags included.
    Admin,
    /// The user, through an app client: an access token, a challenge answer, a hosted page,
    /// sign-up. Only what [`check_client_writes`] allows.
    Client(&'a AppClient),
}

pub(crate) fn unauthorized_write() -> CognitoError {
    CognitoError::not_authorized("A client attempted to write unauthorized attribute")
}

/// The one gate for attributes written on a user's behalf: the client's `WriteAttributes`
/// (every attribute when it lists none), and never `sub`, a `dev:` attribute or a
/// verification flag (`email_verified`, `phone_number_verified`), which only an
/// administrator or a confirmed code may set. Errors: `NotAuthorizedException` "A client
/// attempted to write unauthorized attribute", as Cognito answers.
pub fn check_client_writes<'n>(
    client: &AppClient,
    names: impl IntoIterator<Item = &'n str>,
) -> Result<()> {
    let writable = &client.settings.write_attributes;
    for name in names {
        let never = name == "sub" || name.ends_with("_verified") || name.starts_with("dev:");
        let listed = writable.is_empty() || writable.iter().any(|w| w == name);
        if never || !listed {
            return Err(unauthorized_write());
        }
    }
    Ok(())
}

fn check_writer<'n>(writer: Writer<'_>, names: impl IntoIterator<Item = &'n str>) -> Result<()> {
    match writer {
        Writer::Admin => Ok(()),
        Writer::Client(client) => check_client_writes(client, names),
    }
}

pub(super) fn schema_error(name: &str, why: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!(
        "Attributes did not conform to the schema: {name}: {why}"
    ))
}

/// Checks attribute writes against the pool's schema and returns them as stored (booleans in
/// lower case). `creating`: immutable attributes may be given a first value.
pub(crate) fn check_writes(
    pool: &UserPool,
    attrs: &[Attribute],
    creating: bool,
) -> Result<Vec<Attribute>> {
    let mut stored = Vec::with_capacity(attrs.len());
    for a in attrs {
        if a.name == "sub" {
            return Err(schema_error("sub", "Attribute cannot be updated."));
        }
        let Some(def) = pool.schema_attribute(&a.name) else {
            return Err(schema_error(
                &a.name,
                "Attribute does not exist in the schema.",
            ));
        };
        if !creating && !def.is_mutable() {
            return Err(schema_error(
                &a.name,
                "Attribute cannot be updated. (changing an immutable attribute)",
            ));
        }
        schema::check_value(def, &a.value)?;
        stored.push(Attribute::new(
            &a.name,
            schema::canonical_value(def, &a.value),
        ));
    }
    Ok(stored)
}

impl Cognito {
    pub async fn admin_update_user_attributes(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        attributes: Vec<Attribute>,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        self.update_attributes_verified(&pool, Writer::Admin, user, &attributes)
            .await
            .map(drop)
    }

    /// Writes attributes after the writer's permission and the schema are checked; returns
    /// the user as stored.
    pub(crate) async fn update_attributes(
        &self,
        pool: &UserPool,
        writer: Writer<'_>,
        user: User,
        attributes: &[Attribute],
    ) -> Result<User> {
        let user = self.apply_attributes(pool, writer, user, attributes)?;
        self.store_attributes(pool, &user).await?;
        Ok(user)
    }

    /// The user with `attributes` applied, once the writer's permission and the schema are
    /// checked: nothing is written (a new email or phone number becomes unverified unless the
    /// same call says otherwise).
    pub(crate) fn apply_attributes(
        &self,
        pool: &UserPool,
        writer: Writer<'_>,
        mut user: User,
        attributes: &[Attribute],
    ) -> Result<User> {
        check_writer(writer, attributes.iter().map(|a| a.name.as_str()))?;
        let attributes = &check_writes(pool, attributes, false)?;
        for a in attributes {
            let changed = user.attr(&a.name) != Some(a.value.as_str());
            user.set_attr(&a.name, &a.value);
            // A new email or phone number is unverified unless the same call says otherwise.
            if changed && (a.name == "email" || a.name == "phone_number") {
                let flag = format!("{}_verified", a.name);
                if !attributes.iter().any(|x| x.name == flag) {
                    user.set_attr(&flag, "false");
                }
            }
        }
        user.modified = self.clock.now();
        Ok(user)
    }

    /// Stores a user whose attributes [`Self::apply_attributes`] changed, its aliases first.
    pub(crate) async fn store_attributes(&self, pool: &UserPool, user: &User) -> Result<()> {
        self.claim_aliases(pool, user, false).await?;
        self.store.update_user(user).await?;
        Ok(())
    }

    pub async fn admin_delete_user_attributes(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        names: Vec<String>,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        self.delete_attributes(&pool, Writer::Admin, user, &names)
            .await
    }

    pub(crate) async fn delete_attributes(
        &self,
        pool: &UserPool,
        writer: Writer<'_>,
        mut user: User,
        names: &[String],
    ) -> Result<()> {
        check_writer(writer, names.iter().map(String::as_str))?;
        for name in names {
            let Some(def) = pool.schema_attribute(name) else {
                return Err(schema_error(
                    name,
                    "Attribute does not exist in the schema.",
                ));
            };
            if name == "sub" || def.is_required() {
                return Err(schema_error(name, "The attribute is required"));
            }
            if !def.is_mutable() {
                return Err(schema_error(
                    name,
                    "Attribute cannot be updated. (changing an immutable attribute)",
                ));
            }
            if pool.username_attributes.iter().any(|a| a == name) {
                return Err(schema_error(
                    name,
                    "The attribute is used as the username and cannot be deleted.",
                ));
            }
        }
        for name in names {
            user.remove_attr(name);
        }
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        Ok(())
    }
}
