//! Configuration: command-line flags, then `COGNATE_*` environment variables, then the
//! config file, then defaults.

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

pub use crate::listener::Limits;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9229";
pub const DEFAULT_DATA_DIR: &str = "./cognate-data";
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";

#[derive(Parser, Debug)]
#[command(
    name = "cognate",
    version,
    about = "A self-hosted identity provider compatible with Amazon Cognito User Pools",
    after_help = "Logging: COGNATE_LOG sets what is logged, as a tracing filter \
                  (default `info`; e.g. `debug`, `cognate=debug,sqlx=warn`).\n\
                  Every option is also a COGNATE_* environment variable and a key of the --config file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Give a pool new token-signing keys. The old keys stay in the JWKS until the tokens
    /// they signed have expired. Uses the same storage options as `serve`.
    RotateKeys(RotateKeysArgs),
}

#[derive(Args, Debug, Clone)]
pub struct RotateKeysArgs {
    /// The pool whose keys to rotate.
    #[arg(long)]
    pub pool_id: String,
    #[command(flatten)]
    pub storage: ServeArgs,
}

#[derive(Args, Debug, Default, Clone)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:9229]
    #[arg(long, env = "COGNATE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory for the embedded database, keys and generated credentials [default: ./cognate-data]
    #[arg(long, env = "COGNATE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keep everything in memory and lose it on exit (tests, demos).
    #[arg(long, env = "COGNATE_IN_MEMORY", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub in_memory: bool,
    /// Base URL of token issuers (`iss` is `<issuer-url>/<poolId>`) (default: `http://localhost:<port>`)
    #[arg(long, env = "COGNATE_ISSUER_URL")]
    pub issuer_url: Option<String>,
    /// Database URL: `sqlite://...` or `postgres://...` [default: SQLite in the data directory]
    #[arg(long = "database", env = "COGNATE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Maximum database connections [default: 8]
    #[arg(long, env = "COGNATE_DB_MAX_CONNECTIONS")]
    pub db_max_connections: Option<u32>,
    /// Account ID used in ARNs [default: 000000000000]
    #[arg(long, env = "COGNATE_ACCOUNT_ID")]
    pub account_id: Option<String>,
    /// Access key ID accepted for SigV4-signed (admin) calls.
    #[arg(long, env = "COGNATE_ACCESS_KEY_ID", requires = "secret_access_key")]
    pub access_key_id: Option<String>,
    /// Secret access key that goes with --access-key-id.
    #[arg(
        long,
        env = "COGNATE_SECRET_ACCESS_KEY",
        hide_env_values = true,
        requires = "access_key_id"
    )]
    pub secret_access_key: Option<String>,
    /// Master key for secrets at rest, 32 bytes as 64 hex digits [default: generated in the data directory]
    #[arg(long, env = "COGNATE_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,
    /// Log format on stdout: `text` or `json` [default: text]. COGNATE_LOG sets the filter
    /// (default `info`, e.g. `cognate=debug,sqlx=warn`)
    #[arg(long, env = "COGNATE_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Most connections open at once; more wait in the kernel's backlog [default: 1024,
    /// lowered to fit the descriptor limit]
    #[arg(long, env = "COGNATE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers, from its first byte [default: 10]
    #[arg(long, env = "COGNATE_HEADER_TIMEOUT")]
    pub header_timeout: Option<u64>,
    /// Seconds a client has to send a request's body [default: 30]
    #[arg(long, env = "COGNATE_BODY_TIMEOUT")]
    pub body_timeout: Option<u64>,
    /// Seconds an idle keep-alive connection stays open [default: 60]
    #[arg(long, env = "COGNATE_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// Seconds a request waits for a database connection before failing with a retryable
    /// error [default: 3 for PostgreSQL, 30 for SQLite]
    #[arg(long, env = "COGNATE_DB_TIMEOUT")]
    pub db_timeout: Option<u64>,
    /// Prometheus metrics: `on` (GET /metrics on the main listener), `off`, or an address
    /// for a separate listener such as `127.0.0.1:9230` [default: on]
    #[arg(long, env = "COGNATE_METRICS")]
    pub metrics: Option<String>,
    /// The web console at /console (sign-in with the admin credentials): `on` or `off`
    /// [default: on]
    #[arg(long, env = "COGNATE_CONSOLE")]
    pub console: Option<String>,
    /// Send email through this SMTP server: `smtp://[user:pass@]host:port` (STARTTLS when the
    /// server offers it) or `smtps://...` (TLS from the start) [default: none, messages stay in
    /// the development outbox at /_cognate/outbox]
    #[arg(long, env = "COGNATE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender address of emails, unless a pool's EmailConfiguration.From says otherwise
    /// [default: no-reply@verificationemail.com]
    #[arg(long, env = "COGNATE_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Send SMS through Amazon SNS in this region (credentials from AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) [default: none]
    #[arg(long, env = "COGNATE_SNS_REGION")]
    pub sns_region: Option<String>,
    /// Another endpoint for SNS (an SNS-compatible service, a VPC endpoint)
    #[arg(long, env = "COGNATE_SNS_ENDPOINT")]
    pub sns_endpoint: Option<String>,
    /// Send SMS by POSTing {"id","poolId","to","message"} to this URL instead [default: none]
    #[arg(long, env = "COGNATE_SMS_WEBHOOK_URL")]
    pub sms_webhook_url: Option<String>,
    /// The Lambda `Invoke` endpoint for trigger functions without a webhook, e.g.
    /// `http://127.0.0.1:3001` for `sam local start-lambda` [default: none]
    #[arg(long, env = "COGNATE_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,
    /// The KMS endpoint that encrypts the codes of custom sender triggers, e.g.
    /// `https://kms.us-east-1.amazonaws.com` [default: none, no custom senders]
    #[arg(long, env = "COGNATE_KMS_ENDPOINT")]
    pub kms_endpoint: Option<String>,
    /// A TOML configuration file (flags and environment variables take precedence).
    #[arg(long, env = "COGNATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// A TOML file describing pools, clients, domains, groups and users to create or update
    /// at every start (example: examples/seed-app/bootstrap.toml).
    #[arg(long, env = "COGNATE_BOOTSTRAP")]
    pub bootstrap: Option<PathBuf>,
}

