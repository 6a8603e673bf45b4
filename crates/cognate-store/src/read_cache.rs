//! Look-ups answered from memory on the embedded database, and never stale.
//!
//! Every SQLite connection this process opens (sqlx's, and the inline readers' and writer's)
//! carries a WAL hook, which SQLite calls after each commit that changed the database, once
//! the commit is complete and its write lock released (<https://sqlite.org/c3ref/wal_hook.html>).
//! The hook advances [`COMMITS`]. A cached answer remembers the count read just *before* the
//! database was: it is used only while the count has not moved since, so a look-up that
//! follows a finished write always reads the database again. Nothing here can outlive a
//! change, whichever code path made it.
//!
//! "Never stale" holds once a write has returned: between a commit becoming visible and the
//! hook's count, a concurrent read may still be answered with the previous value, as if it
//! had come a moment earlier.
//!
//! SQLite calls the hook only for a commit whose statement ran to completion: a write that
//! returns rows (`RETURNING`) must be read with `fetch_all`, never `fetch_optional` or
//! `fetch_one`, which stop at the first row and leave the commit to the statement's reset
//! (a test below reads the sources for it). Even so, a request dropped while such a write runs
//! leaves its commit to a reset on sqlx's worker, counted only at that connection's next
//! statement: so the tables written with `RETURNING` (lockout counters, hourly caps, the
//! outbox) are never read through the cache (`lookup_fresh`). Transactions end with `COMMIT`,
//! which completes.
//!
//! That holds for the commits of this process only, so a store that caches holds an exclusive
//! lock on its database ([`ProcessLock`]): a second process refuses to start on the same
//! file. Several nodes share a database on PostgreSQL, which caches nothing.

use crate::lookups::Key;
use cognate_core::StoreError;
use moka::sync::Cache;
use rusqlite::ffi;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

/// Commits to any SQLite database of this process, counted by the WAL hook.
static COMMITS: AtomicU64 = AtomicU64::new(0);

/// When the last of them was, in milliseconds since [`epoch`] (0: none yet).
static LAST_COMMIT_MS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// WAL frames after which a commit also checkpoints, as SQLite's own hook does
/// (`SQLITE_DEFAULT_WAL_AUTOCHECKPOINT`); ours replaces it.
pub(crate) const AUTOCHECKPOINT_FRAMES: usize = 1000;

/// Lets every SQLite connection opened from now on put the commit hook on itself with
/// `SELECT cognate_count_commits()` (sqlx's connections, whose handle is out of reach; see
/// `SqlStore::open`). The hook cannot be set while the connection opens: SQLite sets its own
/// auto-checkpoint hook after the extensions have run. Idempotent; called before a store
/// opens its first connection.
pub(crate) fn count_commits() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registers a plain function SQLite calls for each new connection.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        assert_eq!(rc, ffi::SQLITE_OK, "sqlite3_auto_extension");
    });
}

/// What puts the hook on a connection, in SQL.
pub(crate) const INSTALL_HOOK_SQL: &str = "SELECT cognate_count_commits()";

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: SQLite passes the connection being opened; the function has no state.
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"cognate_count_commits".as_ptr(),
            0,
            ffi::SQLITE_UTF8,
            std::ptr::null_mut(),
            Some(install_hook_sql),
            None,
            None,
            None,
        )
    }
}

unsafe extern "C" fn install_hook_sql(
    context: *mut ffi::sqlite3_context,
    _argc: c_int,
    _argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite passes the calling statement's context, whose connection is open.
    unsafe {
        install_hook(
            ffi::sqlite3_context_db_handle(context),
            AUTOCHECKPOINT_FRAMES,
        );
        ffi::sqlite3_result_int(context, 1);
    }
}

/// Sets the commit hook on `db`, checkpointing once the WAL holds `checkpoint_frames` frames
/// (0: never, for connections that checkpoint otherwise). `PRAGMA wal_autocheckpoint`
/// replaces the hook, so a connection that sets it must call this afterwards.
///
/// # Safety
/// `db` must be an open connection.
pub(crate) unsafe fn install_hook(db: *mut ffi::sqlite3, checkpoint_frames: usize) {
    // SAFETY: the caller's connection; the argument is a number, never dereferenced.
    unsafe { ffi::sqlite3_wal_hook(db, Some(on_commit), checkpoint_frames as *mut c_void) };
}

