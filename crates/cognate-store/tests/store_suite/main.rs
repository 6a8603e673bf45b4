//! One suite for the store, run unchanged against every backend: SQLite always, and
//! PostgreSQL when `COGNATE_TEST_DATABASE_URL` names a server (scripts/test.sh sets it).

use cognate_core::StoreError;
use cognate_core::domain::PoolDomain;
use cognate_core::resource_server::{ResourceServer, ResourceServerScope};
use cognate_core::store::{
    AuthSession, AuthStore, ClientStore, DomainStore, GroupStore, PoolStore, RefreshTokenRecord,
    SigningKeyRecord, UserStore,
};
use cognate_core::store::{ResourceServerStore, UiCustomizationStore};
use cognate_core::time::Timestamp;
use cognate_core::ui_customization::StoredUiCustomization;
use cognate_core::user_filter::{self, UserFilter};
use cognate_store::{SqlStore, StoreOptions};

#[path = "../fixtures/mod.rs"]
mod fixtures;
use fixtures::{client, group, pool, user};

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

        let mut p =
            std::sync::Arc::unwrap_or_clone(s.get_pool("us-east-1_a").await.unwrap().unwrap());
        p.name = "renamed".into();
        s.update_pool(&p).await.unwrap();
        assert_eq!(
            *s.get_pool("us-east-1_a").await.unwrap().unwrap(),
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

mod messages;
mod read_cache;
mod sign_in;
mod users;
