//! Declarative setup: `cognate serve --bootstrap FILE` (or `COGNATE_BOOTSTRAP`, or
//! `bootstrap = "FILE"` in the config file) creates or updates, at every start and
//! idempotently, the user pools, app clients, domains, groups and users the TOML file describes.
//!
//! ```toml
//! [delivery]                          # optional senders; flags, variables and the config
//! smtp_url = "smtp://mail:587"        # file win (also smtp_from, sns_region, sns_endpoint,
//!                                     # sms_webhook_url)
//! [[pools]]
//! id = "us-east-1_SeedApp01"          # optional: a fixed ID, `<region>_<letters and digits>`
//! name = "seed-app-users"
//! username_attributes = ["email"]     # create-only, like alias_attributes and
//! auto_verified_attributes = ["email"] # username_case_sensitive
//! domain = "seed-app-auth"            # prefix domain of the hosted UI
//! password_policy = { minimum_length = 12, require_symbols = false }
//! account_recovery = ["verified_email"]            # AccountRecoverySetting, by priority
//! attributes_require_verification_before_update = ["email"]
//! verification_message_template = { email_subject = "Your code", email_message = "Code: {####}" }
//! invite_message_template = { email_subject = "Welcome", email_message = "{username}: {####}" }
//! email_configuration = { from = "Acme <no-reply@acme.test>", reply_to_email_address = "help@acme.test" }
//!
//! [[pools.clients]]
//! name = "seed-app"
//! client_id = "seedappclientid00000000001"   # optional: fixed ID and secret
//! client_secret = "..."                      # or generate_secret = true
//! allowed_oauth_flows = ["code"]
//! allowed_oauth_scopes = ["openid", "email", "profile"]
//! callback_urls = ["http://localhost:5000/postlogin"]
//! logout_urls = ["http://localhost:5000/postlogout"]
//! access_token_validity = 60
//! token_validity_units = { access_token = "minutes", id_token = "minutes", refresh_token = "days" }
//!
//! [[pools.groups]]
//! name = "admin"
//! precedence = 1
//!
//! [[pools.users]]
//! username = "admin@example.com"
//! password = "..."                    # optional: generated and printed once when absent
//! attributes = { email_verified = true, name = "Ada Admin" }
//! groups = ["admin"]
//! ```
//!
//! A pool is found by its `id`, else by `name` in its region (`region`, default `us-east-1`);
//! a client by its `client_id`, else by `name` in the pool. What is missing is created; the
//! settings the file states are brought to its values on existing pools, clients and groups
//! (what it leaves out keeps its current value: Cognito's defaults for new resources). Groups
//! and memberships are added, never removed. Existing users get the file's attributes; their
//! password is left alone unless `reset_password = true`. Generated passwords are printed on
//! stdout once, never logged. Any error names the entry and stops the start.

mod file;
mod pools;
mod users;

pub use file::{BootstrapFile, ClientSpec, GroupSpec, PoolSpec, UserSpec};

use cognate_api::model::Model;
use cognate_core::Cognito;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// Checks a request against the botocore model, as the API does for the same operation, so
/// that the file meets the same rules (enums, lengths, patterns) with AWS's wording.
fn check_request(operation: &str, body: &Value) -> Result<(), String> {
    static MODEL: OnceLock<Model> = OnceLock::new();
    let model = MODEL.get_or_init(Model::load);
    match model.operation(operation) {
        Some(op) => model.validate(op, body).map_err(|e| e.message),
        None => Err(format!("unknown operation {operation}")),
    }
}

/// A password the bootstrap generated for a user (printed once by [`run`]).
#[derive(Debug, Clone)]
pub struct GeneratedPassword {
    /// The user's pool.
    pub pool_id: String,
    /// The username as the file gives it.
    pub username: String,
    /// The password, permanent unless the entry says `permanent = false`.
    pub password: String,
}

/// What one application of a bootstrap file did.
#[derive(Debug, Default)]
pub struct Report {
    /// The IDs of the pools the file describes, in its order.
    pub pool_ids: Vec<String>,
    /// Passwords generated for users created (or reset) in this run.
    pub generated_passwords: Vec<GeneratedPassword>,
}