/// The config file, every key optional.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub in_memory: Option<bool>,
    pub issuer_url: Option<String>,
    pub database_url: Option<String>,
    pub db_max_connections: Option<u32>,
    pub account_id: Option<String>,
    pub master_key: Option<String>,
    pub log_format: Option<String>,
    pub bootstrap: Option<PathBuf>,
    pub max_connections: Option<usize>,
    pub header_timeout: Option<u64>,
    pub body_timeout: Option<u64>,
    pub idle_timeout: Option<u64>,
    pub db_timeout: Option<u64>,
    pub metrics: Option<String>,
    pub console: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub sns_region: Option<String>,
    pub sns_endpoint: Option<String>,
    pub sms_webhook_url: Option<String>,
    pub kms_endpoint: Option<String>,
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// `[lambda]`: `endpoint`, `webhook_secret`, and `[lambda.webhooks]` ARN or name → URL.
    pub lambda: Option<crate::functions::FileLambda>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Where data lives.
#[derive(Debug, Clone)]
pub enum Storage {
    InMemory,
    /// SQLite in this directory.
    DataDir(PathBuf),
    /// An explicit database URL; the data directory still holds keys unless they are configured.
    Url(String),
}

/// The resolved configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub storage: Storage,
    pub issuer_url: Option<String>,
    pub db_max_connections: u32,
    pub account_id: String,
    pub access_keys: Vec<AccessKey>,
    pub master_key: Option<[u8; 32]>,
    pub log_format: String,
    /// The declarative setup applied at every start (`--bootstrap`), if any.
    pub bootstrap: Option<PathBuf>,
    /// Connection limits and timeouts against slow and idle clients.
    pub limits: Limits,
    /// How long a request waits for a database connection; `None`: [`Config::db_timeout`].
    pub db_timeout: Option<Duration>,
    pub metrics: Metrics,
    /// Whether the web console is served.
    pub console: bool,
    /// Where email goes (`None`: the development outbox).
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    /// Where SMS go (`None`: the development outbox).
    pub sms: Option<SmsConfig>,
    /// Where trigger functions are.
    pub functions: cognate_delivery::FunctionRoutes,
    /// Where the KMS keys of custom senders are.
    pub kms: cognate_delivery::KmsRoute,
}

/// AWS credentials for SNS.
#[derive(Clone)]
pub struct SnsKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for SnsKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnsKeys")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// How SMS leave.
#[derive(Debug, Clone)]
pub enum SmsConfig {
    Sns {
        region: String,
        endpoint: Option<String>,
        /// From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
        credentials: Option<SnsKeys>,
    },
    Webhook(String),
}

/// Cognito's sender address for pools that send with Cognito's own email.
pub const DEFAULT_SMTP_FROM: &str = "no-reply@verificationemail.com";

/// Where Prometheus metrics are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metrics {
    Off,
    /// `GET /metrics` on the main listener.
    On,
    /// `GET /metrics` on a listener of its own.
    Listen(SocketAddr),
}

