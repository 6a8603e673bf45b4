//! One suite for the store, run unchanged against every backend: SQLite always, and
//! PostgreSQL when `COGNATE_TEST_DATABASE_URL` names a server (scripts/test.sh sets it).

use cognate_core::StoreError;
use cognate_core::client::AppClient;
use cognate_core::domain::PoolDomain;
use cognate_core::group::Group;
use cognate_core::pool::UserPool;
use cognate_core::resource_server::{ResourceServer, ResourceServerScope};
use cognate_core::store::{
    AuthSession, AuthStore, ClientStore, DomainStore, GroupStore, PoolStore, RefreshTokenRecord,
    SigningKeyRecord, UserStore,
};
use cognate_core::store::{ResourceServerStore, UiCustomizationStore};
use cognate_core::time::Timestamp;
use cognate_core::ui_customization::StoredUiCustomization;
use cognate_core::user::{Attribute, User};
use cognate_core::user_filter::{self, UserFilter};
use cognate_store::{SqlStore, StoreOptions};
use serde_json::json;

fn pool(id: &str) -> UserPool {
    serde_json::from_value(json!({
        "Id": id, "Name": format!("pool {id}"), "Arn": format!("arn:aws:cognito-idp:x:000000000000:userpool/{id}"),
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
            "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7},
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
        "DeletionProtection": "INACTIVE", "LambdaConfig": {}, "SchemaAttributes": [],
        "VerificationMessageTemplate": {}, "MfaConfiguration": "OFF", "EmailConfiguration": {},
        "UserPoolTags": {}, "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7},
        "UserPoolTier": "ESSENTIALS", "CreationDate": 1.0, "LastModifiedDate": 1.0
    }))
    .unwrap()
}

fn client(pool_id: &str, id: &str) -> AppClient {
    serde_json::from_value(json!({
        "UserPoolId": pool_id, "ClientName": "c", "ClientId": id, "LastModifiedDate": 1.0, "CreationDate": 1.0,
        "RefreshTokenValidity": 30, "ExplicitAuthFlows": [], "AllowedOAuthFlowsUserPoolClient": false,
        "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": true,
        "EnablePropagateAdditionalUserContextData": false, "AuthSessionValidity": 3,
        "secrets": [{"id": "s1", "sealed": "v1.xyz", "created": 1.0}]
    }))
    .unwrap()
}

fn user(pool_id: &str, name: &str, sub: &str, attrs: &[(&str, &str)]) -> User {
    let mut attributes = vec![Attribute::new("sub", sub)];
    attributes.extend(attrs.iter().map(|(n, v)| Attribute::new(*n, *v)));
    User {
        pool_id: pool_id.into(),
        username: name.into(),
        username_key: name.to_lowercase(),
        sub: sub.into(),
        attributes,
        status: "CONFIRMED".into(),
        enabled: true,
        created: Default::default(),
        modified: Default::default(),
        password_hash: Some("$argon2id$...".into()),
        password_set: None,
        mfa_options: Vec::new(),
    }
}

fn group(pool_id: &str, name: &str) -> Group {
    serde_json::from_value(json!({"GroupName": name, "UserPoolId": pool_id, "LastModifiedDate": 1.0, "CreationDate": 1.0})).unwrap()
}

/// Every backend: in-memory SQLite, SQLite in a file (its look-ups take the inline path on
/// a real WAL database), and PostgreSQL when `COGNATE_TEST_DATABASE_URL` names a server.
/// The directory of the file database is removed when the returned guard drops.
async fn backends() -> (Vec<(&'static str, SqlStore)>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file_store = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(4))
        .await
        .unwrap();
    let mut stores = vec![
        ("sqlite", SqlStore::in_memory().await.unwrap()),
        ("sqlite-file", file_store),
    ];
    if let Ok(url) = std::env::var("COGNATE_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        stores.push((
            "postgres",
            SqlStore::connect(&fresh_database(&url).await, 4)
                .await
                .unwrap(),
        ));
    }
    (stores, dir)
}

