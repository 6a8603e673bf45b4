//! Wiring: store, domain, adapters, listener and graceful shutdown.

use crate::config::{AccessKey, Config, Metrics, SmsConfig, Storage};
use crate::keyfiles;
use axum::Router;
use cognate_api::sigv4::AccessKeys;
use cognate_api::{ApiState, model::Model};
use cognate_core::Cognito;
use cognate_core::password::PasswordHasher;
use cognate_core::secrets::SecretBox;
use cognate_core::time::{Clock, SystemClock};
use cognate_store::{SqlStore, StoreOptions};
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
    delivery: JoinHandle<()>,
    metrics_task: Option<JoinHandle<()>>,
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
        self.delivery.abort();
        if let Some(t) = &self.metrics_task {
            t.abort();
        }
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
/// `exclusive`: this process claims an embedded database for itself (`StoreOptions`).
pub async fn open_store(config: &Config, exclusive: bool) -> Result<(SqlStore, [u8; 32]), String> {
    if config.persistent() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            format!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
    }
    let options = StoreOptions {
        max_connections: config.db_max_connections,
        acquire_timeout: config.db_timeout(),
        exclusive,
    };
    let store = match &config.storage {
        Storage::InMemory => SqlStore::in_memory().await,
        Storage::DataDir(dir) => SqlStore::open_sqlite_dir(dir, options).await,
        Storage::Url(url) => SqlStore::connect_with(url, options).await,
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
    // Beside a running server: this process must not claim the database.
    let (store, master_key) = open_store(config, false).await?;
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
    let metrics = crate::metrics::recorder();
    let (store, master_key) = open_store(&config, true).await?;

    let mut access_keys = config.access_keys.clone();
    let mut generated = None;
    if access_keys.is_empty() {
        let (key, created) = if config.persistent() {
            keyfiles::load_or_create_credentials(&config.data_dir)
                .map_err(|e| format!("cannot load the admin credentials: {e}"))?
        } else {
            (keyfiles::generate_access_key(), true)
        };
        if created {
            generated = Some(key.clone());
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

    let mut cognito = Cognito::new(
        Arc::new(store.clone()),
        overrides.clock,
        Arc::new(SecretBox::new(&master_key)),
        overrides.hasher,
        config.account_id.clone(),
        issuer_base.clone(),
    );
    cognito.invoker = Arc::new(cognate_delivery::Functions::new(config.functions.clone())?);
    cognito.encryptor = Arc::new(cognate_delivery::KmsEncryptor::new(config.kms.clone()));
    cognito.upstream = Arc::new(cognate_delivery::HttpUpstream::new());
    let cognito = Arc::new(cognito);
    crate::functions::check_pools(&cognito).await?;
    if let Some(path) = &config.bootstrap {
        crate::bootstrap::run(&cognito, path, config.log_format == "json").await?;
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
    let senders: Arc<dyn cognate_core::messaging::Sender> = Arc::new(senders(&config)?);
    let mut app = Router::new()
        .merge(crate::service_routes::router(store.clone(), &issuer_base))
        .merge(crate::dev_outbox::router(
            cognito.clone(),
            addr.ip().is_loopback(),
            access_keys
                .iter()
                .map(|k| (k.access_key_id.clone(), k.secret_access_key.clone()))
                .collect(),
        ))
        .merge(cognate_api::router(api.clone()))
        .merge(cognate_web::router(cognito.clone()));
    if config.console {
        let keys = access_keys
            .iter()
            .map(|k| (k.access_key_id.clone(), k.secret_access_key.clone()))
            .collect();
        let api: Arc<dyn cognate_core::console::AdminApi> = Arc::new(api.clone());
        let delivery = vec![
            match &config.smtp_url {
                Some(_) => format!("Email goes through the SMTP server, from {}.", config.smtp_from),
                None => "Email stays in the development outbox (/_cognate/outbox): no SMTP server is configured.".to_owned(),
            },
            match &config.sms {
                Some(SmsConfig::Sns { region, .. }) => format!("SMS go through Amazon SNS in {region}."),
                Some(SmsConfig::Webhook(_)) => "SMS go through the SMS webhook.".to_owned(),
                None => "SMS stay in the development outbox: no SMS sender is configured.".to_owned(),
            },
        ];
        app = app.merge(cognate_web::console::router(
            cognito.clone(),
            keys,
            api,
            delivery,
        ));
    }
    let mut metrics_task = None;
    match config.metrics {
        Metrics::Off => {}
        Metrics::On => app = app.merge(crate::metrics::router(metrics)),
        Metrics::Listen(at) => {
            let l = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at} for metrics: {e}"))?;
            let limits = config.limits;
            metrics_task = Some(tokio::spawn(async move {
                let _ = crate::listener::serve(
                    l,
                    crate::metrics::router(metrics),
                    limits,
                    std::future::pending(),
                )
                .await;
            }));
        }
    }

    let maintenance = spawn_maintenance(store.clone(), cognito.clone());
    let delivery = crate::delivery::spawn_worker(cognito.clone(), senders);
    crate::footprint::release_startup_memory();
    let mut limits = config.limits;
    limits.max_connections = crate::listener::raise_descriptor_limit(limits.max_connections);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        crate::listener::serve(listener, app, limits, async move {
            let _ = rx.await;
        })
        .await
    });
    announce(&config, addr, &issuer_base, generated.as_ref());
    Ok(RunningServer {
        cognito,
        addr,
        access_keys,
        shutdown: Some(tx),
        maintenance,
        delivery,
        metrics_task,
        task,
        store,
    })
}

