//! Real browsers and real relying parties against a real Cognate: the Node scripts in
//! tests/e2e drive Debian's headless Chromium (playwright-core) and openid-client.
//! They need Chromium and `npm ci` in tests/e2e, which scripts/test.sh installs; so they are
//! `#[ignore]`d in a bare `cargo test` and run by scripts/test.sh with `--ignored`.

use crate::common::*;
use crate::oauth::oauth_fixture;
use std::path::PathBuf;
use std::process::Command;

fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e")
}

fn run_node(script: &str, envs: &[(&str, String)]) {
    let dir = e2e_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "run `npm ci` in tests/e2e first (scripts/test.sh does)"
    );
    let out = Command::new("node")
        .arg(script)
        .current_dir(&dir)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    eprintln!("{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn hosted_ui_journey_in_chromium() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    let base = format!("http://localhost:{}", t.server.addr.port());
    let script = "hosted_ui.mjs".to_owned();
    let envs = vec![
        ("COGNATE_BASE", base),
        ("CLIENT_ID", f.client_id.clone()),
        ("CLIENT_SECRET", f.secret.clone()),
        ("USERNAME", "alice".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
        ("EMAIL", "alice@example.com".to_owned()),
        ("ARTIFACTS", artifacts.display().to_string()),
    ];
    tokio::task::spawn_blocking(move || run_node(&script, &envs))
        .await
        .unwrap();
    assert!(
        artifacts.join("login.png").exists(),
        "the login page screenshot is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn openid_client_interop() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let (_, issuer) = pool_urls(&t, &f.pool);
    let script = "oidc_interop.mjs".to_owned();
    let envs = vec![
        ("ISSUER", issuer),
        ("CLIENT_ID", f.client_id.clone()),
        ("CLIENT_SECRET", f.secret.clone()),
        ("USERNAME", "alice".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
        ("EMAIL", "alice@example.com".to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node(&script, &envs))
        .await
        .unwrap();
}
