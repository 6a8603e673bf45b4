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
    /// Values are bound by name (`$1`, `$2`, ...: SQLite numbers named parameters in the order
    /// they first appear, which a statement need not follow), and their count must be the
    /// statement's: nothing is left NULL by omission.
    pub(crate) fn execute_inline(&self, tx: &rusqlite::Transaction) -> rusqlite::Result<usize> {
        let mut statement = tx.prepare_cached(&self.sql)?;
        let count = statement.parameter_count();
        if count != self.values.len() {
            return Err(rusqlite::Error::InvalidParameterCount(
                self.values.len(),
                count,
            ));
        }
        for (i, value) in self.values.iter().enumerate() {
            let name = format!("${}", i + 1);
            let index = statement
                .parameter_index(&name)?
                .ok_or(rusqlite::Error::InvalidParameterName(name))?;
            match value {
                Value::Text(s) => statement.raw_bind_parameter(index, s.as_deref())?,
                Value::Int(n) => statement.raw_bind_parameter(index, *n)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a TEXT, b INTEGER, c TEXT)")
            .unwrap();
        conn
    }

    /// `$n` is bound to the n-th value wherever it first appears in the statement.
    #[test]
    fn values_are_bound_by_name() {
        let mut conn = table();
        let tx = conn.transaction().unwrap();
        let bound = Bound::new(
            "INSERT INTO t (c, b, a) VALUES ($3, $2, $1)",
            vec!["first".into(), 2i64.into(), None::<&str>.into()],
        );
        assert_eq!(bound.execute_inline(&tx).unwrap(), 1);
        let row: (String, i64, Option<String>) = tx
            .query_row("SELECT a, b, c FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(row, ("first".to_owned(), 2, None));
    }

    /// A value too many or too few is an error, not a NULL.
    #[test]
    fn the_count_must_match() {
        let mut conn = table();
        let tx = conn.transaction().unwrap();
        for values in [vec!["x".into()], vec!["x".into(), 1i64.into(), 2i64.into()]] {
            let bound = Bound::new("INSERT INTO t (a, b) VALUES ($1, $2)", values);
            assert!(matches!(
                bound.execute_inline(&tx),
                Err(rusqlite::Error::InvalidParameterCount(_, 2))
            ));
        }
    }
}
