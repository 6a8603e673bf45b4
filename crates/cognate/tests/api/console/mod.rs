//! The web console over HTTP, as a browser uses it (cookies kept, redirects not followed):
//! sign-in with the admin credentials, the CSRF token every form needs, lockout, sign-out
//! that ends the session everywhere, and the pools it shows.

mod clients;
mod settings;
mod signin;
mod users;
mod wizard;

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
    crate::common::create_user(c, &pool, "ada", &[("email", "ada@example.com")]).await;
    c.create_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .description("Administrators")
        .send()
        .await
        .unwrap();
    c.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ada")
        .group_name("admin")
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

/// The setup guide walked in the console in Chromium (each step checked by axe-core), then
/// the example app signs a user in with the pool, client ID and secret the console showed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn the_guide_in_the_console_then_the_example_app_signs_in() {
    const COOKIE_SECRET: &str = "console-wizard-end-to-end-test-cookie-secret-0123";
    const PASSWORD: &str = "Wizard-Guide-2024";
    let t = crate::common::start().await;
    let artifacts = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    std::fs::create_dir_all(&artifacts).unwrap();
    let cognate = format!("http://localhost:{}", t.server.addr.port());
    let envs = vec![
        ("COGNATE_BASE", cognate.clone()),
        ("ACCESS_KEY", crate::common::ACCESS_KEY.to_owned()),
        ("SECRET_KEY", crate::common::SECRET_KEY.to_owned()),
        ("ARTIFACTS", artifacts.display().to_string()),
    ];
    let out =
        tokio::task::spawn_blocking(move || crate::browser::run_node("console_wizard.mjs", &envs))
            .await
            .unwrap();
    let printed = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} printed"))
            .to_owned()
    };
    let (pool, client_id, secret) = (
        printed("POOL_ID"),
        printed("CLIENT_ID"),
        printed("CLIENT_SECRET"),
    );
    crate::common::create_user(&t.client, &pool, "grace", &[("email", "grace@example.com")]).await;
    t.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("grace")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();

    let app_config = seed_app::config_from(|name| match name {
        "AWS_COGNITO_DOMAIN" => Some(cognate.clone()),
        "AWS_COGNITO_USER_POOL_ID" => Some(pool.clone()),
        "AWS_COGNITO_USER_POOL_CLIENT_ID" => Some(client_id.clone()),
        "AWS_COGNITO_USER_POOL_CLIENT_SECRET" => Some(secret.clone()),
        "AWS_COGNITO_COOKIE_SECRET" => Some(COOKIE_SECRET.to_owned()),
        _ => None,
    })
    .unwrap();
    let cognito = cognate_axum::Cognito::new(app_config).unwrap();
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
        ("CLIENT_ID", client_id),
        ("USERNAME", "grace".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
    ];
    let result = tokio::task::spawn_blocking(move || {
        crate::browser::run_node("console_seed_app.mjs", &envs)
    })
    .await;
    // Release port 5000 whatever happened: the next browser test needs it.
    let _ = stop.send(());
    app.await.unwrap().unwrap();
    result.unwrap();
}
