//! The embedded store answers repeated look-ups from memory (`read_cache`): every commit, by
//! whichever connection of the process, must make the next look-up read the database again.

use super::*;

/// A session's look-up remembered as "none" is found once a sign-in wrote it (the inline
/// writer), a user's is read anew after each change (sqlx's connections), and a revocation
/// shows at once.
#[tokio::test]
async fn a_cached_answer_never_outlives_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(4))
        .await
        .unwrap();
    store.insert_pool(&pool("us-east-1_a")).await.unwrap();
    let alice = user("us-east-1_a", "alice", "s-1", &[("email", "a@x.example")]);
    store.insert_user(&alice).await.unwrap();

    // Read twice (the second from memory), then the sign-in's inline write.
    for _ in 0..2 {
        assert!(store.get_auth_session("o1").await.unwrap().is_none());
    }
    assert!(
        store
            .get_auth_session_with_user("o1")
            .await
            .unwrap()
            .is_none()
    );
    let (session, token) = super::sign_in::sign_in("o1", "h1");
    store.insert_auth_session(&session, &token).await.unwrap();
    assert!(
        store.get_auth_session("o1").await.unwrap().is_some(),
        "the inline writer's commit is counted"
    );
    let found = store.get_auth_session_with_user("o1").await.unwrap();
    let (session, user) = found.expect("the new session is read, not the remembered none");
    assert!(session.revoked_ms.is_none());
    assert_eq!(user.expect("its user").username, "alice");

    store.revoke_auth_session("o1", 99).await.unwrap();
    let (session, _) = store
        .get_auth_session_with_user("o1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.revoked_ms, Some(99), "a revocation shows at once");

    // Changed through the store (sqlx's connections), after a read that was kept.
    for _ in 0..2 {
        assert!(
            store
                .get_user("us-east-1_a", "alice")
                .await
                .unwrap()
                .unwrap()
                .enabled
        );
    }
    let mut changed = alice.clone();
    changed.enabled = false;
    store.update_user(&changed).await.unwrap();
    let read = store
        .get_user("us-east-1_a", "alice")
        .await
        .unwrap()
        .unwrap();
    assert!(!read.enabled);

    // Deleted: the next look-up says so.
    store.delete_user("us-east-1_a", "alice").await.unwrap();
    assert!(
        store
            .get_user("us-east-1_a", "alice")
            .await
            .unwrap()
            .is_none()
    );
}

/// The store that caches holds its database's lock file for the whole process: another
/// process cannot take it (here `flock`, the util-linux command) until the store is gone,
/// and a second store of the same process shares it.
#[tokio::test]
async fn the_database_is_claimed_for_this_process() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("cognate.db-cognate.lock");
    let try_lock = || {
        std::process::Command::new("flock")
            .args(["--nonblock", "--exclusive"])
            .arg(&lock)
            .arg("true")
            .status()
            .expect("flock runs")
            .success()
    };
    let store = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(2))
        .await
        .unwrap();
    let second = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(2))
        .await
        .expect("a second store of the same process shares the claim");
    assert!(!try_lock(), "another process is refused");
    drop(second);
    assert!(!try_lock(), "still held by the first store");
    store.close().await;
    drop(store);
    assert!(try_lock(), "released with the last store");

    // A store that does not claim the database (`cognate rotate-keys`) opens beside one that does.
    let store = SqlStore::open_sqlite_dir(dir.path(), StoreOptions::new(2))
        .await
        .unwrap();
    let mut shared = StoreOptions::new(2);
    shared.exclusive = false;
    let beside = SqlStore::open_sqlite_dir(dir.path(), shared).await.unwrap();
    assert!(beside.get_pool("us-east-1_none").await.unwrap().is_none());
    // Signing keys are read fresh: one written beside the caching store is seen at once.
    assert!(store.get_signing_key("k-beside").await.unwrap().is_none());
    let key = SigningKeyRecord {
        kid: "k-beside".into(),
        pool_id: "us-east-1_a".into(),
        purpose: "access".into(),
        created_ms: 1,
        retired_ms: None,
        sealed_pkcs8: "v1.x".into(),
        n: "n".into(),
        e: "AQAB".into(),
    };
    beside.insert_signing_key(&key).await.unwrap();
    assert!(store.get_signing_key("k-beside").await.unwrap().is_some());
    drop(beside);
    // Another spelling of the same path is the same claim (a symbolic link to the folder).
    let link = dir.path().with_extension("link");
    std::os::unix::fs::symlink(dir.path(), &link).unwrap();
    let spelled = SqlStore::open_sqlite_dir(&link, StoreOptions::new(2))
        .await
        .expect("the same process, the same database");
    drop(spelled);
    std::fs::remove_file(&link).unwrap();
    drop(store);
}