unsafe extern "C" fn on_commit(
    checkpoint_frames: *mut c_void,
    db: *mut ffi::sqlite3,
    name: *const c_char,
    frames: c_int,
) -> c_int {
    COMMITS.fetch_add(1, Ordering::SeqCst);
    let since_epoch = u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX);
    LAST_COMMIT_MS.store(since_epoch.max(1), Ordering::Relaxed);
    let threshold = checkpoint_frames as usize;
    if threshold > 0 && usize::try_from(frames).is_ok_and(|f| f >= threshold) {
        // SAFETY: called by SQLite with its connection and database name, as its own
        // auto-checkpoint hook does; a busy checkpoint is simply retried at a later commit.
        unsafe { ffi::sqlite3_wal_checkpoint(db, name) };
    }
    ffi::SQLITE_OK
}

/// The commit count now: taken before a read whose answer is to be cached.
pub(crate) fn commits() -> u64 {
    COMMITS.load(Ordering::SeqCst)
}

/// Whether no commit has been counted for `period`.
pub(crate) fn quiet_for(period: Duration) -> bool {
    let last = LAST_COMMIT_MS.load(Ordering::Relaxed);
    last == 0 || epoch().elapsed().as_millis() >= u128::from(last) + period.as_millis()
}

/// A look-up's identity: its statement, the type it decodes to, and its bound values.
#[derive(Clone, PartialEq, Eq, Hash)]
struct LookupKey {
    sql: Sql,
    decoded: TypeId,
    limit: usize,
    keys: Vec<OwnedKey>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Sql {
    /// A statement written in the source: its address and length name it.
    Static(usize, usize),
    Built(Box<str>),
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum OwnedKey {
    Text(Box<str>),
    Int(i64),
}

/// Rows kept, over all answers (a row is a few hundred bytes to a few KB: a user, a session,
/// a pool): about 8 to 20 MB at most. An answer weighs its rows (a ListUsers page up to 60).
const ROWS: u64 = 8192;

/// A look-up's rows (a `Vec<T>`), the commit count read before they were, and how many.
#[derive(Clone)]
struct Answer {
    at: u64,
    rows: u32,
    value: Arc<dyn Any + Send + Sync>,
}

/// Slots of the doorkeeper (a power of two): 128 KiB of hashes.
const SEEN_SLOTS: usize = 1 << 14;

/// Cached answers of look-ups, each with the commit count read before it was read.
pub(crate) struct ReadCache {
    answers: Cache<LookupKey, Answer, foldhash::fast::RandomState>,
    /// Hashes of look-ups that missed once lately, one per slot (the "doorkeeper" of TinyLFU):
    /// an answer is kept only when its look-up misses a second time while its hash is still
    /// here. A stream of one-off look-ups (a random user among a million) then costs no
    /// insertion and evicts nothing; a repeated one is kept from its second read on.
    seen: Box<[AtomicU64]>,
    hasher: foldhash::fast::RandomState,
    _lock: Option<ProcessLock>,
}

impl ReadCache {
    pub(crate) fn new(lock: Option<ProcessLock>) -> Self {
        Self {
            answers: Cache::builder()
                .max_capacity(ROWS)
                .weigher(|_, answer: &Answer| answer.rows.max(1))
                // Keys are statements and bound values; a seeded hash, cheaper than SipHash.
                .build_with_hasher(foldhash::fast::RandomState::default()),
            seen: (0..SEEN_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            hasher: foldhash::fast::RandomState::default(),
            _lock: lock,
        }
    }

    fn key<T: 'static>(sql: &str, is_static: bool, limit: usize, keys: &[Key<'_>]) -> LookupKey {
        LookupKey {
            limit,
            sql: if is_static {
                Sql::Static(sql.as_ptr() as usize, sql.len())
            } else {
                Sql::Built(sql.into())
            },
            decoded: TypeId::of::<T>(),
            keys: keys
                .iter()
                .map(|k| match *k {
                    Key::Text(s) => OwnedKey::Text(s.into()),
                    Key::Int(n) => OwnedKey::Int(n),
                })
                .collect(),
        }
    }

    /// The rows of a look-up: from memory if no commit happened since they were read, else
    /// from `read`, then kept.
    pub(crate) fn rows<T: Clone + Send + Sync + 'static>(
        &self,
        sql: &str,
        is_static: bool,
        limit: usize,
        keys: &[Key<'_>],
        read: impl FnOnce() -> Result<Vec<T>, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let key = Self::key::<T>(sql, is_static, limit, keys);
        let now = commits();
        let kept = self.answers.get(&key);
        if let Some(answer) = &kept
            && answer.at == now
            && let Some(rows) = answer.value.downcast_ref::<Vec<T>>()
        {
            return Ok(rows.clone());
        }
        let rows = read()?;
        // A stale answer's key is known to repeat: replace it. A new key waits for its second miss.
        if kept.is_none() && !self.seen_before(&key) {
            return Ok(rows);
        }
        let answer = Answer {
            at: now,
            rows: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            value: Arc::new(rows.clone()),
        };
        self.answers.insert(key, answer);
        Ok(rows)
    }

    /// Whether `key` missed lately; remembers it for next time either way. Two keys sharing
    /// a slot take turns: each is kept a miss later than it would be, never wrongly.
    fn seen_before(&self, key: &LookupKey) -> bool {
        let hash = self.hasher.hash_one(key);
        let slot = &self.seen[hash as usize & (SEEN_SLOTS - 1)];
        slot.swap(hash, Ordering::Relaxed) == hash
    }
}

/// This process's exclusive claim on a database file (an advisory lock on `<file>-cognate.lock`,
/// held while any store of the process uses the file). Another process asking for it is
/// refused.
pub(crate) struct ProcessLock {
    path: PathBuf,
}

/// The lock files this process holds, with how many stores use each.
static HELD: Mutex<Option<HashMap<PathBuf, (std::fs::File, usize)>>> = Mutex::new(None);

impl ProcessLock {
    pub(crate) fn acquire(database: &Path) -> Result<Self, StoreError> {
        // One lock file per database whatever the spelling of its path (relative, through a
        // symbolic link): the file's own path once it exists, else its folder's.
        let canonical = std::fs::canonicalize(database).or_else(|_| {
            let folder = database.parent().filter(|p| !p.as_os_str().is_empty());
            let folder = std::fs::canonicalize(folder.unwrap_or(Path::new(".")))?;
            Ok::<_, std::io::Error>(folder.join(database.file_name().unwrap_or_default()))
        });
        let database = canonical.as_deref().unwrap_or(database);
        let mut name = database.as_os_str().to_owned();
        name.push("-cognate.lock");
        let path = PathBuf::from(name);
        let mut held = HELD.lock().expect("lock registry");
        let held = held.get_or_insert_with(HashMap::new);
        if let Some((_, users)) = held.get_mut(&path) {
            *users += 1;
            return Ok(Self { path });
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                StoreError::Backend(format!("cannot open the lock file {}: {e}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Backend(format!(
                    "the database {} is in use by another Cognate process (one process per \
                     SQLite database; several nodes share a PostgreSQL database)",
                    database.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::Backend(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )));
            }
        }
        held.insert(path.clone(), (file, 1));
        Ok(Self { path })
    }
}

impl Drop for ProcessLock {
    fn drop(&mut self) {
        let mut held = HELD.lock().expect("lock registry");
        if let Some(held) = held.as_mut()
            && let Some((_, users)) = held.get_mut(&self.path)
        {
            *users -= 1;
            if *users == 0 {
                // Closing the file releases the lock.
                held.remove(&self.path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn commits_are_counted() {
        super::count_commits();
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = super::commits();
        conn.execute_batch(super::INSTALL_HOOK_SQL).unwrap();
        conn.execute_batch("INSERT INTO t VALUES (2);").unwrap();
        assert!(super::commits() > before, "counted: {before}");
    }

    /// Writes that return rows run to completion, so their commits are counted.
    #[test]
    fn returning_writes_are_read_to_completion() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.ends_with("read_cache.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (at, _) in source.match_indices("RETURNING") {
                let rest = &source[at..];
                let fetch = rest.find(".fetch_").map(|i| &rest[i..]);
                if let Some(fetch) = fetch {
                    assert!(
                        fetch.starts_with(".fetch_all"),
                        "{}: a RETURNING write read with {}",
                        path.display(),
                        &fetch[..fetch.find('(').unwrap_or(10)]
                    );
                }
            }
        }
    }
}
