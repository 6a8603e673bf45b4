//! The setup guide's example app (examples/seed-app) against a real Cognate started with the
//! example's bootstrap file, driven by headless Chromium (tests/e2e/seed_app.mjs): sign-in
//! redirects, claims, group guards, refresh, and logout with refresh-token revocation.
//! Needs Chromium and tests/e2e/node_modules, so scripts/test.sh runs it with `--ignored`.

use crate::common::*;
use cognate::config::Storage;
use cognate_axum::AuthError;
use std::path::PathBuf;
use std::process::Command;

const ADMIN: &str = "alice:Alice-Admin-2024";
const EDITOR: &str = "bob:Bob-Editor-2024";
const READER: &str = "carol:Carol-Reader-2024";
const COOKIE_SECRET: &str = "seed-app-end-to-end-test-cookie-secret-0123456789";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the Node script; returns its success, stdout and stderr.
fn run_node(envs: Vec<(&'static str, String)>) -> (bool, String, String) {
    let dir = repo().join("tests/e2e");
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "run `npm ci` in tests/e2e first (scripts/test.sh does)"
    );
    let out = Command::new("node")
        .arg("seed_app.mjs")
        .current_dir(&dir)
        .envs(envs)
        .output()
        .expect("node runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn seed_app_journey_in_chromium() {
    let mut config = config(Storage::InMemory);
    config.bootstrap = Some(repo().join("examples/seed-app/bootstrap.toml"));
    let t = start_with_config(config).await;
    let cognate = format!("http://localhost:{}", t.server.addr.port());

    // The app as `cargo run -p seed-app` runs it, pointed at this Cognate.
    let app_config = seed_app::config_from(|name| match name {
        "AWS_COGNITO_DOMAIN" => Some(cognate.clone()),
        "AWS_COGNITO_COOKIE_SECRET" => Some(COOKIE_SECRET.to_owned()),
        _ => None,
    })
    .unwrap();
    let client_id = app_config.client_id.clone();
    let cognito = cognate_axum::Cognito::new(app_config.clone()).unwrap();
    cognito
        .prefetch_jwks()
        .await
        .expect("the app reaches Cognate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:5000")
        .await
        .expect("port 5000 is free (the callback URL names it)");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = tokio::spawn(seed_app::serve(listener, cognito, async {
        let _ = stopped.await;
    }));

    let envs = vec![
        ("COGNATE_BASE", cognate),
        ("CLIENT_ID", client_id),
        ("ADMIN", ADMIN.to_owned()),
        ("EDITOR", EDITOR.to_owned()),
        ("READER", READER.to_owned()),
        ("ARTIFACTS", repo().join("target/e2e").display().to_string()),
    ];
    let (ok, stdout, stderr) = tokio::task::spawn_blocking(move || run_node(envs))
        .await
        .unwrap();
    // Release port 5000 whatever happened: the next browser test needs it.
    let _ = stop.send(());
    app.await.unwrap().unwrap();
    assert!(ok, "seed_app.mjs failed:\n{stdout}\n{stderr}");
    eprintln!("{stdout}");

    // The refresh token the browser held before logout, read through the app's own cookie
    // key, is refused by Cognate's token endpoint.
    let held = stdout
        .lines()
        .find_map(|l| l.strip_prefix("REFRESH_COOKIE="))
        .expect("the script prints the refresh cookie");
    let mut headers = http::HeaderMap::new();
    let cookie = format!("{}={held}", cognate_axum::REFRESH_COOKIE);
    headers.insert(http::header::COOKIE, cookie.parse().unwrap());
    let checker = cognate_axum::Cognito::new(app_config).unwrap();
    match checker.refresh(&headers).await {
        Err(AuthError::Endpoint { status, body, .. }) => {
            assert_eq!(status, 400);
            assert!(body.contains("invalid_grant"), "{body}");
        }
        other => panic!("the revoked refresh token must fail with invalid_grant: {other:?}"),
    }
    t.server.shutdown().await.unwrap();
}