/// The senders the configuration names; media without one keep their messages in the
/// development outbox.
fn senders(config: &Config) -> Result<cognate_delivery::Senders, String> {
    let mut senders = cognate_delivery::Senders::default();
    if let Some(url) = &config.smtp_url {
        let smtp = cognate_delivery::SmtpSender::new(url, &config.smtp_from)?;
        tracing::info!(server = %smtp.server(), "email goes through SMTP");
        senders.email = Some(smtp);
    }
    senders.sms = match &config.sms {
        None => None,
        Some(SmsConfig::Webhook(url)) => {
            tracing::info!("SMS go through the webhook");
            Some(cognate_delivery::SmsSender::Webhook(
                cognate_delivery::WebhookSender::new(url)?,
            ))
        }
        Some(SmsConfig::Sns {
            region,
            endpoint,
            credentials,
        }) => {
            let Some(keys) = credentials else {
                return Err("SMS through SNS needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)".into());
            };
            tracing::info!(%region, "SMS go through Amazon SNS");
            Some(cognate_delivery::SmsSender::Sns(
                cognate_delivery::SnsSender::new(
                    region,
                    endpoint.as_deref(),
                    cognate_delivery::SnsCredentials {
                        access_key_id: keys.access_key_id.clone(),
                        secret_access_key: keys.secret_access_key.clone(),
                        session_token: keys.session_token.clone(),
                    },
                ),
            ))
        }
    };
    Ok(senders)
}

/// Background upkeep: SQLite's planner statistics as pools grow (now, without holding up the
/// first requests, then hourly); every five minutes, lockout counts that have reset, expired
/// codes and past caps, and messages delivered or failed over a week ago.
fn spawn_maintenance(store: SqlStore, cognito: Arc<Cognito>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        let mut round: u64 = 0;
        loop {
            every.tick().await;
            if round.is_multiple_of(12)
                && let Err(e) = store.optimize().await
            {
                tracing::warn!(error = %e, "store maintenance failed");
            }
            // Not at start, right after the statistics: back-to-back statements would open a
            // second database connection (a thread and a page cache) on an idle node.
            if round > 0
                && let Err(e) = cognito.prune_expired().await
            {
                tracing::warn!(error = %e.message, "pruning expired state failed");
            }
            round += 1;
        }
    })
}

/// Says where everything is: the API, the issuer, the hosted UI, the data and credentials.
/// Generated credentials go to the terminal only (stdout), never into the logs; with JSON logs
/// they come as one JSON line.
fn announce(config: &Config, addr: SocketAddr, issuer_base: &str, generated: Option<&AccessKey>) {
    let api = format!("http://{addr}");
    let data = match &config.storage {
        Storage::InMemory => "in memory (lost on exit)".to_owned(),
        Storage::DataDir(dir) => format!("{}", dir.join("cognate.db").display()),
        Storage::Url(url) => cognate_store::redact(url),
    };
    let credentials = if !config.access_keys.is_empty() {
        "configured".to_owned()
    } else if config.persistent() {
        format!("{}", config.data_dir.join("credentials.toml").display())
    } else {
        "generated for this run".to_owned()
    };
    tracing::info!(
        api = %api,
        issuer = %format!("{issuer_base}/<pool id>"),
        hosted_ui = %format!("{issuer_base}/oauth2/authorize?client_id=<client id>&response_type=code&redirect_uri=<callback URL>"),
        console = %match config.console {
            true => format!("{issuer_base}/console"),
            false => "off".to_owned(),
        },
        data = %data,
        credentials = %credentials,
        "cognate is listening"
    );
    let Some(key) = generated else {
        return;
    };
    if config.log_format == "json" {
        println!(
            "{}",
            serde_json::json!({
                "message": "generated admin credentials",
                "aws_access_key_id": key.access_key_id,
                "aws_secret_access_key": key.secret_access_key,
                "saved_in": if config.persistent() { Some(credentials) } else { None },
            })
        );
        return;
    }
    let saved = if config.persistent() {
        format!("saved in {credentials}")
    } else {
        "in memory only: they change at every start".to_owned()
    };
    println!(
        "Cognate generated admin credentials for SigV4-signed calls ({saved}):\n\
         \n  export AWS_ACCESS_KEY_ID={}\n  export AWS_SECRET_ACCESS_KEY={}\n  export AWS_DEFAULT_REGION=us-east-1\n\
         \n  aws cognito-idp list-user-pools --max-results 10 --endpoint-url {api}\n",
        key.access_key_id, key.secret_access_key
    );
}
