//! The writes on every sign-in's path (the attempt's count before the proof, its clearing
//! after, the session and its first refresh token), done inline on embedded SQLite when they
//! can be done at once. A sign-in is argon2-bound: both cores hash, and
//! each round trip to sqlx's worker thread wakes two threads that preempt a hashing thread
//! (bench/, docs/benchmarks.md). So one connection of the store's own tries the write on the
//! calling thread, and only when nothing waits: if that connection is in use or another
//! connection holds SQLite's write lock, it gives up at once (`busy_timeout = 0`) and the caller
//! writes through sqlx as before. It never checkpoints on its own (a checkpoint syncs the disk);
//! every few hundred commits it asks sqlx for a passive checkpoint in the background.

use crate::lookups::{Key, sqlite_error};
use crate::reader::{SqliteLocation, open_connection};
use cognate_core::StoreError;
use cognate_core::store::StoreResult;
use rusqlite::{ErrorCode, TransactionBehavior};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, TryLockError};

/// What an inline write came to.
pub(crate) enum Attempt<T> {
    Done(T),
    /// The writer or the database's write lock was taken: write through sqlx instead.
    Busy,
}

pub(crate) struct InlineWriter {
    location: SqliteLocation,
    conn: Mutex<Option<rusqlite::Connection>>,
    commits: AtomicU32,
}

/// Commits between checkpoint requests: a sign-in adds a few pages to the WAL, so this keeps
/// it near SQLite's own threshold (1,000 pages).
const COMMITS_PER_CHECKPOINT: u32 = 200;

impl InlineWriter {
    pub(crate) fn new(location: SqliteLocation) -> Self {
        Self {
            location,
            conn: Mutex::new(None),
            commits: AtomicU32::new(0),
        }
    }

    fn open(&self) -> StoreResult<rusqlite::Connection> {
        let conn = open_connection(&self.location)?;
        conn.execute_batch(
            "PRAGMA busy_timeout = 0; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;",
        )
        .map_err(sqlite_error)?;
        // `wal_autocheckpoint` took the commit hook off: put it back, without checkpoints.
        // SAFETY: the connection is open (and stays so for the hook's lifetime).
        unsafe { crate::read_cache::install_hook(conn.handle(), 0) };
        Ok(conn)
    }

    /// Runs `write` in one transaction if that can start right now; [`Attempt::Busy`] if it
    /// would have to wait.
    pub(crate) fn try_write<T>(
        &self,
        write: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> StoreResult<Attempt<T>> {
        let mut guard = match self.conn.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::WouldBlock) => return Ok(Attempt::Busy),
            // A panic mid-write dropped its transaction (rolled back): the connection is fine.
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        if guard.is_none() {
            *guard = Some(self.open()?);
        }
        let conn = guard.as_mut().expect("opened above");
        let result = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .and_then(|tx| {
                let value = write(&tx)?;
                tx.commit()?;
                Ok(value)
            });
        match result {
            Ok(value) => Ok(Attempt::Done(value)),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => Ok(Attempt::Busy),
            // A row that exists already (as sqlx's path reports it: `backend_error`).
            Err(rusqlite::Error::SqliteFailure(f, message))
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Err(StoreError::Conflict(
                    message.unwrap_or_else(|| f.to_string()),
                ))
            }
            Err(e) => Err(sqlite_error(e)),
        }
    }

    /// Whether this commit is the one that should ask for a checkpoint.
    pub(crate) fn checkpoint_due(&self) -> bool {
        self.commits.fetch_add(1, Ordering::Relaxed) % COMMITS_PER_CHECKPOINT
            == COMMITS_PER_CHECKPOINT - 1
    }
}

impl crate::SqlStore {
    /// `write` done inline ([`InlineWriter::try_write`]): `Some` of its value when it was,
    /// `None` when the caller must write through sqlx (PostgreSQL, or the writer was busy).
    pub(crate) fn write_inline<T>(
        &self,
        write: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> StoreResult<Option<T>> {
        let Some(writer) = &self.writer else {
            return Ok(None);
        };
        match writer.try_write(write)? {
            Attempt::Done(value) => {
                if writer.checkpoint_due() {
                    self.checkpoint_in_background();
                }
                Ok(Some(value))
            }
            Attempt::Busy => Ok(None),
        }
    }

    /// One statement whose placeholders `$1`, `$2`, ... appear in order, with `keys` bound to
    /// them: inline when it can be, else through sqlx.
    pub(crate) async fn execute_one(&self, sql: &'static str, keys: &[Key<'_>]) -> StoreResult<()> {
        let inline = self.write_inline(|tx| {
            let mut statement = tx.prepare_cached(sql)?;
            for (i, key) in keys.iter().enumerate() {
                match *key {
                    Key::Text(s) => statement.raw_bind_parameter(i + 1, s)?,
                    Key::Int(n) => statement.raw_bind_parameter(i + 1, n)?,
                }
            }
            statement.raw_execute()
        })?;
        if inline.is_some() {
            return Ok(());
        }
        let mut query = sqlx::query(sql);
        for key in keys {
            query = match *key {
                Key::Text(s) => query.bind(s),
                Key::Int(n) => query.bind(n),
            };
        }
        query
            .execute(&self.pool)
            .await
            .map_err(crate::backend_error)?;
        Ok(())
    }
}
