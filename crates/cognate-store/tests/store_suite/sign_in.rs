//! Sign-in state: sessions, refresh tokens, challenges, lockout counters, codes.

use super::*;

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
            device_key: None,
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
        s.begin_sign_in_attempt(p, "alice", 1_000, &RULE)
            .await
            .unwrap();
        s.begin_sign_in_attempt(p, "alice", 2_000, &RULE)
            .await
            .unwrap();
        assert_eq!(
            s.sign_in_failures(p, "alice").await.unwrap(),
            Some((2, 2_000)),
            "{backend}"
        );
        s.begin_sign_in_attempt(p, "alice", 2_000 + 900_001, &RULE)
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
        s.begin_sign_in_attempt(p, "alice", 1, &RULE).await.unwrap();
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
pub(super) fn sign_in(jti: &str, hash: &str) -> (AuthSession, RefreshTokenRecord) {
    let session = AuthSession {
        origin_jti: jti.into(),
        pool_id: "us-east-1_a".into(),
        username_key: "alice".into(),
        client_id: "c1".into(),
        auth_time_ms: 10,
        expires_ms: 1000,
        revoked_ms: None,
        scope: None,
        device_key: None,
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

#[tokio::test]
async fn lockout_counts_that_have_reset_are_pruned() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_prune";
        s.insert_pool(&pool(p)).await.unwrap();
        s.begin_sign_in_attempt(p, "old", 1_000, &RULE)
            .await
            .unwrap();
        s.begin_sign_in_attempt(p, " unknown", 2_000, &RULE)
            .await
            .unwrap();
        s.begin_sign_in_attempt(p, "recent", 5_000_000, &RULE)
            .await
            .unwrap();
        assert_eq!(
            s.prune_expired(cognate_core::store::PruneCutoffs {
                now_ms: 0,
                failures_before_ms: 1_000_000,
                messages_before_ms: 0,
            })
            .await
            .unwrap(),
            2,
            "{backend}"
        );
        assert!(
            s.sign_in_failures(p, "old").await.unwrap().is_none(),
            "{backend}"
        );
        assert_eq!(
            s.sign_in_failures(p, "recent").await.unwrap(),
            Some((1, 5_000_000)),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn authorization_codes_are_read_without_spending_and_spent_once() {
    use cognate_core::store::{AuthCode, OAuthStore};
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_codes";
        s.insert_pool(&pool(p)).await.unwrap();
        let code = AuthCode {
            code_hash: "h1".into(),
            pool_id: p.into(),
            client_id: "c1".into(),
            redirect_uri: "http://localhost:5000/postlogin".into(),
            username_key: "alice".into(),
            scope: "openid".into(),
            nonce: None,
            code_challenge: None,
            code_challenge_method: None,
            auth_time_ms: 1,
            expires_ms: 300_000,
        };
        s.insert_auth_code(&code, 1).await.unwrap();
        assert!(
            s.find_auth_code("missing").await.unwrap().is_none(),
            "{backend}"
        );
        for _ in 0..2 {
            let found = s.find_auth_code("h1").await.unwrap().unwrap();
            assert_eq!(
                (found.code.client_id.as_str(), found.used),
                ("c1", false),
                "{backend}"
            );
        }
        assert!(s.spend_auth_code("h1", 10).await.unwrap(), "{backend}");
        assert!(
            !s.spend_auth_code("h1", 11).await.unwrap(),
            "{backend}: spent once"
        );
        s.set_auth_code_session("h1", "o9").await.unwrap();
        let found = s.find_auth_code("h1").await.unwrap().unwrap();
        assert!(found.used, "{backend}");
        assert_eq!(found.origin_jti.as_deref(), Some("o9"), "{backend}");
    }
}

const RULE: cognate_core::store::LockoutRule = cognate_core::store::LockoutRule {
    free_failures: 5,
    cap_exponent: 10,
    max_lock_ms: 900_000,
    reset_after_ms: 900_000,
};

/// The store's one-statement lockout agrees with the rule as Rust states it
/// (`auth::lockout::locked_until`): refused exactly while locked, nothing counted then.
#[tokio::test]
async fn attempts_are_refused_exactly_while_locked() {
    use cognate_core::auth::lockout::locked_until;
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_lock";
        s.insert_pool(&pool(p)).await.unwrap();
        let (mut failures, mut last) = (0i64, 0i64);
        let mut now = 10_000i64;
        let (mut refused, mut most) = (0, 0);
        // Attempts every 700 ms for a while, then every 400 s to reach the 15-minute cap.
        for i in 0..60 {
            now += if i < 40 { 700 } else { 400_000 };
            let locked = locked_until(failures, last).is_some_and(|until| now < until)
                && now - last <= RULE.reset_after_ms;
            let got = s.begin_sign_in_attempt(p, "bob", now, &RULE).await.unwrap();
            if locked {
                refused += 1;
                assert_eq!(got, None, "{backend}: attempt {i} at {now} is locked");
            } else {
                failures = if now - last > RULE.reset_after_ms {
                    1
                } else {
                    failures + 1
                };
                last = now;
                most = most.max(failures);
                assert_eq!(got, Some(failures), "{backend}: attempt {i} at {now}");
            }
        }
        assert!(
            refused > 10,
            "{backend}: the lock was exercised ({refused})"
        );
        assert!(most >= 15, "{backend}: the cap was reached ({most})");
        assert_eq!(
            s.sign_in_failures(p, "bob").await.unwrap(),
            Some((failures, last)),
            "{backend}"
        );
    }
}

/// Parallel guesses cannot outrun the count: of 20 attempts at once, 5 pass.
#[tokio::test]
async fn parallel_attempts_pass_only_the_free_ones() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_race";
        s.insert_pool(&pool(p)).await.unwrap();
        let s = std::sync::Arc::new(s);
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.begin_sign_in_attempt(p, "eve", 50_000, &RULE).await })
            })
            .collect();
        let mut passed = 0;
        for t in tasks {
            if t.await.unwrap().unwrap().is_some() {
                passed += 1;
            }
        }
        assert_eq!(passed, 5, "{backend}");
    }
}
