//! A statement and its values, written once and run by either driver: inline on the store's
//! own rusqlite connection (`inline_writes.rs`) or through sqlx. The writes that may go either
//! way list their values here, so the two paths cannot bind different things.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};
use std::borrow::Cow;

/// An sqlx statement with its values bound, for either backend.
pub(crate) type AnyQuery<'q> = Query<'q, Any, AnyArguments>;

/// A value bound to a `$n` placeholder, in order.
#[derive(Debug, Clone)]
pub(crate) enum Value<'a> {
    Text(Option<Cow<'a, str>>),
    Int(i64),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(s)))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(s: &'a String) -> Self {
        Value::Text(Some(Cow::Borrowed(s)))
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::Text(Some(Cow::Owned(s)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(s: Option<&'a str>) -> Self {
        Value::Text(s.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(s: &'a Option<String>) -> Self {
        Value::Text(s.as_deref().map(Cow::Borrowed))
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

/// `sql` with its values, `$1` first.
#[derive(Debug, Clone)]
pub(crate) struct Bound<'a> {
    pub sql: Cow<'static, str>,
    pub values: Vec<Value<'a>>,
}

impl<'a> Bound<'a> {
    pub(crate) fn new(sql: impl Into<Cow<'static, str>>, values: Vec<Value<'a>>) -> Self {
        Self {
            sql: sql.into(),
            values,
        }
    }

    /// Runs the statement inside `tx` (the inline writer's transaction); the rows it changed.
    pub(crate) fn execute_inline(&self, tx: &rusqlite::Transaction) -> rusqlite::Result<usize> {
        let mut statement = tx.prepare_cached(&self.sql)?;
        for (i, value) in self.values.iter().enumerate() {
            match value {
                Value::Text(s) => statement.raw_bind_parameter(i + 1, s.as_deref())?,
                Value::Int(n) => statement.raw_bind_parameter(i + 1, *n)?,
            }
        }
        statement.raw_execute()
    }

    /// The statement as an sqlx query, for either backend.
    pub(crate) fn into_query(self) -> AnyQuery<'a> {
        let mut query = match self.sql {
            Cow::Borrowed(sql) => sqlx::query(sql),
            Cow::Owned(sql) => sqlx::query(AssertSqlSafe(sql)),
        };
        for value in self.values {
            query = match value {
                Value::Text(None) => query.bind(None::<String>),
                Value::Text(Some(Cow::Borrowed(s))) => query.bind(s),
                Value::Text(Some(Cow::Owned(s))) => query.bind(s),
                Value::Int(n) => query.bind(n),
            };
        }
        query
    }
}