impl FromStr for Metrics {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "on" | "true" => Ok(Metrics::On),
            "off" | "false" => Ok(Metrics::Off),
            addr => addr.parse().map(Metrics::Listen).map_err(|_| {
                format!("metrics must be `on`, `off` or a listen address like 127.0.0.1:9230, got {addr:?}")
            }),
        }
    }
}

impl Config {
    pub fn resolve(args: ServeArgs) -> Result<Self, String> {
        let file = match &args.config {
            Some(path) => load_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = args
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let in_memory = args.in_memory || file.in_memory.unwrap_or(false);
        let storage = match args.database_url.or(file.database_url) {
            Some(url) => Storage::Url(url),
            None if in_memory => Storage::InMemory,
            None => Storage::DataDir(data_dir.clone()),
        };
        let mut access_keys = file.access_keys;
        if let (Some(id), Some(secret)) = (args.access_key_id, args.secret_access_key) {
            access_keys.insert(
                0,
                AccessKey {
                    access_key_id: id,
                    secret_access_key: secret,
                },
            );
        }
        let master_key = args
            .master_key
            .or(file.master_key)
            .map(|k| parse_master_key(&k))
            .transpose()?;
        let account_id = args
            .account_id
            .or(file.account_id)
            .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.into());
        if account_id.len() != 12 || !account_id.bytes().all(|c| c.is_ascii_digit()) {
            return Err(format!("account ID must be 12 digits, got {account_id:?}"));
        }
        let log_format = args
            .log_format
            .or(file.log_format)
            .unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            return Err(format!(
                "log format must be `text` or `json`, got {log_format:?}"
            ));
        }
        let issuer_url = args.issuer_url.or(file.issuer_url);
        if let Some(url) = &issuer_url {
            check_issuer_url(url)?;
        }
        if let Storage::Url(url) = &storage {
            check_database_url(url)?;
        }
        let defaults = Limits::default();
        let secs = |flag: Option<u64>, file: Option<u64>, default: Duration, name: &str| match flag
            .or(file)
        {
            Some(0) => Err(format!("{name} must be at least 1 second")),
            Some(n) => Ok(Duration::from_secs(n)),
            None => Ok(default),
        };
        let limits = Limits {
            max_connections: match args.max_connections.or(file.max_connections) {
                Some(0) => return Err("max connections must be at least 1".into()),
                Some(n) => n,
                None => defaults.max_connections,
            },
            header_timeout: secs(
                args.header_timeout,
                file.header_timeout,
                defaults.header_timeout,
                "header timeout",
            )?,
            body_timeout: secs(
                args.body_timeout,
                file.body_timeout,
                defaults.body_timeout,
                "body timeout",
            )?,
            idle_timeout: secs(
                args.idle_timeout,
                file.idle_timeout,
                defaults.idle_timeout,
                "idle timeout",
            )?,
            max_header_bytes: defaults.max_header_bytes,
        };
        let db_timeout = match args.db_timeout.or(file.db_timeout) {
            Some(0) => return Err("database timeout must be at least 1 second".into()),
            Some(n) => Some(Duration::from_secs(n)),
            None => None,
        };
        let metrics = match args.metrics.or(file.metrics) {
            Some(m) => m.parse()?,
            None => Metrics::On,
        };
        let console = match args.console.or(file.console).as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(format!("console must be `on` or `off`, got {other:?}")),
        };
        let bootstrap = args.bootstrap.or(file.bootstrap);
        // The bootstrap file's `[delivery]` fills in what flags, variables and this file leave
        // unset; SMS are configured by one source as a whole.
        let delivery = match &bootstrap {
            Some(path) => crate::bootstrap::load(path)?.delivery.unwrap_or_default(),
            None => Default::default(),
        };
        let mut sms_source = (
            args.sns_region.or(file.sns_region),
            args.sms_webhook_url.or(file.sms_webhook_url),
            args.sns_endpoint.or(file.sns_endpoint),
        );
        if sms_source.0.is_none() && sms_source.1.is_none() {
            sms_source = (
                delivery.sns_region,
                delivery.sms_webhook_url,
                sms_source.2.or(delivery.sns_endpoint),
            );
        }
        let (sns_region, sms_webhook_url, sns_endpoint) = sms_source;
        Ok(Self {
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("default address")),
            data_dir,
            storage,
            issuer_url,
            db_max_connections: args
                .db_max_connections
                .or(file.db_max_connections)
                .unwrap_or(8),
            account_id,
            access_keys,
            master_key,
            log_format,
            bootstrap,
            limits,
            db_timeout,
            metrics,
            console,
            sms: match (sns_region, sms_webhook_url) {
                (Some(_), Some(_)) => {
                    return Err("give either an SNS region or an SMS webhook URL, not both".into());
                }
                (Some(region), None) => {
                    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
                    Some(SmsConfig::Sns {
                        region,
                        endpoint: sns_endpoint,
                        credentials: match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"))
                        {
                            (Some(id), Some(secret)) => Some(SnsKeys {
                                access_key_id: id,
                                secret_access_key: secret,
                                session_token: env("AWS_SESSION_TOKEN"),
                            }),
                            _ => None,
                        },
                    })
                }
                (None, Some(url)) => Some(SmsConfig::Webhook(url)),
                (None, None) => None,
            },
            functions: crate::functions::routes(args.lambda_endpoint, file.lambda),
            kms: crate::functions::kms(args.kms_endpoint.or(file.kms_endpoint)),
            smtp_url: args.smtp_url.or(file.smtp_url).or(delivery.smtp_url),
            smtp_from: args
                .smtp_from
                .or(file.smtp_from)
                .or(delivery.smtp_from)
                .unwrap_or_else(|| DEFAULT_SMTP_FROM.into()),
        })
    }

    /// Configuration for a throwaway in-memory server on a random port (tests).
    pub fn ephemeral() -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("address"),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            storage: Storage::InMemory,
            issuer_url: None,
            db_max_connections: 1,
            account_id: DEFAULT_ACCOUNT_ID.into(),
            access_keys: Vec::new(),
            master_key: None,
            log_format: "text".into(),
            bootstrap: None,
            limits: Limits::default(),
            db_timeout: None,
            metrics: Metrics::On,
            console: true,
            smtp_url: None,
            smtp_from: DEFAULT_SMTP_FROM.into(),
            sms: None,
            functions: Default::default(),
            kms: Default::default(),
        }
    }

    /// How long a request waits for a database connection: as configured, else 3 s on a
    /// shared PostgreSQL (fail fast during an outage, with an error SDKs retry) and 30 s on
    /// embedded SQLite (where waiting means only a burst of writes queueing).
    pub fn db_timeout(&self) -> Duration {
        let shared = matches!(&self.storage, Storage::Url(u) if !u.starts_with("sqlite:"));
        self.db_timeout
            .unwrap_or(Duration::from_secs(if shared { 3 } else { 30 }))
    }

    /// Whether keys and credentials are kept in the data directory.
    pub fn persistent(&self) -> bool {
        !matches!(self.storage, Storage::InMemory)
    }
}

