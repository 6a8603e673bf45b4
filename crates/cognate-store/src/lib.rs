//! Cognate's store: one SQL implementation of [`cognate_core::store::Store`] that runs on the
//! embedded SQLite database (the default) and on PostgreSQL (several Cognate nodes sharing
//! one database). The SQL is portable (`$n` placeholders, `ON CONFLICT`, integer and text
//! columns), so both backends run the same queries; only the migrations are per backend.

mod auth;
mod bound;
mod devices;
mod documents;
mod groups;
mod identity_providers;
mod inline_writes;
mod lookups;
mod messages;
mod oauth;
mod pools;
mod read_cache;
mod reader;
mod resource_servers;
mod users;

use cognate_core::StoreError;
use cognate_core::client::AppClient;
use cognate_core::pool::UserPool;
use inline_writes::InlineWriter;
use lookups::ParsedDocs;
use read_cache::{ProcessLock, ReadCache};
use reader::{InlineReader, SqliteLocation};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(format!(
                "unsupported database URL (want sqlite: or postgres:): {}",
                redact(url)
            ))
        }
    }
}

/// A database URL with any password removed, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// The SQL store, for either backend.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// Look-ups by key run inline on embedded SQLite (see `lookups`); `None` on PostgreSQL.
    inline: Option<Arc<InlineReader>>,
    /// The sign-in write, inline on embedded SQLite when it need not wait (`inline_writes`).
    writer: Option<Arc<InlineWriter>>,
    pools: Arc<ParsedDocs<UserPool>>,
    clients: Arc<ParsedDocs<AppClient>>,
    /// The private folder of an in-memory store, removed with the last clone.
    _scratch: Option<Arc<tempfile::TempDir>>,
}

/// How the store connects.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// Embedded SQLite only: this process is the database's one user (a second process
    /// opening it this way is refused), so look-ups may be answered from memory until the
    /// next commit (`read_cache`). Off for `cognate rotate-keys`, which runs beside a server.
    pub exclusive: bool,
    /// How long a request waits for a connection (and PostgreSQL's first connection at start)
    /// before failing with a retryable error.
    pub acquire_timeout: Duration,
}

impl StoreOptions {
    pub fn new(max_connections: u32) -> Self {
        Self {
            max_connections,
            acquire_timeout: Duration::from_secs(30),
            exclusive: true,
        }
    }
}

impl SqlStore {
    /// Connects and applies migrations. Safe when several nodes start at once: PostgreSQL
    /// migrations run under an advisory lock.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        Self::connect_with(url, StoreOptions::new(max_connections)).await
    }

    /// [`SqlStore::connect`] with every option. A PostgreSQL server that cannot be reached
    /// fails at once, naming the host and the cause, instead of after the pool's timeout.
    pub async fn connect_with(url: &str, opts: StoreOptions) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") && (url.contains(":memory:") || url.contains("mode=memory")) {
            return Self::in_memory().await;
        }
        Self::open(url, opts, None).await
    }

    async fn open(
        url: &str,
        opts: StoreOptions,
        scratch: Option<Arc<tempfile::TempDir>>,
    ) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend: Backend = url.parse().map_err(StoreError::Backend)?;
        let (url, location) = match backend {
            Backend::Sqlite => {
                let (url, location) = sqlite_location(url)?;
                (url, Some(location))
            }
            Backend::Postgres => {
                check_postgres_reachable(url, opts.acquire_timeout).await?;
                (url.to_owned(), None)
            }
        };
        let url = url.as_str();
        // The claim comes first, so a second process is refused before it migrates anything.
        let lock = match &location {
            Some(l) if opts.exclusive && scratch.is_none() => {
                Some(ProcessLock::acquire(std::path::Path::new(&l.path))?)
            }
            _ => None,
        };
        if backend == Backend::Sqlite {
            read_cache::count_commits();
        }
        // A scratch database needs no durability: it is gone at exit anyway.
        let synchronous = if scratch.is_some() { "OFF" } else { "NORMAL" };
        let mut options = AnyPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.acquire_timeout);
        if backend == Backend::Sqlite {
            // An embedded database does not drop connections: skip the ping before each use,
            // a round trip to the connection's worker thread per statement (bench/).
            options = options.test_before_acquire(false);
            options = options.after_connect(move |conn, _meta| {
                Box::pin(async move {
                    // WAL: readers never block the writer; NORMAL sync keeps every commit
                    // through a crash of the process. busy_timeout lets writers queue.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(AssertSqlSafe(format!("PRAGMA synchronous = {synchronous}")))
                        .await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // Counts this connection's commits for the read cache (`read_cache`).
                    // Never set `wal_autocheckpoint` on these connections: it removes the hook.
                    conn.execute(read_cache::INSTALL_HOOK_SQL).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await.map_err(backend_error)?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        // The commit count sees WAL commits only: without WAL (a file system without shared
        // memory), nothing is cached.
        let wal = backend == Backend::Sqlite && journal_mode(&pool).await? == "wal";
        let cache = (wal && (lock.is_some() || scratch.is_some())).then(|| ReadCache::new(lock));
        let store = Self {
            pool,
            backend,
            _scratch: scratch,
            inline: location
                .clone()
                .map(|l| Arc::new(InlineReader::new(l, cache))),
            writer: location.map(|l| Arc::new(InlineWriter::new(l))),
            pools: Arc::new(ParsedDocs::new()),
            clients: Arc::new(ParsedDocs::new()),
        };
        tracing::info!(backend = ?backend, "store ready");
        Ok(store)
    }

    /// Refreshes SQLite's planner statistics where tables have grown or shrunk a lot (sampled,
    /// so it stays fast on large tables). Without them SQLite may walk a pool's users in key
    /// order instead of using a ListUsers filter's index. The server runs it in the background
    /// just after it starts (after a bulk import of a million users it takes about 150 ms,
    /// which would otherwise delay the first request) and hourly; PostgreSQL keeps its own
    /// statistics (autovacuum), so this does nothing there.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
                .execute(&self.pool)
                .await
                .map_err(backend_error)?;
        }
        Ok(())
    }

    /// An SQLite database file in `dir`, created if missing.
    pub async fn open_sqlite_dir(
        dir: &std::path::Path,
        options: StoreOptions,
    ) -> Result<Self, StoreError> {
        let path = dir.join("cognate.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::connect_with(&url, options).await
    }

    /// A throwaway database, lost on exit: an SQLite file in WAL mode in a private folder on
    /// a RAM file system (`/dev/shm`) where there is one, else in the temporary folder. The
    /// same engine, mode and locking as the file store, so it answers concurrent requests as
    /// that does (SQLite's `memdb` has no WAL: readers and the writer locked each other out);
    /// without `fsync`, since nothing need survive. Folders left by killed processes are
    /// removed here.
    pub async fn in_memory() -> Result<Self, StoreError> {
        let base = scratch_base();
        remove_abandoned_scratch(&base);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SCRATCH_PREFIX}{}-", std::process::id()))
            .tempdir_in(&base)
            .map_err(|e| {
                StoreError::Backend(format!(
                    "cannot create a scratch folder in {}: {e}",
                    base.display()
                ))
            })?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("cognate.db").display()
        );
        Self::open(&url, StoreOptions::new(4), Some(Arc::new(dir))).await
    }

    /// `SELECT 1` within `timeout`: whether the database answers (readiness checks).
    pub async fn ping(&self, timeout: Duration) -> Result<(), StoreError> {
        match tokio::time::timeout(timeout, sqlx::query("SELECT 1").execute(&self.pool)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(backend_error(e)),
            Err(_) => Err(StoreError::Backend(format!(
                "the database did not answer within {} ms",
                timeout.as_millis()
            ))),
        }
    }

    /// Asks SQLite to copy the WAL back into the database file, without waiting for readers or
    /// blocking writers, on sqlx's side (it syncs the disk). For writes that skip SQLite's
    /// automatic checkpoints (`inline_writes`).
    pub(crate) fn checkpoint_in_background(&self) {
        if let Some(reader) = &self.inline {
            reader.release_stale_snapshots();
        }
        let pool = self.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            });
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

