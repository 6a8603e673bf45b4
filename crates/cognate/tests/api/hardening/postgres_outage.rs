//! Two nodes on PostgreSQL through database restarts and a 10-second stop: nothing
//! acknowledged is lost, requests during an outage fail within seconds with an error SDKs
//! retry, readiness says the node cannot serve, and both nodes serve again within a second of
//! the database returning. Run by scripts/test.sh on its PostgreSQL pass, which gives the
//! command that controls the server (`COGNATE_TEST_PG_CTL`, e.g. `pg_ctlcluster 15 main`).

use crate::common::{
    ACCESS_KEY, REGION, SECRET_KEY, config, fresh_postgres_database, start_with_config,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use cognate::config::Storage;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An SDK client that tries once: the test measures the server, not the SDK's retries.
fn single_try_client(url: &str) -> Client {
    let conf = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "t"))
        .endpoint_url(url)
        .retry_config(aws_sdk_cognitoidentityprovider::config::retry::RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

fn pg_ctl(action: &str) {
    let ctl = std::env::var("COGNATE_TEST_PG_CTL")
        .expect("COGNATE_TEST_PG_CTL names the command that controls the test PostgreSQL (scripts/test.sh sets it)");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{ctl} {action}"))
        .status()
        .unwrap();
    assert!(status.success(), "{ctl} {action} failed");
}

/// Starts the server again however the test ends, so later tests find it running.
struct RestartOnDrop;

impl Drop for RestartOnDrop {
    fn drop(&mut self) {
        let ctl = std::env::var("COGNATE_TEST_PG_CTL").unwrap_or_default();
        let _ = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{ctl} start 2>/dev/null || true"))
            .status();
    }
}

async fn get_user(c: &Client, pool: &str) -> bool {
    c.admin_get_user()
        .user_pool_id(pool)
        .username("probe")
        .send()
        .await
        .is_ok()
}

/// How long after the database is back until `c` answers again.
async fn time_to_serve(c: &Client, pool: &str) -> Duration {
    let started = Instant::now();
    while !get_user(c, pool).await {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never served again"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

#[tokio::test]
#[ignore = "restarts the PostgreSQL server: run alone by scripts/test.sh"]
async fn two_nodes_survive_postgres_restarts_and_a_stop() {
    let url = std::env::var("COGNATE_TEST_DATABASE_URL").expect("a PostgreSQL URL");
    let _guard = RestartOnDrop;
    let cfg = config(Storage::Url(fresh_postgres_database(&url).await));
    let a = start_with_config(cfg.clone()).await;
    let b = start_with_config(cfg).await;
    let (ca, cb) = (single_try_client(&a.url()), single_try_client(&b.url()));
    let pool = crate::common::create_pool(&ca, "outage").await;
    crate::common::create_user(&ca, &pool, "probe", &[]).await;

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..8 {
        let c = if w % 2 == 0 { ca.clone() } else { cb.clone() };
        let (pool, acknowledged, stop) = (pool.clone(), acknowledged.clone(), stop.clone());
        writers.spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let name = format!("w{w}-{i}");
                i += 1;
                let r = c
                    .admin_create_user()
                    .user_pool_id(&pool)
                    .username(&name)
                    .message_action(MessageActionType::Suppress)
                    .send()
                    .await;
                match r {
                    Ok(_) => acknowledged.lock().unwrap().push(name),
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        });
    }

    for _ in 0..2 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        pg_ctl("restart");
        let (ta, tb) = tokio::join!(time_to_serve(&ca, &pool), time_to_serve(&cb, &pool));
        eprintln!("after a restart, serving again in {ta:?} (A) and {tb:?} (B)");
        assert!(
            ta < Duration::from_secs(1) && tb < Duration::from_secs(1),
            "after a restart: {ta:?}, {tb:?}"
        );
    }

    tokio::time::sleep(Duration::from_secs(1)).await;
    pg_ctl("stop");
    let down = Instant::now();
    // During the outage: a request fails within seconds, with an error the SDKs retry.
    let started = Instant::now();
    let r = ca
        .admin_get_user()
        .user_pool_id(&pool)
        .username("probe")
        .send()
        .await;
    let took = started.elapsed();
    let e = r.expect_err("the database is down");
    let raw = e.raw_response().expect("an HTTP answer");
    assert_eq!(raw.status().as_u16(), 500);
    assert!(took < Duration::from_secs(5), "failed after {took:?}");
    let ready = reqwest::get(format!("{}/health/ready", a.url()))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let live = reqwest::get(format!("{}/health/live", a.url()))
        .await
        .unwrap();
    assert_eq!(live.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_secs(10).saturating_sub(down.elapsed())).await;
    pg_ctl("start");
    let (ta, tb) = tokio::join!(time_to_serve(&ca, &pool), time_to_serve(&cb, &pool));
    eprintln!(
        "after a 10 s stop, serving again in {ta:?} (A) and {tb:?} (B); during it a request failed after {took:?}"
    );
    assert!(
        ta < Duration::from_secs(1) && tb < Duration::from_secs(1),
        "after a stop: {ta:?}, {tb:?}"
    );
    let ready = reqwest::get(format!("{}/health/ready", b.url()))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);

    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    while writers.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 100,
        "only {} writes acknowledged",
        acknowledged.len()
    );
    let mut missing = 0;
    for name in &acknowledged {
        if ca
            .admin_get_user()
            .user_pool_id(&pool)
            .username(name)
            .send()
            .await
            .is_err()
        {
            missing += 1;
        }
    }
    eprintln!("{} acknowledged writes, {missing} lost", acknowledged.len());
    assert_eq!(
        missing,
        0,
        "lost {missing} of {} acknowledged writes",
        acknowledged.len()
    );
}
