//! Cognate's store: one SQL implementation of [`cognate_core::store::Store`] that runs on the
//! embedded SQLite database (the default) and on PostgreSQL (several Cognate nodes sharing
//! one database). The SQL is portable (`$n` placeholders, `ON CONFLICT`, integer and text
//! columns), so both backends run the same queries; only the migrations are per backend.

mod auth;
mod documents;
mod groups;
mod inline_writes;
mod lookups;
mod oauth;
mod pools;
mod resource_servers;
mod users;

use cognate_core::StoreError;
use cognate_core::client::AppClient;
use cognate_core::pool::UserPool;
use inline_writes::InlineWriter;
use lookups::{InlineReader, ParsedDocs, SqliteLocation};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
}

impl SqlStore {
    /// Connects and applies migrations. Safe when several nodes start at once: PostgreSQL
    /// migrations run under an advisory lock.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend: Backend = url.parse().map_err(StoreError::Backend)?;
        let (url, location) = match backend {
            Backend::Sqlite => {
                let (url, location) = sqlite_location(url)?;
                (url, Some(location))
            }
            Backend::Postgres => (url.to_owned(), None),
        };
        let url = url.as_str();
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            // An embedded database does not drop connections: skip the ping before each use,
            // a round trip to the connection's worker thread per statement (bench/).
            options = options.test_before_acquire(false);
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL: readers never block the writer; NORMAL sync keeps every commit
                    // through a crash of the process. busy_timeout lets writers queue.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            });
            if location.as_ref().is_some_and(|l| l.vfs.is_some()) {
                // One connection that never closes: an in-memory database lives as long as
                // some connection to it is open.
                options = options
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None);
            }
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
        let store = Self {
            pool,
            backend,
            inline: location.clone().map(|l| Arc::new(InlineReader::new(l))),
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
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let path = dir.join("cognate.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::connect(&url, max_connections).await
    }

    /// A throwaway in-memory SQLite database.
    pub async fn in_memory() -> Result<Self, StoreError> {
        Self::connect("sqlite::memory:", 1).await
    }

    /// Asks SQLite to copy the WAL back into the database file, without waiting for readers or
    /// blocking writers, on sqlx's side (it syncs the disk). For writes that skip SQLite's
    /// automatic checkpoints (`inline_writes`).
    pub(crate) fn checkpoint_in_background(&self) {
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

/// Where an `sqlite:` URL's database is, for the inline readers. An in-memory database
/// (`sqlite::memory:`, `mode=memory`) becomes one in SQLite's `memdb` VFS, which several
/// connections of this process can share by name (sqlx's shared-cache in-memory databases
/// lock whole tables instead). Returns the URL to give sqlx.
fn sqlite_location(url: &str) -> Result<(String, SqliteLocation), StoreError> {
    static MEMORY_DATABASES: AtomicU64 = AtomicU64::new(0);
    let options = SqliteConnectOptions::from_str(url).map_err(backend_error)?;
    if url.contains(":memory:") || url.contains("mode=memory") {
        let name = format!(
            "/cognate-memory-{}-{}",
            std::process::id(),
            MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        let location = SqliteLocation {
            path: name.clone(),
            vfs: Some("memdb"),
        };
        return Ok((format!("sqlite://{name}?mode=rwc&vfs=memdb"), location));
    }
    let location = SqliteLocation {
        path: options.get_filename().display().to_string(),
        vfs: None,
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
}