const SCRATCH_PREFIX: &str = "cognate-memory-";

/// Where in-memory stores keep their private folder: RAM when the system offers it.
fn scratch_base() -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let writable = shm.is_dir()
        && tempfile::Builder::new()
            .prefix(".cognate-probe-")
            .tempfile_in(shm)
            .is_ok();
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Removes the scratch folders of processes that no longer run (killed before cleaning up).
fn remove_abandoned_scratch(base: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(SCRATCH_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists()
            && std::path::Path::new("/proc/self").exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A PostgreSQL server that refuses or does not answer is reported at once, with its host and
/// the cause (the pool would retry until its timeout and then say only "timed out").
async fn check_postgres_reachable(url: &str, timeout: Duration) -> Result<(), StoreError> {
    use sqlx::Connection;
    let host = postgres_host(url);
    match tokio::time::timeout(timeout, sqlx::AnyConnection::connect(url)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(StoreError::Backend(format!(
            "cannot connect to PostgreSQL at {host}: {e}"
        ))),
        Err(_) => Err(StoreError::Backend(format!(
            "cannot connect to PostgreSQL at {host}: no answer within {} s",
            timeout.as_secs()
        ))),
    }
}

/// `host:port` of a PostgreSQL URL, for messages (never the credentials).
fn postgres_host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
}

/// Where an `sqlite:` URL's database file is, for the inline readers.
/// SQLite's journal mode, lower-cased (`wal` once the connections have set it).
async fn journal_mode(pool: &AnyPool) -> Result<String, StoreError> {
    use sqlx::Row;
    let row = sqlx::query("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .map_err(backend_error)?;
    let mode: String = row.try_get(0).map_err(backend_error)?;
    Ok(mode.to_ascii_lowercase())
}

fn sqlite_location(url: &str) -> Result<(String, SqliteLocation), StoreError> {
    let options = SqliteConnectOptions::from_str(url).map_err(backend_error)?;
    let location = SqliteLocation {
        path: options.get_filename().display().to_string(),
    };
    Ok((url.to_owned(), location))
}

pub(crate) fn backend_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(db.message().to_owned());
    }
    StoreError::Backend(e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:pw@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn postgres_hosts_without_credentials() {
        assert_eq!(
            super::postgres_host("postgres://u:pw@db.example:5433/cognate?sslmode=require"),
            "db.example:5433"
        );
        assert_eq!(super::postgres_host("postgres://localhost/x"), "localhost");
    }
}
