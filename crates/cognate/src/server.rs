//! Wiring: store, domain, adapters, listener and graceful shutdown.

use crate::config::{AccessKey, Config, Storage};
use crate::keyfiles;
use axum::Router;
use axum::routing::get;
use cognate_api::sigv4::AccessKeys;
use cognate_api::{ApiState, model::Model};
use cognate_core::Cognito;
use cognate_core::password::PasswordHasher;
use cognate_core::secrets::SecretBox;
use cognate_core::time::{Clock, SystemClock};
use cognate_store::SqlStore;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server that is accepting requests.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// The domain service, for tools and tests that act on it directly (key rotation).
    pub cognito: Arc<Cognito>,
    /// The admin credentials in force (configured or generated).
    pub access_keys: Vec<AccessKey>,
    shutdown: Option<oneshot::Sender<()>>,
    maintenance: JoinHandle<()>,
    task: JoinHandle<std::io::Result<()>>,
    store: SqlStore,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, closes the database.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = self.task.await.unwrap_or(Ok(()));
        self.maintenance.abort();
        self.store.close().await;
        result
    }
}

/// Options for tests that need to control time or hashing cost.
#[derive(Clone)]
pub struct Overrides {
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
}

impl Default for Overrides {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            clock: Arc::new(SystemClock),
            hasher: PasswordHasher::new(cores),
        }
    }
}

pub async fn start(config: Config) -> Result<RunningServer, String> {
    start_with(config, Overrides::default()).await
}

/// Opens the configured store and loads the master key (shared by `serve` and the tools).
pub async fn open_store(config: &Config) -> Result<(SqlStore, [u8; 32]), String> {
    if config.persistent() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            format!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
    }
    let store = match &config.storage {
        Storage::InMemory => SqlStore::in_memory().await,
        Storage::DataDir(dir) => SqlStore::open_sqlite_dir(dir, config.db_max_connections).await,
        Storage::Url(url) => SqlStore::connect(url, config.db_max_connections).await,
    }
    .map_err(|e| format!("cannot open the store: {e}"))?;

    let master_key = match (config.master_key, config.persistent()) {
        (Some(k), _) => k,
        // Every node must open every secret: a per-node generated key cannot work.
        (None, _) if matches!(config.storage, Storage::Url(ref u) if !u.starts_with("sqlite:")) => {
            return Err("a shared database needs the same master key on every node: set --master-key or COGNATE_MASTER_KEY (64 hex digits, e.g. from `openssl rand -hex 32`)".into());
        }
        (None, true) => keyfiles::load_or_create_master_key(&config.data_dir)
            .map_err(|e| format!("cannot load the master key: {e}"))?,
        (None, false) => SecretBox::generate_master_key(),
    };
    Ok((store, master_key))
}

/// `cognate rotate-keys`: new signing keys for a pool; the old ones stay published until
/// the tokens they signed have expired.
pub async fn rotate_keys(config: &Config, pool_id: &str) -> Result<(), String> {
    let (store, master_key) = open_store(config).await?;
    let cognito = Cognito::new(
        Arc::new(store.clone()),
        Arc::new(SystemClock),
        Arc::new(SecretBox::new(&master_key)),
        PasswordHasher::new(1),
        config.account_id.clone(),
        config.issuer_url.clone().unwrap_or_default(),
    );
    let result = cognito
        .rotate_signing_keys(pool_id)
        .await
        .map_err(|e| e.to_string());
    store.close().await;
    result
}

pub async fn start_with(config: Config, overrides: Overrides) -> Result<RunningServer, String> {
    let (store, master_key) = open_store(&config).await?;

    let mut access_keys = config.access_keys.clone();
    if access_keys.is_empty() {
        let (key, created) = if config.persistent() {
            keyfiles::load_or_create_credentials(&config.data_dir)
                .map_err(|e| format!("cannot load the admin credentials: {e}"))?
        } else {
            (keyfiles::generate_access_key(), true)
        };
        if created {
            announce_credentials(&key, &config);
        }
        access_keys.push(key);
    }

    // Bind first: the default issuer names the port actually bound.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let issuer_base = config
        .issuer_url
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));

    let cognito = Arc::new(Cognito::new(
        Arc::new(store.clone()),
        overrides.clock,
        Arc::new(SecretBox::new(&master_key)),
        overrides.hasher,
        config.account_id.clone(),
        issuer_base,
    ));
    if let Some(path) = &config.bootstrap {
        crate::bootstrap::run(&cognito, path).await?;
    }
    let api = ApiState {
        cognito: cognito.clone(),
        keys: Arc::new(AccessKeys::new(
            access_keys
                .iter()
                .map(|k| (k.access_key_id.clone(), k.secret_access_key.clone())),
        )),
        model: Arc::new(Model::load()),
    };
    let app = Router::new()
        .route(
            "/health",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .merge(cognate_api::router(api))
        .merge(cognate_web::router(cognito.clone()))
        .layer(tower_http::trace::TraceLayer::new_for_http());

    // Keep SQLite's planner statistics current as pools grow: now, without holding up the
    // first requests, then hourly.
    let maintenance = store.clone();
    let maintenance = tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(e) = maintenance.optimize().await {
                tracing::warn!(error = %e, "store maintenance failed");
            }
        }
    });
    release_startup_memory();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%addr, "cognate is listening");
    Ok(RunningServer {
        cognito,
        addr,
        access_keys,
        shutdown: Some(tx),
        maintenance,
        task,
        store,
    })
}

/// Printed once, when credentials are generated, so the operator can use them with aws-cli.
/// Deliberately on stdout and not in the logs.
fn announce_credentials(key: &AccessKey, config: &Config) {
    let saved = if config.persistent() {
        format!(
            "saved in {}",
            config.data_dir.join("credentials.toml").display()
        )
    } else {
        "in memory only: they change at every start".to_owned()
    };
    println!(
        "Cognate generated admin credentials for SigV4-signed calls ({saved}):\n\
         \n  export AWS_ACCESS_KEY_ID={}\n  export AWS_SECRET_ACCESS_KEY={}\n  export AWS_DEFAULT_REGION=us-east-1\n\
         \n  aws cognito-idp list-user-pools --max-results 10 --endpoint-url http://{}\n",
        key.access_key_id, key.secret_access_key, config.listen
    );
}

/// Start-up parses the API model (a JSON tree several times the model's size) and runs the
/// migrations; glibc keeps the heap pages they freed. Hand those back to the system, so an
/// idle node holds only what it uses (bench/: about 2 MB of a 16 MB idle footprint).
fn release_startup_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory at the allocator's discretion; it has no
    // preconditions and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}
