//! The web console over HTTP, as a browser uses it (cookies kept, redirects not followed):
//! sign-in with the admin credentials, the CSRF token every form needs, lockout, sign-out
//! that ends the session everywhere, and the pools it shows.

mod signin;

/// Every console page in Chromium, checked by axe-core (WCAG 2.1 AA), on a desktop and a
/// phone; screenshots in target/e2e.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn every_console_page_passes_an_accessibility_check_in_chromium() {
    let t = crate::common::start().await;
    let c = &t.client;
    let pool = crate::common::create_pool(c, "a11y").await;
    c.create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("seed-app")
        .send()
        .await
        .unwrap();
    let name = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .name
        .unwrap();
    let artifacts = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    std::fs::create_dir_all(&artifacts).unwrap();
    let envs = vec![
        ("COGNATE_BASE", t.url()),
        ("ACCESS_KEY", crate::common::ACCESS_KEY.to_owned()),
        ("SECRET_KEY", crate::common::SECRET_KEY.to_owned()),
        ("POOL_NAME", name),
        ("ARTIFACTS", artifacts.display().to_string()),
    ];
    tokio::task::spawn_blocking(move || crate::browser::run_node("console_a11y.mjs", &envs))
        .await
        .unwrap();
    assert!(artifacts.join("console-pool-phone.png").exists());
}
