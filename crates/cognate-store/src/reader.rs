//! The connections that run look-ups inline on the embedded database (`lookups`), and the
//! read transactions they keep open between look-ups.
//!
//! A look-up on its own is a read transaction: SQLite takes a read mark in the WAL index
//! (a lock, a system call), checks the file, and gives both back afterwards — about a tenth
//! of a look-up's CPU time when its rows are not in memory. While this process holds the
//! database (a read cache: `read_cache`), every commit to it is counted, so a connection may
//! keep one read transaction (a snapshot) open for as long as the count has not moved: the
//! next look-up finds the same database it would have found in a transaction of its own.
//! Once the count moves, the snapshot ends before anything else is read.
//!
//! A snapshot older than the last commit holds back checkpoints (the WAL cannot be copied
//! back past it, nor started over). So snapshots are kept only while the database is quiet
//! (no commit for [`QUIET`]: a stream of reads, where they pay), idle connections give up
//! stale ones as soon as a look-up after a commit ends, and before a background checkpoint.
//! Under writes, every look-up is a transaction of its own, as without snapshots. Fresh reads
//! (rows another process may write) never use one.

use crate::lookups::{Fields, Key, sqlite_error};
use crate::read_cache::{ReadCache, commits, quiet_for};
use cognate_core::StoreError;
use cognate_core::store::StoreResult;
use std::sync::Mutex;
use std::time::Duration;

/// How long after the last commit look-ups start keeping snapshots again.
const QUIET: Duration = Duration::from_secs(1);

/// Where the embedded database is, for opening connections of our own beside sqlx's.
#[derive(Debug, Clone)]
pub(crate) struct SqliteLocation {
    pub path: String,
}

/// A connection of our own to the embedded database (sqlx has already created it and set
/// WAL mode, which is a property of the database file).
pub(crate) fn open_connection(location: &SqliteLocation) -> StoreResult<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    rusqlite::Connection::open_with_flags(&location.path, flags).map_err(sqlite_error)
}

/// Read-only connections to the embedded database, handed to one caller at a time.
pub(crate) struct InlineReader {
    location: SqliteLocation,
    idle: Mutex<Vec<ReadConnection>>,
    /// Answers kept in memory until the next commit (`read_cache`); `None` when another
    /// process may write the database too (`cognate rotate-keys`): then no snapshots either.
    cache: Option<ReadCache>,
}

/// A reader and the read transaction it holds open, if any.
struct ReadConnection {
    conn: rusqlite::Connection,
    /// The commit count read just before the open read transaction began.
    snapshot: Option<u64>,
}

impl ReadConnection {
    /// Ends the open read transaction. On failure the connection must be dropped.
    fn end_snapshot(&mut self) -> StoreResult<()> {
        if self.snapshot.take().is_some() {
            self.conn.execute_batch("COMMIT").map_err(sqlite_error)?;
        }
        Ok(())
    }

    /// Readies the connection for a look-up: within a snapshot that is current when `hold`,
    /// else outside any transaction.
    fn begin(&mut self, hold: bool) -> StoreResult<()> {
        // Read before the transaction begins: a commit counted after it may be in the
        // snapshot or not, and ends it either way.
        let now = commits();
        if self.snapshot.is_some_and(|at| !hold || at != now) {
            self.end_snapshot()?;
        }
        if hold && self.snapshot.is_none() {
            // Deferred: the snapshot is taken by the look-up's first read, after `now`.
            self.conn.execute_batch("BEGIN").map_err(sqlite_error)?;
            self.snapshot = Some(now);
        }
        Ok(())
    }
}

/// How much of the database file look-ups read through a memory map
/// (<https://sqlite.org/mmap.html>) rather than `pread` into each connection's page cache:
/// with more users than that cache holds, most look-ups read two pages it does not have (an
/// index leaf and a table leaf), and the system call, the copy and the cache's recycling were
/// about a sixth of a look-up's CPU (docs/benchmarks.md). SQLite caps the map at its
/// compile-time `SQLITE_MAX_MMAP_SIZE` (2 GiB); pages past it are read as before. Mapped pages
/// are the operating system's page cache, which `pread` fills as well: shared, reclaimable,
/// and counted in the process's RSS only because they are mapped (`RssFile`, not `RssAnon`).
/// Writes never go through the map (SQLite writes with `write` unless built otherwise).
const MMAP_BYTES: u64 = 1 << 31;

/// Connections kept open when idle. A look-up never awaits, so at most one per thread
/// that runs look-ups is in use at once; more are opened if ever needed, and closed after.
const IDLE_CONNECTIONS: usize = 8;

