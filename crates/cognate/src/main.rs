use clap::Parser;

/// mimalloc instead of glibc's malloc: on the request path allocation and freeing were about
/// 17% of an AdminGetUser's CPU with glibc (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use cognate::config::{Cli, Command, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Serve(args) => {
            // aws-lc seeds its random generator from CPU jitter on first use: about half of the
            // start-up's CPU, 20-60 ms. Seed it on a thread of its own while the store opens,
            // not on the way to the first request (docs/benchmarks.md, "Start").
            std::thread::spawn(|| cognate_core::secrets::fill_random(&mut [0u8; 1]));
            args
        }
        Command::RotateKeys(r) => return rotate_keys(r).await,
    };
    let config = match Config::resolve(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cognate: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&config.log_format);
    let server = match cognate::server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Serving is ready: what only start-up ran need not stay resident.
    let released = cognate::footprint::release_startup_code();
    tracing::debug!(bytes = released, "start-up code released");
    shutdown_signal().await;
    tracing::info!("shutting down");
    if let Err(e) = server.shutdown().await {
        tracing::error!("shutdown: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

/// Logs on stdout: JSON lines with `--log-format json`, else text, coloured only on a
/// terminal (colour codes would litter files and log collectors).
fn init_logging(format: &str) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_env("COGNATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().with_ansi(false).init();
    } else {
        builder.with_ansi(std::io::stdout().is_terminal()).init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn rotate_keys(args: cognate::config::RotateKeysArgs) -> std::process::ExitCode {
    let config = match Config::resolve(args.storage) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cognate: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match cognate::server::rotate_keys(&config, &args.pool_id).await {
        Ok(()) => {
            println!("Rotated the signing keys of {}.", args.pool_id);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cognate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
