//! Verification codes, per-user caps and the outbox, on every backend.

use super::*;
use cognate_core::messaging::{Medium, OutboxRecord, OutboxStore};
use cognate_core::signup::codes::{CodeRecord, CodeStore};
use cognate_core::store::PruneCutoffs;

fn code(pool_id: &str, user: &str, hash: &str) -> CodeRecord {
    CodeRecord {
        pool_id: pool_id.into(),
        username_key: user.into(),
        purpose: "signup".into(),
        code_hash: hash.into(),
        created_ms: 1,
        expires_ms: 1_000,
        pending_value: None,
    }
}

fn cutoffs(now_ms: i64, failures_before_ms: i64, messages_before_ms: i64) -> PruneCutoffs {
    PruneCutoffs {
        now_ms,
        failures_before_ms,
        messages_before_ms,
    }
}

fn message(id: &str, pool_id: &str, created_ms: i64) -> OutboxRecord {
    OutboxRecord {
        id: id.into(),
        pool_id: pool_id.into(),
        medium: Medium::Email,
        created_ms,
        sealed: format!("v1.sealed-{id}"),
    }
}

#[tokio::test]
async fn a_user_with_a_code_and_message_is_written_whole_or_not_at_all() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_codes";
        s.insert_pool(&pool(p)).await.unwrap();
        let u = user(p, "ann", "sub-ann", &[]);
        s.insert_user_with_code(&u, Some(&code(p, "ann", "h1")), &[message("m1", p, 10)])
            .await
            .unwrap();
        // The same username again: refused, and its code and message with it.
        let again = s
            .insert_user_with_code(&u, Some(&code(p, "ann", "h2")), &[message("m2", p, 11)])
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{backend}");
        let stored = s.get_code(p, "ann", "signup").await.unwrap().unwrap();
        assert_eq!(stored.code_hash, "h1", "{backend}");
        let claimed = s.claim_messages(100, 60_000, 10).await.unwrap();
        assert_eq!(
            claimed
                .iter()
                .map(|e| e.record.id.as_str())
                .collect::<Vec<_>>(),
            ["m1"],
            "{backend}"
        );
        // A code is spent once, and only with its hash.
        assert!(
            !s.take_code(p, "ann", "signup", "wrong").await.unwrap(),
            "{backend}"
        );
        assert!(
            s.take_code(p, "ann", "signup", "h1").await.unwrap(),
            "{backend}"
        );
        assert!(
            !s.take_code(p, "ann", "signup", "h1").await.unwrap(),
            "{backend}"
        );
        // A new code replaces the old one.
        s.put_code(&code(p, "ann", "h3"), None).await.unwrap();
        s.put_code(&code(p, "ann", "h4"), None).await.unwrap();
        assert_eq!(
            s.get_code(p, "ann", "signup")
                .await
                .unwrap()
                .unwrap()
                .code_hash,
            "h4"
        );
    }
}

#[tokio::test]
async fn uses_are_counted_per_window() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_quota";
        s.insert_pool(&pool(p)).await.unwrap();
        for expected in 1..=3 {
            assert_eq!(
                s.count_use(p, "bo", "Resend", 1_000, 3_600_000)
                    .await
                    .unwrap(),
                expected,
                "{backend}"
            );
        }
        assert_eq!(
            s.count_use(p, "bo", "Other", 1_000, 3_600_000)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
        // A new window starts from one.
        assert_eq!(
            s.count_use(p, "bo", "Resend", 3_700_000, 3_600_000)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_outbox_leases_retries_and_keeps_delivered_messages() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_outbox";
        s.insert_pool(&pool(p)).await.unwrap();
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            s.enqueue_message(&message(id, p, 10 + i as i64))
                .await
                .unwrap();
        }
        let first = s.claim_messages(100, 60_000, 2).await.unwrap();
        assert_eq!(first.len(), 2, "{backend}");
        assert_eq!(first[0].attempts, 0, "{backend}");
        // Leased rows are not claimed twice.
        let second = s.claim_messages(100, 60_000, 10).await.unwrap();
        assert_eq!(
            second
                .iter()
                .map(|e| e.record.id.as_str())
                .collect::<Vec<_>>(),
            ["c"],
            "{backend}"
        );
        s.message_delivered("a", 200, "outbox").await.unwrap();
        s.message_retry("b", 5_000, "connection refused")
            .await
            .unwrap();
        s.message_failed("c", 200, "550 no such user")
            .await
            .unwrap();
        assert!(
            s.claim_messages(4_999, 60_000, 10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        let retried = s.claim_messages(5_000, 60_000, 10).await.unwrap();
        assert_eq!(retried.len(), 1, "{backend}");
        assert_eq!(
            (retried[0].record.id.as_str(), retried[0].attempts),
            ("b", 1),
            "{backend}"
        );
        assert_eq!(
            retried[0].last_error.as_deref(),
            Some("connection refused"),
            "{backend}"
        );
        let kept = s.list_messages("outbox", 10).await.unwrap();
        assert_eq!(kept.len(), 1, "{backend}");
        assert_eq!(kept[0].record.sealed, "v1.sealed-a", "{backend}");
        assert_eq!(kept[0].delivered_ms, Some(200), "{backend}");
    }
}

#[tokio::test]
async fn done_messages_expired_codes_and_past_caps_are_pruned() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_prune2";
        s.insert_pool(&pool(p)).await.unwrap();
        for id in ["old", "new", "waiting"] {
            s.enqueue_message(&message(id, p, 1)).await.unwrap();
        }
        s.message_delivered("old", 100, "outbox").await.unwrap();
        s.message_delivered("new", 10_000, "outbox").await.unwrap();
        s.prune_expired(cutoffs(0, 0, 5_000)).await.unwrap();
        let kept: Vec<String> = s
            .list_messages("outbox", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.record.id)
            .collect();
        assert_eq!(kept, ["new"], "{backend}");
        assert_eq!(
            s.claim_messages(100, 1, 10).await.unwrap().len(),
            1,
            "{backend}: still due"
        );
        s.put_code(&code(p, "cy", "h"), None).await.unwrap();
        s.count_use(p, "cy", "Resend", 0, 3_600_000).await.unwrap();
        s.prune_expired(cutoffs(5_000_000, 0, 0)).await.unwrap();
        assert!(
            s.get_code(p, "cy", "signup").await.unwrap().is_none(),
            "{backend}"
        );
        assert_eq!(
            s.count_use(p, "cy", "Resend", 5_000_000, 3_600_000)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
    }
}