/// `$1`, `$2`, ...: the placeholders of a look-up, bound by name.
const PLACEHOLDERS: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

impl InlineReader {
    pub(crate) fn new(location: SqliteLocation, cache: Option<ReadCache>) -> Self {
        Self {
            location,
            idle: Mutex::new(Vec::new()),
            cache,
        }
    }

    fn open(&self) -> StoreResult<ReadConnection> {
        let conn = open_connection(&self.location)?;
        // Opened read-write so it shares the WAL index like any other connection, but it
        // refuses writes. A short busy timeout covers the rare moments a reader must wait
        // (WAL recovery).
        conn.execute_batch(&format!(
            "PRAGMA query_only = ON; PRAGMA busy_timeout = 1000; PRAGMA mmap_size = {MMAP_BYTES};"
        ))
        .map_err(sqlite_error)?;
        // Read-only, so its hook would never run; the writers count (read_cache).
        // One plan per statement whatever the bound values. Otherwise SQLite marks a statement
        // for re-preparing each time a value is bound where it could change the plan (a
        // `LIMIT $n`, a key compared with STAT4 samples): parsing and planning on every call.
        // These look-ups go through their keys' indexes whatever the values.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(sqlite_error)?;
        Ok(ReadConnection {
            conn,
            snapshot: None,
        })
    }

    /// Runs `f` on an idle connection (or a new one), in a kept snapshot when `hold` and this
    /// process counts every commit.
    fn with_connection<T>(
        &self,
        hold: bool,
        f: impl FnOnce(&rusqlite::Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let taken = self.idle.lock().expect("reader lock").pop();
        let mut reader = match taken {
            Some(r) => r,
            None => self.open()?,
        };
        let result = reader
            .begin(hold && self.cache.is_some() && quiet_for(QUIET))
            .and_then(|()| f(&reader.conn));
        if result.is_err() && reader.end_snapshot().is_err() {
            return result; // the connection is dropped
        }
        let mut idle = self.idle.lock().expect("reader lock");
        end_stale_snapshots(&mut idle);
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(reader);
        }
        result
    }

    /// Ends the snapshots of idle connections that a commit has made stale (before a
    /// checkpoint: they would hold it back).
    pub(crate) fn release_stale_snapshots(&self) {
        end_stale_snapshots(&mut self.idle.lock().expect("reader lock"));
    }

    /// [`Self::query`] in a kept snapshot, answered from the read cache while no commit has
    /// happened since.
    pub(crate) fn cached_query<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &str,
        is_static: bool,
        keys: &[Key<'_>],
        limit: usize,
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        match &self.cache {
            Some(cache) => cache.rows(sql, is_static, limit, keys, || {
                self.query(true, sql, keys, limit, decode)
            }),
            None => self.query(false, sql, keys, limit, decode),
        }
    }

    /// The rows of `sql` for `keys` (at most `limit`), read within a kept snapshot when
    /// `hold` (only for rows this process alone writes), else in a transaction of their own.
    pub(crate) fn query<T>(
        &self,
        hold: bool,
        sql: &str,
        keys: &[Key<'_>],
        limit: usize,
        decode: impl Fn(&dyn Fields) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.with_connection(hold, |conn| {
            let mut stmt = conn.prepare_cached(sql).map_err(sqlite_error)?;
            for (i, key) in keys.iter().enumerate() {
                let name = PLACEHOLDERS
                    .get(i)
                    .ok_or_else(|| StoreError::Backend(format!("too many keys for {sql}")))?;
                let index = stmt
                    .parameter_index(name)
                    .map_err(sqlite_error)?
                    .ok_or_else(|| StoreError::Backend(format!("no {name} in {sql}")))?;
                match *key {
                    Key::Text(s) => stmt.raw_bind_parameter(index, s),
                    Key::Int(n) => stmt.raw_bind_parameter(index, n),
                }
                .map_err(sqlite_error)?;
            }
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while out.len() < limit
                && let Some(row) = rows.next().map_err(sqlite_error)?
            {
                out.push(decode(row)?);
            }
            Ok(out)
        })
    }
}

/// Ends every idle snapshot older than the last commit; drops a connection that cannot end
/// its own.
fn end_stale_snapshots(idle: &mut Vec<ReadConnection>) {
    let now = commits();
    idle.retain_mut(|r| r.snapshot.is_none_or(|at| at == now) || r.end_snapshot().is_ok());
}