async fn fresh_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("cognate_t_store_{}_{nanos}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0)
}

#[tokio::test]
async fn pools_clients_domains() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        for id in ["us-east-1_b", "us-east-1_a", "us-east-1_c", "eu-west-1_a"] {
            s.insert_pool(&pool(id)).await.unwrap();
        }
        assert!(
            matches!(
                s.insert_pool(&pool("us-east-1_a")).await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}"
        );
        let listed: Vec<_> = s
            .list_pools("us-east-1", None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            listed,
            ["us-east-1_a", "us-east-1_b", "us-east-1_c"],
            "{backend}"
        );
        let after: Vec<_> = s
            .list_pools("us-east-1", Some("us-east-1_a"), 1)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(after, ["us-east-1_b"], "{backend}");

        let mut p = s.get_pool("us-east-1_a").await.unwrap().unwrap();
        p.name = "renamed".into();
        s.update_pool(&p).await.unwrap();
        assert_eq!(
            s.get_pool("us-east-1_a").await.unwrap().unwrap(),
            p,
            "{backend}"
        );

        s.insert_client(&client("us-east-1_a", "client1"))
            .await
            .unwrap();
        s.insert_client(&client("us-east-1_a", "client2"))
            .await
            .unwrap();
        assert_eq!(
            s.list_clients("us-east-1_a", Some("client1"), 5)
                .await
                .unwrap()
                .len(),
            1,
            "{backend}"
        );
        let mut c = s.get_client("client1").await.unwrap().unwrap();
        assert_eq!(c.secrets[0].sealed, "v1.xyz");
        c.settings.client_name = "renamed".into();
        s.update_client(&c).await.unwrap();
        assert_eq!(
            s.get_client("client1")
                .await
                .unwrap()
                .unwrap()
                .settings
                .client_name,
            "renamed"
        );
        s.delete_client("client2").await.unwrap();
        assert!(s.get_client("client2").await.unwrap().is_none());

        let d = PoolDomain {
            domain: "auth-a".into(),
            pool_id: "us-east-1_a".into(),
            custom_domain_config: None,
            managed_login_version: 1,
            created: Default::default(),
        };
        s.insert_domain(&d).await.unwrap();
        let taken = PoolDomain {
            pool_id: "us-east-1_b".into(),
            ..d.clone()
        };
        assert!(
            matches!(s.insert_domain(&taken).await, Err(StoreError::Conflict(_))),
            "{backend}"
        );
        assert_eq!(
            s.list_domains_of_pool("us-east-1_a").await.unwrap(),
            vec![d.clone()]
        );

        // Deleting a pool takes everything in it.
        s.insert_user(&user("us-east-1_a", "u", "sub-u", &[]))
            .await
            .unwrap();
        s.insert_group(&group("us-east-1_a", "g")).await.unwrap();
        s.add_user_to_group("us-east-1_a", "g", "u").await.unwrap();
        s.delete_pool("us-east-1_a").await.unwrap();
        assert!(s.get_pool("us-east-1_a").await.unwrap().is_none());
        assert!(s.get_client("client1").await.unwrap().is_none());
        assert!(s.get_domain("auth-a").await.unwrap().is_none());
        assert_eq!(s.count_users("us-east-1_a").await.unwrap(), 0);
        assert!(s.get_group("us-east-1_a", "g").await.unwrap().is_none());
        assert!(s.get_pool("us-east-1_b").await.unwrap().is_some());
    }
}

fn resource_server(pool_id: &str, identifier: &str, scopes: &[&str]) -> ResourceServer {
    ResourceServer {
        user_pool_id: pool_id.into(),
        identifier: identifier.into(),
        name: format!("server {identifier}"),
        scopes: scopes
            .iter()
            .map(|s| ResourceServerScope {
                scope_name: (*s).into(),
                scope_description: format!("{s} things"),
            })
            .collect(),
    }
}

