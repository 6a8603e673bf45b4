//! Users. The searchable attributes are copied into their own columns so ListUsers filters
//! and alias look-ups are index scans.

use crate::bound::{Bound, Value};
use crate::documents::{from_rows, to_doc};
use crate::lookups::{Key, doc};
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::store::{StoreResult, UserStore};
use cognate_core::user::User;
use cognate_core::user_filter::{FilterOp, UserFilter};
use sqlx::{AssertSqlSafe, Row};

const USER_COLUMNS: &str = "pool_id, username_key, username, sub, status, enabled, email, phone_number, \
                            name, given_name, family_name, preferred_username, doc";

/// The look-ups `find_users_by_attribute` may run, by attribute name: exact and
/// case-folded (the folded ones that sign-in uses have `lower(column)` indexes).
fn attribute_lookup(attribute: &str) -> Option<(&'static str, &'static str)> {
    macro_rules! by {
        ($column:literal) => {
            (
                concat!(
                    "SELECT doc FROM users WHERE pool_id = $1 AND ",
                    $column,
                    " = $2 ORDER BY username_key"
                ),
                concat!(
                    "SELECT doc FROM users WHERE pool_id = $1 AND lower(",
                    $column,
                    ") = lower($2) ORDER BY username_key"
                ),
            )
        };
    }
    Some(match attribute {
        "email" => by!("email"),
        "phone_number" => by!("phone_number"),
        "preferred_username" => by!("preferred_username"),
        "sub" => by!("sub"),
        _ => return None,
    })
}

/// The smallest string greater than every string that starts with `prefix`, for range scans
/// (both backends compare these columns byte-wise).
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// The statement that inserts a user, whose document is `doc` ([`to_doc`]): run alone, or in
/// one transaction with its first code and message (messages.rs), inline or through sqlx.
pub(crate) fn insert_user<'a>(user: &'a User, doc: String) -> Bound<'a> {
    let sql = format!(
        "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    );
    let mut values: Vec<Value<'a>> = vec![
        (&user.pool_id).into(),
        (&user.username_key).into(),
        (&user.username).into(),
        (&user.sub).into(),
        (&user.status).into(),
        i64::from(user.enabled).into(),
    ];
    values.extend(searchable(user));
    values.push(doc.into());
    Bound::new(sql, values)
}

/// The statement that writes a user back (run alone, or with the messages of the change).
pub(crate) fn update_user(user: &User) -> StoreResult<Bound<'_>> {
    let mut values: Vec<Value<'_>> = vec![
        (&user.username).into(),
        (&user.status).into(),
        i64::from(user.enabled).into(),
    ];
    values.extend(searchable(user));
    values.extend([
        to_doc(user)?.into(),
        (&user.pool_id).into(),
        (&user.username_key).into(),
    ]);
    Ok(Bound::new(
        "UPDATE users SET username = $1, status = $2, enabled = $3, email = $4, phone_number = $5, \
         name = $6, given_name = $7, family_name = $8, preferred_username = $9, doc = $10 \
         WHERE pool_id = $11 AND username_key = $12",
        values,
    ))
}

/// The searchable attributes' columns, in `USER_COLUMNS` order.
fn searchable(user: &User) -> impl Iterator<Item = Value<'_>> {
    cognate_core::schema::INDEXED
        .into_iter()
        .map(|name| user.attr(name).into())
}

#[async_trait]
impl UserStore for SqlStore {
    async fn count_users(&self, pool_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE pool_id = $1")
            .bind(pool_id)
            .fetch_one(&self.pool)
            .await
            .map_err(backend_error)?;
        row.try_get::<i64, _>("n").map_err(backend_error)
    }

    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.run(insert_user(user, to_doc(user)?).into_query())
            .await
    }

    async fn get_user(&self, pool_id: &str, username_key: &str) -> StoreResult<Option<User>> {
        self.lookup(
            "SELECT doc FROM users WHERE pool_id = $1 AND username_key = $2",
            &[pool_id.into(), username_key.into()],
            doc,
        )
        .await
    }

    async fn find_users_by_attribute(
        &self,
        pool_id: &str,
        attribute: &str,
        value: &str,
        fold_case: bool,
    ) -> StoreResult<Vec<User>> {
        let Some((exact, folded)) = attribute_lookup(attribute) else {
            return Err(cognate_core::StoreError::Backend(format!(
                "attribute {attribute} is not searchable"
            )));
        };
        let sql = if fold_case { folded } else { exact };
        self.lookup_all(sql, &[pool_id.into(), value.into()], doc)
            .await
    }

    async fn update_user(&self, user: &User) -> StoreResult<()> {
        self.run(update_user(user)?.into_query()).await
    }

    async fn delete_user(&self, pool_id: &str, username_key: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        // Memberships, sign-ins and lockout counters go with the user. Refresh tokens die with
        // their session rows (look-ups check the session).
        for table in [
            "group_members",
            "auth_sessions",
            "sign_in_failures",
            "verification_codes",
            "user_quotas",
            "devices",
            "identity_links",
        ] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE pool_id = $1 AND username_key = $2"
            )))
            .bind(pool_id)
            .bind(username_key)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        sqlx::query("DELETE FROM users WHERE pool_id = $1 AND username_key = $2")
            .bind(pool_id)
            .bind(username_key)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<User>> {
        // Placeholders $1 and $2 are fixed; the filter adds its own after them.
        let mut sql =
            String::from("SELECT doc FROM users WHERE pool_id = $1 AND username_key > $2");
        let mut binds: Vec<String> = Vec::new();
        let mut enabled: Option<i64> = None;
        // A prefix filter sorts its whole range; every other page walks an index in
        // username order and stops at its LIMIT, so it is a look-up (inline on SQLite).
        let bounded = !matches!(
            filter,
            Some(UserFilter::Column {
                op: FilterOp::Prefix,
                ..
            })
        );
        match filter {
            None | Some(UserFilter::Nothing) => {}
            Some(UserFilter::Column {
                column,
                op: FilterOp::Equals,
                value,
            }) => {
                sql.push_str(&format!(" AND {column} = $3"));
                binds.push(value.clone());
            }
            Some(UserFilter::Column {
                column,
                op: FilterOp::Prefix,
                value,
            }) => {
                sql.push_str(&format!(" AND {column} >= $3 AND {column} < $4"));
                binds.push(value.clone());
                binds.push(prefix_upper_bound(value));
            }
            Some(UserFilter::Enabled(e)) => {
                sql.push_str(" AND enabled = $3");
                enabled = Some(*e as i64);
            }
        }
        // The limit is written into the SQL (an integer of ours): SQLite re-prepares a
        // statement on every execution when its LIMIT is a bound parameter.
        sql.push_str(&format!(" ORDER BY username_key LIMIT {limit}"));
        // Column names come from the parsed filter's fixed set; values are bound.
        if bounded {
            let after = after.unwrap_or("");
            let mut keys: Vec<Key<'_>> = vec![pool_id.into(), after.into()];
            keys.extend(binds.iter().map(Key::from));
            keys.extend(enabled.map(Key::from));
            return self.lookup_page(&sql, &keys, doc).await;
        }
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(pool_id)
            .bind(after.unwrap_or(""));
        for b in binds {
            q = q.bind(b);
        }
        if let Some(e) = enabled {
            q = q.bind(e);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(backend_error)?;
        from_rows(&rows)
    }
}
