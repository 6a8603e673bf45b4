//! Data survives a restart on the same data directory, secrets included.

use crate::common::*;
use cognate::config::Storage;

#[tokio::test]
async fn everything_survives_a_restart() {
    let dir = temp_dir("persist");
    let mut cfg = config(Storage::DataDir(dir.clone()));
    cfg.data_dir = dir.clone();
    cfg.db_max_connections = 4;
    // The master key is generated into the data directory, as on a first start.
    cfg.master_key = None;

    let t = start_with_config(cfg.clone()).await;
    let c = &t.client;
    let pool = create_pool(c, "durable").await;
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("conf")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let secret = client.client_secret().unwrap().to_owned();
    c.create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("durable-auth")
        .send()
        .await
        .unwrap();
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("gina")
        .user_attributes(attr("email", "g@example.com"))
        .send()
        .await
        .unwrap();
    c.create_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .send()
        .await
        .unwrap();
    c.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("gina")
        .group_name("admin")
        .send()
        .await
        .unwrap();
    let idp_secret = "idp-secret-that-must-stay-sealed";
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType::Google)
        .provider_details("client_id", "google-client")
        .provider_details("client_secret", idp_secret)
        .provider_details("authorize_scopes", "openid email")
        .send()
        .await
        .unwrap();
    t.server.shutdown().await.unwrap();

    assert!(dir.join("cognate.db").exists());
    let key = std::fs::metadata(dir.join("master.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }
    // The secret is not stored in plain text.
    let db = std::fs::read(dir.join("cognate.db")).unwrap();
    let wal = std::fs::read(dir.join("cognate.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        for secret in [secret.as_str(), idp_secret] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        }
    }

    let t = start_with_config(cfg).await;
    let c = &t.client;
    let p = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(p.name(), Some("durable"));
    assert_eq!(p.estimated_number_of_users, 1);
    assert_eq!(p.domain(), Some("durable-auth"));
    let cl = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(client.client_id().unwrap())
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(cl.client_secret(), Some(secret.as_str()));
    let u = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("gina")
        .send()
        .await
        .unwrap();
    assert!(
        u.user_attributes()
            .iter()
            .any(|a| a.value() == Some("g@example.com"))
    );
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("gina")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups().len(), 1);
    let idp = c
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(idp.provider_details().unwrap()["client_secret"], idp_secret);
    t.server.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Generated admin credentials are written once (mode 0600) and reused.
#[tokio::test]
async fn generated_credentials_persist() {
    let dir = temp_dir("creds");
    let mut cfg = config(Storage::DataDir(dir.clone()));
    cfg.data_dir = dir.clone();
    cfg.access_keys.clear();
    let s1 = cognate::server::start(cfg.clone()).await.unwrap();
    let k1 = s1.access_keys[0].clone();
    s1.shutdown().await.unwrap();
    let s2 = cognate::server::start(cfg).await.unwrap();
    assert_eq!(s2.access_keys[0].secret_access_key, k1.secret_access_key);
    let client = sdk_client(&s2.url(), REGION, &k1.access_key_id, &k1.secret_access_key);
    client
        .list_user_pools()
        .max_results(1)
        .send()
        .await
        .unwrap();
    s2.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cognate rotate-keys` works on the data directory of a stopped server; the JWKS then holds
/// the old keys and the new ones.
#[tokio::test]
async fn rotate_keys_command() {
    let dir = temp_dir("rotate");
    let mut cfg = config(Storage::DataDir(dir.clone()));
    cfg.data_dir = dir.clone();
    cfg.master_key = None;
    let t = start_with_config(cfg.clone()).await;
    let f = sign_in_fixture(&t.client, false).await;
    password_sign_in(&t.client, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    t.server.shutdown().await.unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(["rotate-keys", "--pool-id", &f.pool, "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&f.pool));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args([
            "rotate-keys",
            "--pool-id",
            "us-east-1_nothere00",
            "--data-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not exist"));

    let t = start_with_config(cfg).await;
    let jwks: serde_json::Value =
        reqwest::get(format!("{}/{}/.well-known/jwks.json", t.url(), f.pool))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 4);
    t.server.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The embedded database belongs to one process: a second `cognate serve` on the same data
/// directory is refused at start (the first answers reads from memory until its own next
/// commit), while `cognate rotate-keys` still works beside the running server.
#[tokio::test]
async fn a_second_server_on_the_same_data_dir_is_refused() {
    let dir = temp_dir("claimed");
    let mut cfg = config(Storage::DataDir(dir.clone()));
    cfg.data_dir = dir.clone();
    cfg.master_key = None;
    let t = start_with_config(cfg).await;
    let f = sign_in_fixture(&t.client, false).await;

    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            second.kill().unwrap();
            panic!("the second server started on a claimed database");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let out = second.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(!status.success());
    assert!(
        said.contains("is in use by another Cognate process"),
        "{said}"
    );

    let rotated = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(["rotate-keys", "--pool-id", &f.pool, "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    // The running server is unharmed.
    t.client
        .describe_user_pool()
        .user_pool_id(&f.pool)
        .send()
        .await
        .unwrap();
    t.server.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
