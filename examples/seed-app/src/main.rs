//! `cargo run -p seed-app`: the setup guide's example app on http://localhost:5000.

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
    let listen = std::env::var("SEED_APP_LISTEN").unwrap_or_else(|_| "127.0.0.1:5000".into());
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("seed-app: cannot listen on {listen}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("seed-app: open http://localhost:5000/ (signing in through {issuer})");
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
