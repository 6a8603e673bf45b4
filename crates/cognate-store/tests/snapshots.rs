//! Look-ups keep a read transaction open between them while the database is quiet
//! (cognate-store's `reader`). Its own test binary: "quiet" means no commit in the whole
//! process, which the store suite's other tests, running beside it, would break.

#[path = "fixtures/mod.rs"]
#[allow(dead_code)]
mod fixtures;

use cognate_core::store::{PoolStore, UserStore};
use cognate_store::{SqlStore, StoreOptions};
use fixtures::{pool, user};

/// A commit ends it at the next look-up, which reads the change; until then it holds
/// back a checkpoint, and after it nothing does; a row written since a snapshot began is found.
#[tokio::test]
async fn kept_snapshots_end_with_the_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(2))
        .await
        .unwrap();
    store.insert_pool(&pool("us-east-1_a")).await.unwrap();
    let alice = user("us-east-1_a", "alice", "s-1", &[]);
    store.insert_user(&alice).await.unwrap();
    let quiet = || tokio::time::sleep(std::time::Duration::from_millis(1100));
    let checkpoint = || {
        let conn = rusqlite::Connection::open(dir.path().join("cognate.db")).unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    quiet().await;
    assert!(
        store
            .get_user("us-east-1_a", "alice")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(checkpoint(), 1, "busy: the idle reader keeps its snapshot");

    let mut changed = alice.clone();
    changed.enabled = false;
    store.update_user(&changed).await.unwrap();
    let read = store
        .get_user("us-east-1_a", "alice")
        .await
        .unwrap()
        .unwrap();
    assert!(!read.enabled, "the commit ended the snapshot");
    assert_eq!(checkpoint(), 0, "nothing holds the WAL back after a commit");

    quiet().await;
    assert!(
        store
            .get_user("us-east-1_a", "bob")
            .await
            .unwrap()
            .is_none()
    );
    store
        .insert_user(&user("us-east-1_a", "bob", "s-2", &[]))
        .await
        .unwrap();
    assert!(
        store
            .get_user("us-east-1_a", "bob")
            .await
            .unwrap()
            .is_some(),
        "written after the snapshot began"
    );
}