/// The issuer base must be an absolute http(s) URL: it becomes every token's `iss`.
fn check_issuer_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => {}
        _ => {
            return Err(format!(
                "issuer URL must start with http:// or https:// and name a host, got {url:?} (e.g. https://auth.example.com)"
            ));
        }
    }
    if url.ends_with('/') {
        return Err(format!(
            "issuer URL must not end with '/', got {url:?}: `iss` is `<issuer URL>/<pool ID>`"
        ));
    }
    Ok(())
}

/// A database URL names a backend Cognate speaks; an SQLite file's folder must exist.
fn check_database_url(url: &str) -> Result<(), String> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() || path == ":memory:" {
            return Ok(());
        }
        let folder = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(format!(
                "the folder of the SQLite database {path} does not exist: {}",
                folder.display()
            ));
        }
        return Ok(());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(());
    }
    Err(format!(
        "database URL must start with sqlite: or postgres://, got {:?}",
        cognate_store::redact(url)
    ))
}

fn load_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("invalid config file {}: {e}", path.display()))
}

pub fn parse_master_key(s: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(s.trim()).map_err(|_| "master key must be 64 hex digits".to_owned())?;
    bytes
        .try_into()
        .map_err(|_| "master key must be 32 bytes (64 hex digits)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file_and_defaults_apply() {
        let dir = std::env::temp_dir().join(format!("cognate-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("cognate.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:1234\"\naccount_id = \"123456789012\"\n[[access_keys]]\naccess_key_id = \"AK\"\nsecret_access_key = \"SK\"\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(file),
            listen: Some("127.0.0.1:5555".parse().unwrap()),
            ..Default::default()
        };
        let c = Config::resolve(args).unwrap();
        assert_eq!(c.listen.port(), 5555);
        assert_eq!(c.account_id, "123456789012");
        assert_eq!(c.access_keys[0].access_key_id, "AK");
        assert!(matches!(c.storage, Storage::DataDir(_)));
        let bad = ServeArgs {
            account_id: Some("12".into()),
            ..Default::default()
        };
        assert!(Config::resolve(bad).is_err());
    }
}
