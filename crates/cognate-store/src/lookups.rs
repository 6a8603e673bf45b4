//! Look-ups by key: the reads on every request's path (a pool, a client, a user, a session,
//! a refresh token). Each finds a handful of rows through an index, so on the embedded SQLite
//! database they run inline on the calling thread, on a connection of our own, instead of a
//! round trip to one of sqlx's per-connection worker threads: that round trip (two thread
//! wake-ups per statement) cost more CPU than the query itself (bench/, docs/benchmarks.md).
//! WAL mode means these readers never wait for a writer. Everything else, and every read on
//! PostgreSQL, goes through sqlx.

use crate::bound::AnyQuery;
use crate::{SqlStore, backend_error};
use cognate_core::StoreError;
use cognate_core::store::StoreResult;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::sync::{Arc, Mutex};

/// A value bound to a look-up's `$n` placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key<'a> {
    Text(&'a str),
    Int(i64),
}

impl<'a> From<&'a str> for Key<'a> {
    fn from(s: &'a str) -> Self {
        Key::Text(s)
    }
}

impl<'a> From<&'a String> for Key<'a> {
    fn from(s: &'a String) -> Self {
        Key::Text(s)
    }
}

impl From<i64> for Key<'_> {
    fn from(n: i64) -> Self {
        Key::Int(n)
    }
}

/// One result row, whichever driver read it.
pub(crate) trait Fields {
    fn text(&self, column: &str) -> StoreResult<Option<String>>;
    fn int(&self, column: &str) -> StoreResult<Option<i64>>;

    fn required_text(&self, column: &str) -> StoreResult<String> {
        self.text(column)?.ok_or_else(|| null_in(column))
    }

    fn required_int(&self, column: &str) -> StoreResult<i64> {
        self.int(column)?.ok_or_else(|| null_in(column))
    }
}

fn null_in(column: &str) -> StoreError {
    StoreError::Backend(format!("unexpected NULL in column {column}"))
}

impl Fields for AnyRow {
    fn text(&self, column: &str) -> StoreResult<Option<String>> {
        self.try_get(column).map_err(backend_error)
    }
    fn int(&self, column: &str) -> StoreResult<Option<i64>> {
        self.try_get(column).map_err(backend_error)
    }
}

impl Fields for rusqlite::Row<'_> {
    fn text(&self, column: &str) -> StoreResult<Option<String>> {
        self.get(column).map_err(sqlite_error)
    }
    fn int(&self, column: &str) -> StoreResult<Option<i64>> {
        self.get(column).map_err(sqlite_error)
    }
}

pub(crate) fn sqlite_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked) => StoreError::Busy(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Decodes the JSON document in a row's `doc` column.
pub(crate) fn doc<T: DeserializeOwned>(row: &dyn Fields) -> StoreResult<T> {
    let doc = row.required_text("doc")?;
    serde_json::from_str(&doc).map_err(|e| StoreError::Backend(format!("corrupt document: {e}")))
}

/// Parsed documents of rarely written, often read rows (pools, app clients), by key, with
/// the text they were parsed from. The row is still read on every look-up, so the answer is
/// always the stored one; only re-parsing an unchanged document is skipped (a pool's is
/// about 4 KB of JSON, a tenth of a GetUser's CPU time). Answers are shared (`Arc`): a
/// pool is read on nearly every request, and copying its schema cost more than reading it.
pub(crate) struct ParsedDocs<T> {
    entries: Mutex<std::collections::HashMap<String, (String, Arc<T>)>>,
}

/// Entries kept; past this the cache starts over (pools and clients are few in practice).
const PARSED_DOCS_KEPT: usize = 1024;

impl<T: DeserializeOwned> ParsedDocs<T> {
    pub(crate) fn new() -> Self {
        Self {
            entries: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The row's document, parsed or taken from the cache when its text is unchanged.
    pub(crate) fn decode(&self, key: &str, row: &dyn Fields) -> StoreResult<Arc<T>> {
        let text = row.required_text("doc")?;
        if let Some((cached_text, value)) = self.entries.lock().expect("cache lock").get(key)
            && *cached_text == text
        {
            return Ok(Arc::clone(value));
        }
        let value: Arc<T> = Arc::new(
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Backend(format!("corrupt document: {e}")))?,
        );
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= PARSED_DOCS_KEPT {
            entries.clear();
        }
        entries.insert(key.to_owned(), (text, Arc::clone(&value)));
        Ok(value)
    }
}

impl SqlStore {
    /// The one row a look-up by key finds, if any.
    pub(crate) async fn lookup<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &'static str,
        keys: &[Key<'_>],
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        if let Some(reader) = &self.inline {
            // A reader kept waiting (rare in WAL mode) hands over to sqlx, which waits longer.
            match reader.cached_query(sql, true, keys, 1, &decode) {
                Err(StoreError::Busy(_)) => {}
                other => return Ok(other?.pop()),
            }
        }
        self.lookup_fresh(sql, keys, decode).await
    }

    /// [`Self::lookup`] that always reads the database: for rows another process may change
    /// (signing keys, which `cognate rotate-keys` writes beside a running server).
    pub(crate) async fn lookup_fresh<T>(
        &self,
        sql: &'static str,
        keys: &[Key<'_>],
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        if let Some(reader) = &self.inline {
            match reader.query(false, sql, keys, 1, &decode) {
                Err(StoreError::Busy(_)) => {}
                other => return Ok(other?.pop()),
            }
        }
        let row = bind(sqlx::query(sql), keys)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(|r| decode(r)).transpose()
    }

    /// Every row a look-up by key finds: for small sets found through an index (a user's
    /// groups, the users with one email address).
    pub(crate) async fn lookup_all<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &'static str,
        keys: &[Key<'_>],
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.lookup_rows(sql, Cached::Static, keys, decode).await
    }

    /// [`Self::lookup_all`] that always reads the database (see [`Self::lookup_fresh`]).
    pub(crate) async fn lookup_all_fresh<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &'static str,
        keys: &[Key<'_>],
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.lookup_rows(sql, Cached::No, keys, decode).await
    }

    /// [`Self::lookup_all`] for SQL built at run time from a fixed set of fragments (a
    /// ListUsers page): only for statements that walk an index in its order and stop at their
    /// `LIMIT`, so the inline read stays a handful of rows.
    pub(crate) async fn lookup_page<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &str,
        keys: &[Key<'_>],
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.lookup_rows(sql, Cached::Built, keys, decode).await
    }

    async fn lookup_rows<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &str,
        cached: Cached,
        keys: &[Key<'_>],
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        if let Some(reader) = &self.inline {
            let read = match cached {
                Cached::Static => reader.cached_query(sql, true, keys, usize::MAX, &decode),
                Cached::Built => reader.cached_query(sql, false, keys, usize::MAX, &decode),
                Cached::No => reader.query(false, sql, keys, usize::MAX, &decode),
            };
            match read {
                Err(StoreError::Busy(_)) => {}
                other => return other,
            }
        }
        let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())), keys)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        rows.iter().map(|r| decode(r)).collect()
    }
}

/// Whether a look-up's answer may come from the read cache, and how its statement is named.
#[derive(Clone, Copy)]
enum Cached {
    /// Yes; the statement is written in the source.
    Static,
    /// Yes; the statement was built at run time.
    Built,
    No,
}

fn bind<'q>(mut q: AnyQuery<'q>, keys: &[Key<'_>]) -> AnyQuery<'q> {
    for key in keys {
        q = match *key {
            Key::Text(s) => q.bind(s.to_owned()),
            Key::Int(n) => q.bind(n),
        };
    }
    q
}