fn ui(pool_id: &str, client_id: &str, css: &str) -> StoredUiCustomization {
    StoredUiCustomization {
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        css: Some(css.into()),
        css_version: "20250101000000".into(),
        image: Some("iVBORw0KGgo=".into()),
        image_content_type: Some("image/png".into()),
        created: Timestamp(1_000),
        modified: Timestamp(1_000),
    }
}

#[tokio::test]
async fn resource_servers_and_ui_customizations() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let (p, other) = ("us-east-1_rs", "us-east-1_rt");
        s.insert_pool(&pool(p)).await.unwrap();
        s.insert_pool(&pool(other)).await.unwrap();
        // Byte order: upper case before lower case, `h` before `o`.
        for id in ["orders", "https://api.example.com", "Zeta"] {
            s.insert_resource_server(&resource_server(p, id, &["read", "write"]))
                .await
                .unwrap();
        }
        s.insert_resource_server(&resource_server(other, "orders", &["x"]))
            .await
            .unwrap();
        assert!(
            matches!(
                s.insert_resource_server(&resource_server(p, "orders", &[]))
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}"
        );
        let ids = |v: Vec<ResourceServer>| v.into_iter().map(|s| s.identifier).collect::<Vec<_>>();
        assert_eq!(
            ids(s.list_resource_servers(p, None, 10).await.unwrap()),
            ["Zeta", "https://api.example.com", "orders"],
            "{backend}"
        );
        assert_eq!(
            ids(s.list_resource_servers(p, Some("Zeta"), 1).await.unwrap()),
            ["https://api.example.com"],
            "{backend}"
        );
        let mut orders = s.get_resource_server(p, "orders").await.unwrap().unwrap();
        assert_eq!(orders, resource_server(p, "orders", &["read", "write"]));
        orders.name = "Orders API".into();
        orders.scopes.pop();
        s.update_resource_server(&orders).await.unwrap();
        assert_eq!(
            s.get_resource_server(p, "orders").await.unwrap().unwrap(),
            orders,
            "{backend}"
        );
        assert_eq!(
            s.get_resource_server(other, "orders")
                .await
                .unwrap()
                .unwrap()
                .scopes
                .len(),
            1,
            "{backend}: pools are separate"
        );
        s.delete_resource_server(p, "Zeta").await.unwrap();
        assert!(s.get_resource_server(p, "Zeta").await.unwrap().is_none());

        assert!(s.get_ui_customization(p, "ALL").await.unwrap().is_none());
        s.put_ui_customization(&ui(p, "ALL", ".logo-customizable{}"))
            .await
            .unwrap();
        s.put_ui_customization(&ui(p, "client1", ".banner-customizable{}"))
            .await
            .unwrap();
        let mut replaced = ui(p, "ALL", ".label-customizable{}");
        replaced.image = None;
        replaced.modified = Timestamp(2_000);
        s.put_ui_customization(&replaced).await.unwrap();
        assert_eq!(
            s.get_ui_customization(p, "ALL").await.unwrap().unwrap(),
            replaced,
            "{backend}: put replaces"
        );
        assert_eq!(
            s.get_ui_customization(p, "client1")
                .await
                .unwrap()
                .unwrap()
                .css
                .as_deref(),
            Some(".banner-customizable{}")
        );
        s.delete_ui_customization(p, "client1").await.unwrap();
        assert!(
            s.get_ui_customization(p, "client1")
                .await
                .unwrap()
                .is_none()
        );

        s.delete_pool(p).await.unwrap();
        assert!(
            s.list_resource_servers(p, None, 10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        assert!(s.get_ui_customization(p, "ALL").await.unwrap().is_none());
        assert!(
            s.get_resource_server(other, "orders")
                .await
                .unwrap()
                .is_some(),
            "{backend}: other pools keep theirs"
        );
    }
}