/// Reads and checks a bootstrap file (TOML).
pub fn load(path: &Path) -> Result<BootstrapFile, String> {
    let shown = path.display();
    if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    ) {
        return Err(format!(
            "bootstrap file {shown}: YAML is not supported, write the file in TOML"
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read bootstrap file {shown}: {e}"))?;
    parse(&text).map_err(|e| format!("bootstrap file {shown}: {e}"))
}

/// Parses and checks the text of a bootstrap file, without touching any pool.
pub fn parse(text: &str) -> Result<BootstrapFile, String> {
    let parsed: BootstrapFile = toml::from_str(text).map_err(|e| e.to_string())?;
    parsed.validate()?;
    Ok(parsed)
}

/// Applies a checked file through the domain service. Errors name the entry at fault.
pub async fn apply(cognito: &Cognito, file: &BootstrapFile) -> Result<Report, String> {
    let mut report = Report::default();
    apply_into(cognito, file, &mut report).await?;
    Ok(report)
}

/// [`apply`], recording in `report` as it goes: what it did before an error is kept.
async fn apply_into(
    cognito: &Cognito,
    file: &BootstrapFile,
    report: &mut Report,
) -> Result<(), String> {
    for spec in &file.pools {
        let label = spec.label();
        let pool = pools::ensure_pool(cognito, spec)
            .await
            .map_err(|e| format!("{label}: {e}"))?;
        let label = format!("pool {:?} ({})", spec.name, pool.id);
        pools::ensure_domain(cognito, spec, &pool)
            .await
            .map_err(|e| {
                format!(
                    "{label}, domain {:?}: {e}",
                    spec.domain.as_deref().unwrap_or("")
                )
            })?;
        for client in &spec.clients {
            pools::ensure_client(cognito, &pool, client)
                .await
                .map_err(|e| format!("{label}, client {:?}: {e}", client.name))?;
        }
        for group in &spec.groups {
            users::ensure_group(cognito, &pool, group)
                .await
                .map_err(|e| format!("{label}, group {:?}: {e}", group.name))?;
        }
        for user in &spec.users {
            let generated = users::ensure_user(cognito, &pool, user)
                .await
                .map_err(|e| format!("{label}, user {:?}: {e}", user.username))?;
            if let Some(password) = generated {
                report.generated_passwords.push(GeneratedPassword {
                    pool_id: pool.id.clone(),
                    username: user.username.clone(),
                    password,
                });
            }
        }
        tracing::info!(pool_id = %pool.id, "bootstrap applied");
        report.pool_ids.push(pool.id.clone());
    }
    Ok(())
}

/// Checks the whole file before anything is written: every entry is first applied to a
/// scratch store (so each rule of the API and the domain is met, whatever the order), then
/// what depends on the real store is checked there without writing (settings that cannot
/// change on an existing pool, a domain that belongs to another pool).
pub async fn check(cognito: &Cognito, file: &BootstrapFile) -> Result<(), String> {
    // The rehearsal's own log lines ("store ready", "user pool created" ...) would read as
    // real changes.
    let quiet = tracing::subscriber::NoSubscriber::default;
    let scratch = tracing::instrument::WithSubscriber::with_subscriber(
        cognate_store::SqlStore::in_memory(),
        quiet(),
    )
    .await
    .map_err(|e| format!("cannot check the file: {e}"))?;
    let rehearsal = Cognito::new(
        std::sync::Arc::new(scratch.clone()),
        cognito.clock.clone(),
        cognito.secrets.clone(),
        cognate_core::password::PasswordHasher::new(1),
        cognito.account_id.clone(),
        cognito.issuer_base.clone(),
    );
    let rehearsed =
        tracing::instrument::WithSubscriber::with_subscriber(apply(&rehearsal, file), quiet())
            .await;
    scratch.close().await;
    rehearsed?;
    for spec in &file.pools {
        pools::check_against_store(cognito, spec)
            .await
            .map_err(|e| format!("{}: {e}", spec.label()))?;
    }
    Ok(())
}

/// Loads `path`, checks it whole, applies it, and prints the passwords it generated on
/// stdout (never in the logs), once: users that exist keep their password at the next start.
/// With `json` (the JSON log format) they are printed as one JSON object, so stdout stays
/// JSON lines.
pub async fn run(cognito: &Cognito, path: &Path, json: bool) -> Result<Report, String> {
    let file = load(path)?;
    check(cognito, &file).await.map_err(|e| {
        format!(
            "bootstrap file {}: {e} (nothing was applied)",
            path.display()
        )
    })?;
    let mut report = Report::default();
    let result = apply_into(cognito, &file, &mut report).await;
    // Users created before an error keep their generated password: show it even then.
    if !report.generated_passwords.is_empty() {
        println!(
            "{}",
            generated_passwords_text(&report.generated_passwords, json)
        );
    }
    result.map_err(|e| format!("bootstrap file {}: {e}", path.display()))?;
    Ok(report)
}

fn generated_passwords_text(generated: &[GeneratedPassword], json: bool) -> String {
    if json {
        let users: Vec<Value> = generated
            .iter()
            .map(|g| serde_json::json!({"pool_id": g.pool_id, "username": g.username, "password": g.password}))
            .collect();
        return serde_json::json!({"message": "bootstrap generated passwords", "users": users})
            .to_string();
    }
    let mut text = String::from(
        "Cognate bootstrap generated these passwords (shown once; they are not logged):\n\n",
    );
    for g in generated {
        text.push_str(&format!(
            "  pool {}  user {}  password {}\n",
            g.pool_id, g.username, g.password
        ));
    }
    text
}
