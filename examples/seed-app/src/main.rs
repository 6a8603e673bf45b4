//! `cargo run -p seed-app`: the setup guide's example app, on http://localhost:5000 unless
//! `SEED_APP_URL` says otherwise.

use std::process::ExitCode;

use cognate_axum::Cognito;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SEED_APP_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = match seed_app::config_from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("seed-app: {error}");
            return ExitCode::from(2);
        }
    };
    let issuer = config.issuer();
    let cognito = match Cognito::new(config) {
        Ok(cognito) => cognito,
        Err(error) => {
            eprintln!("seed-app: {error}");
            return ExitCode::from(2);
        }
    };
    // Fail now rather than at the first sign-in.
    if let Err(error) = cognito.prefetch_jwks().await {
        eprintln!(
            "seed-app: cannot fetch the signing keys of {issuer}: {error}\n\
             Is Cognate running with the example's bootstrap file?\n  \
             cargo run -p cognate -- serve --bootstrap examples/seed-app/bootstrap.toml"
        );
        return ExitCode::FAILURE;
    }
    let env = |name: &str| std::env::var(name).ok();
    let listen = seed_app::listen_address(env);
    let app_url = seed_app::app_url(env);
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("seed-app: cannot listen on {listen}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| listen.clone());
    println!("seed-app: listening on {bound}; open {app_url}/ (signing in through {issuer})");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match seed_app::serve(listener, cognito, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("seed-app: {error}");
            ExitCode::FAILURE
        }
    }
}