#[tokio::test]
async fn users_lookups_and_filters() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_p";
        s.insert_pool(&pool(p)).await.unwrap();
        s.insert_user(&user(
            p,
            "Alice",
            "sub-a",
            &[("email", "Alice@Example.com"), ("family_name", "Liddell")],
        ))
        .await
        .unwrap();
        s.insert_user(&user(
            p,
            "bob",
            "sub-b",
            &[("email", "bob@example.com"), ("phone_number", "+15550001")],
        ))
        .await
        .unwrap();
        s.insert_user(&user(
            p,
            "carl",
            "sub-c",
            &[
                ("email", "carl@example.org"),
                ("preferred_username", "Charlie"),
            ],
        ))
        .await
        .unwrap();
        assert!(
            matches!(
                s.insert_user(&user(p, "ALICE", "sub-x", &[])).await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}"
        );
        assert!(
            matches!(
                s.insert_user(&user(p, "dora", "sub-a", &[])).await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}"
        );
        assert_eq!(s.count_users(p).await.unwrap(), 3);

        assert_eq!(
            s.get_user(p, "alice").await.unwrap().unwrap().username,
            "Alice",
            "{backend}"
        );
        let by = |attr: &'static str, v: &'static str, fold: bool| {
            let s = s.clone();
            async move {
                s.find_users_by_attribute(p, attr, v, fold)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|u| u.username)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            by("email", "alice@example.com", true).await,
            ["Alice"],
            "{backend}"
        );
        assert!(
            by("email", "alice@example.com", false).await.is_empty(),
            "{backend}"
        );
        assert_eq!(by("phone_number", "+15550001", false).await, ["bob"]);
        assert_eq!(by("preferred_username", "charlie", true).await, ["carl"]);
        assert_eq!(by("sub", "sub-c", false).await, ["carl"]);

        let list = |f: Option<UserFilter>, after: Option<&'static str>, limit: usize| {
            let s = s.clone();
            async move {
                s.list_users(p, f.as_ref(), after, limit)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|u| u.username)
                    .collect::<Vec<_>>()
            }
        };
        let parse = |f: &str| user_filter::parse(f).unwrap();
        assert_eq!(
            list(None, None, 10).await,
            ["Alice", "bob", "carl"],
            "{backend}"
        );
        assert_eq!(list(None, Some("alice"), 1).await, ["bob"], "{backend}");
        assert_eq!(
            list(parse("email ^= \"b\""), None, 10).await,
            ["bob"],
            "{backend}"
        );
        assert_eq!(
            list(parse("email = \"carl@example.org\""), None, 10).await,
            ["carl"],
            "{backend}"
        );
        assert_eq!(
            list(parse("family_name ^= \"\""), None, 10).await,
            ["Alice"],
            "{backend}"
        );
        assert_eq!(
            list(parse("username = \"bob\""), None, 10).await,
            ["bob"],
            "{backend}"
        );

        let mut bob = s.get_user(p, "bob").await.unwrap().unwrap();
        bob.enabled = false;
        bob.set_attr("email", "robert@example.com");
        s.update_user(&bob).await.unwrap();
        assert_eq!(
            list(parse("status = \"Disabled\""), None, 10).await,
            ["bob"],
            "{backend}"
        );
        assert_eq!(
            list(parse("email ^= \"rob\""), None, 10).await,
            ["bob"],
            "{backend}"
        );
        assert!(
            list(parse("email ^= \"bob\""), None, 10).await.is_empty(),
            "{backend}"
        );

        s.insert_group(&group(p, "admins")).await.unwrap();
        s.insert_group(&group(p, "editors")).await.unwrap();
        assert!(matches!(
            s.insert_group(&group(p, "admins")).await,
            Err(StoreError::Conflict(_))
        ));
        s.add_user_to_group(p, "admins", "alice").await.unwrap();
        s.add_user_to_group(p, "admins", "alice").await.unwrap();
        s.add_user_to_group(p, "editors", "alice").await.unwrap();
        s.add_user_to_group(p, "editors", "bob").await.unwrap();
        let groups: Vec<_> = s
            .list_groups_of_user(p, "alice", None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.group_name)
            .collect();
        assert_eq!(groups, ["admins", "editors"], "{backend}");
        let members: Vec<_> = s
            .list_users_in_group(p, "editors", None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(members, ["Alice", "bob"], "{backend}");
        s.delete_user(p, "bob").await.unwrap();
        assert_eq!(
            s.list_users_in_group(p, "editors", None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        s.remove_user_from_group(p, "editors", "alice")
            .await
            .unwrap();
        assert!(
            s.list_users_in_group(p, "editors", None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        s.delete_group(p, "admins").await.unwrap();
        assert!(
            s.list_groups_of_user(p, "alice", None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(s.list_groups(p, None, 10).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn sign_in_state() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_s";
        s.insert_pool(&pool(p)).await.unwrap();
        let key = |kid: &str, created_ms| SigningKeyRecord {
            kid: kid.into(),
            pool_id: p.into(),
            purpose: "id".into(),
            created_ms,
            retired_ms: None,
            sealed_pkcs8: "v1.sealed".into(),
            n: "n".into(),
            e: "AQAB".into(),
        };
        s.insert_signing_key(&key("k1", 1)).await.unwrap();
        s.retire_signing_keys(p, 5).await.unwrap();
        s.insert_signing_key(&key("k2", 6)).await.unwrap();
        let keys = s.list_signing_keys(p).await.unwrap();
        assert_eq!(
            keys.iter()
                .map(|k| (k.kid.as_str(), k.retired_ms))
                .collect::<Vec<_>>(),
            [("k1", Some(5)), ("k2", None)],
            "{backend}"
        );
        assert_eq!(
            s.get_signing_key("k1").await.unwrap().unwrap().retired_ms,
            Some(5)
        );

        let session = AuthSession {
            origin_jti: "o1".into(),
            pool_id: p.into(),
            username_key: "alice".into(),
            client_id: "c1".into(),
            auth_time_ms: 10,
            expires_ms: 1000,
            revoked_ms: None,
            scope: Some("openid email".into()),
        };
        let token = |hash: &str| RefreshTokenRecord {
            token_hash: hash.into(),
            origin_jti: "o1".into(),
            pool_id: p.into(),
            created_ms: 10,
            replaced_ms: None,
        };
        s.insert_auth_session(&session, &token("h1")).await.unwrap();
        assert_eq!(
            s.get_auth_session("o1").await.unwrap().unwrap(),
            session,
            "{backend}"
        );
        // With its user, once there is one.
        let (with, nobody) = s.get_auth_session_with_user("o1").await.unwrap().unwrap();
        assert_eq!((with, nobody), (session.clone(), None), "{backend}");
        s.insert_user(&user(p, "alice", "sub-alice", &[("email", "a@x.example")]))
            .await
            .unwrap();
        let (_, alice) = s.get_auth_session_with_user("o1").await.unwrap().unwrap();
        assert_eq!(alice.unwrap().sub, "sub-alice", "{backend}");
        assert!(s.get_auth_session_with_user("o2").await.unwrap().is_none());
        assert!(
            s.rotate_refresh_token("h1", 20, &token("h2"))
                .await
                .unwrap()
        );
        assert!(
            !s.rotate_refresh_token("h1", 21, &token("h3"))
                .await
                .unwrap(),
            "{backend}: only one rotation wins"
        );
        assert_eq!(
            s.find_refresh_token("h1")
                .await
                .unwrap()
                .unwrap()
                .replaced_ms,
            Some(20)
        );
        assert!(
            s.find_refresh_token("h2")
                .await
                .unwrap()
                .unwrap()
                .replaced_ms
                .is_none()
        );
        assert!(s.find_refresh_token("h3").await.unwrap().is_none());
        s.add_refresh_token(&token("h4")).await.unwrap();
        s.revoke_user_sessions(p, "alice", 30).await.unwrap();
        assert_eq!(
            s.get_auth_session("o1").await.unwrap().unwrap().revoked_ms,
            Some(30),
            "{backend}"
        );
        s.revoke_auth_session("o1", 40).await.unwrap();
        assert_eq!(
            s.get_auth_session("o1").await.unwrap().unwrap().revoked_ms,
            Some(30),
            "first revocation stands"
        );

        assert!(s.consume_challenge("ch1", 100, 50).await.unwrap());
        assert!(
            !s.consume_challenge("ch1", 100, 60).await.unwrap(),
            "{backend}"
        );
        assert!(
            s.consume_challenge("ch1", 300, 200).await.unwrap(),
            "{backend}: expired entries are forgotten"
        );

        assert!(s.sign_in_failures(p, "alice").await.unwrap().is_none());
        s.record_sign_in_failure(p, "alice", 1_000, 900_000)
            .await
            .unwrap();
        s.record_sign_in_failure(p, "alice", 2_000, 900_000)
            .await
            .unwrap();
        assert_eq!(
            s.sign_in_failures(p, "alice").await.unwrap(),
            Some((2, 2_000)),
            "{backend}"
        );
        s.record_sign_in_failure(p, "alice", 2_000 + 900_001, 900_000)
            .await
            .unwrap();
        assert_eq!(
            s.sign_in_failures(p, "alice").await.unwrap(),
            Some((1, 902_001)),
            "{backend}: quiet time resets"
        );
        s.clear_sign_in_failures(p, "alice").await.unwrap();
        assert!(s.sign_in_failures(p, "alice").await.unwrap().is_none());

        // Deleting the user removes their sessions; deleting the pool removes everything.
        s.record_sign_in_failure(p, "alice", 1, 900_000)
            .await
            .unwrap();
        s.delete_user(p, "alice").await.unwrap();
        assert!(
            s.get_auth_session("o1").await.unwrap().is_none(),
            "{backend}"
        );
        assert!(s.sign_in_failures(p, "alice").await.unwrap().is_none());
        s.delete_pool(p).await.unwrap();
        assert!(s.list_signing_keys(p).await.unwrap().is_empty());
        assert!(
            s.find_refresh_token("h2").await.unwrap().is_none(),
            "{backend}"
        );
    }
}

/// A fresh sign-in: session `jti` and its refresh token `hash`.
fn sign_in(jti: &str, hash: &str) -> (AuthSession, RefreshTokenRecord) {
    let session = AuthSession {
        origin_jti: jti.into(),
        pool_id: "us-east-1_a".into(),
        username_key: "alice".into(),
        client_id: "c1".into(),
        auth_time_ms: 10,
        expires_ms: 1000,
        revoked_ms: None,
        scope: None,
    };
    let token = RefreshTokenRecord {
        token_hash: hash.into(),
        origin_jti: jti.into(),
        pool_id: "us-east-1_a".into(),
        created_ms: 10,
        replaced_ms: None,
    };
    (session, token)
}

/// On SQLite a sign-in's write runs inline only when it need not wait. With another
/// connection holding the write lock it goes through sqlx instead, which waits for the lock:
/// the write is neither lost nor failed.
#[tokio::test]
async fn sign_in_write_waits_for_a_held_write_lock() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(4))
        .await
        .unwrap();
    let holder = rusqlite::Connection::open(dir.path().join("cognate.db")).unwrap();
    holder
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO used_challenges (id, expires_ms) VALUES ('held', 1);",
        )
        .unwrap();
    let (session, token) = sign_in("o1", "h1");
    let writer = store.clone();
    let write = tokio::spawn(async move { writer.insert_auth_session(&session, &token).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!write.is_finished(), "waits for the lock");
    holder.execute_batch("COMMIT").unwrap();
    write.await.unwrap().unwrap();
    assert!(store.get_auth_session("o1").await.unwrap().is_some());
    assert!(store.find_refresh_token("h1").await.unwrap().is_some());

    // With the lock free the write is immediate, and many of them (past a checkpoint request)
    // all land.
    for i in 0..450 {
        let (session, token) = sign_in(&format!("o-{i}"), &format!("h-{i}"));
        store.insert_auth_session(&session, &token).await.unwrap();
    }
    assert!(store.find_refresh_token("h-449").await.unwrap().is_some());
    let (session, token) = sign_in("o-1", "h-1");
    let duplicate = store.insert_auth_session(&session, &token).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );
}
