//! Self-service with an access token, and what happens to bad tokens.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{DeliveryMediumType, MfaOptionType};

#[tokio::test]
async fn self_service_operations() {
    let (t, clock) = start_with_clock().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;
    let out = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let token = out
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();

    let me = c.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(me.username(), "alice");
    assert!(
        me.user_attributes()
            .iter()
            .any(|a| a.name() == "email" && a.value() == Some("alice@example.com"))
    );

    let r = c
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("given_name", "Alice"))
        .user_attributes(attr("email", "alice@new.example.com"))
        .send()
        .await
        .unwrap();
    assert!(r.code_delivery_details_list().is_empty());
    let me = c.get_user().access_token(&token).send().await.unwrap();
    let value = |n: &str| {
        me.user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(value("given_name").as_deref(), Some("Alice"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));
    let (code, msg) = err(c
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute"
        )
    );

    c.delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("given_name")
        .send()
        .await
        .unwrap();
    let me = c.get_user().access_token(&token).send().await.unwrap();
    assert!(
        !me.user_attributes()
            .iter()
            .any(|a| a.name() == "given_name")
    );

    c.admin_update_user_attributes()
        .user_pool_id(&f.pool)
        .username("alice")
        .user_attributes(attr("phone_number", "+15555550100"))
        .send()
        .await
        .unwrap();
    c.set_user_settings()
        .access_token(&token)
        .mfa_options(
            MfaOptionType::builder()
                .delivery_medium(DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let me = c.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(me.mfa_options().len(), 1);

    let (code, msg) = err(c
        .change_password()
        .access_token(&token)
        .previous_password("Wrong-Pass-1")
        .proposed_password("Next-Pass-123")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (code, msg) = err(c
        .change_password()
        .access_token(&token)
        .previous_password(PASSWORD)
        .proposed_password("short")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidPasswordException",
            "Password does not conform to policy: Password not long enough"
        )
    );
    c.change_password()
        .access_token(&token)
        .previous_password(PASSWORD)
        .proposed_password("Next-Pass-123")
        .send()
        .await
        .unwrap();
    assert!(
        password_sign_in(c, &f.client_id, "alice", "Next-Pass-123")
            .await
            .is_ok()
    );
    assert_eq!(
        err(password_sign_in(c, &f.client_id, "alice", PASSWORD).await).1,
        "Incorrect username or password."
    );

    // Bad and expired tokens.
    let (code, msg) = err(c.get_user().access_token("garbage").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Invalid Access Token")
    );
    let id_token = out.authentication_result().unwrap().id_token().unwrap();
    let (_, msg) = err(c.get_user().access_token(id_token).send().await);
    assert_eq!(
        msg, "Invalid Access Token",
        "an ID token is not an access token"
    );
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let (_, msg) = err(c.get_user().access_token(&forged).send().await);
    assert_eq!(msg, "Invalid Access Token");
    // The same claims under an unsigned ("alg": "none") or HMAC header are refused too.
    {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut parts = token.split('.');
        let header: serde_json::Value =
            serde_json::from_slice(&b64.decode(parts.next().unwrap()).unwrap()).unwrap();
        let payload = parts.next().unwrap();
        for alg in ["none", "HS256"] {
            let mut h = header.clone();
            h["alg"] = alg.into();
            let unsigned = format!("{}.{payload}.", b64.encode(h.to_string()));
            let (_, msg) = err(c.get_user().access_token(&unsigned).send().await);
            assert_eq!(msg, "Invalid Access Token", "alg {alg}");
        }
    }
    clock.advance_seconds(3601);
    let (code, msg) = err(c.get_user().access_token(&token).send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Access Token has expired")
    );

    let fresh = password_sign_in(c, &f.client_id, "alice", "Next-Pass-123")
        .await
        .unwrap();
    let fresh = fresh
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    c.delete_user().access_token(&fresh).send().await.unwrap();
    let (code, _) = err(c
        .admin_get_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await);
    assert_eq!(code, "UserNotFoundException");
}

/// Password hashing runs on a bounded blocking pool, so a burst of sign-ins leaves the async
/// threads free for cheap requests. Timing-sensitive: scripts/test.sh runs it alone
/// (`--ignored --test-threads=1`) so other tests do not compete for the two cores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing-sensitive: run alone, as scripts/test.sh does"]
async fn login_burst_does_not_starve_cheap_requests() {
    use std::time::{Duration, Instant};
    let t = start().await;
    let c = t.client.clone();
    let f = sign_in_fixture(&c, false).await;
    // The first sign-in creates the pool's signing keys; keep that out of the measurement.
    password_sign_in(&c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let describe = |c: aws_sdk_cognitoidentityprovider::Client, pool: String| async move {
        let start = Instant::now();
        c.describe_user_pool()
            .user_pool_id(pool)
            .send()
            .await
            .unwrap();
        start.elapsed()
    };
    let mut quiet = Vec::new();
    for _ in 0..10 {
        quiet.push(describe(c.clone(), f.pool.clone()).await);
    }
    let burst: Vec<_> = (0..60)
        .map(|_| {
            let c = c.clone();
            let id = f.client_id.clone();
            tokio::spawn(async move {
                password_sign_in(&c, &id, "alice", PASSWORD)
                    .await
                    .map(|_| ())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut busy = Vec::new();
    for _ in 0..10 {
        busy.push(describe(c.clone(), f.pool.clone()).await);
    }
    let still_running = burst.iter().filter(|h| !h.is_finished()).count();
    for h in burst {
        h.await.unwrap().unwrap();
    }
    quiet.sort();
    busy.sort();
    eprintln!(
        "DescribeUserPool p50 quiet {:?}, during the burst {:?} (worst {:?}); {still_running} sign-ins still running",
        quiet[5], busy[5], busy[9]
    );
    assert!(
        still_running > 0,
        "the burst was still going while the cheap requests ran"
    );
    assert!(
        busy[5] < Duration::from_millis(100),
        "median DescribeUserPool took {:?} during the burst",
        busy[5]
    );
    assert!(
        busy[9] < Duration::from_millis(300),
        "worst DescribeUserPool took {:?} during the burst",
        busy[9]
    );
}

/// With PreventUserExistenceErrors, an unknown user costs the same time as a wrong password:
/// a password hash is verified either way. Timing-sensitive: run alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing-sensitive: run alone, as scripts/test.sh does"]
async fn unknown_users_take_as_long_as_wrong_passwords() {
    use aws_sdk_cognitoidentityprovider::types::{
        ExplicitAuthFlowsType as F, PreventUserExistenceErrorTypes,
    };
    use std::time::{Duration, Instant};
    let t = start().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;
    c.update_user_pool_client()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap();
    let users: Vec<String> = (0..5).map(|i| format!("known{i}")).collect();
    for u in &users {
        create_user(c, &f.pool, u, &[]).await;
    }
    // Warm up (keys, connections, the dummy hash).
    let _ = password_sign_in(c, &f.client_id, "nobody", "Wrong-Pass-1").await;
    let _ = password_sign_in(c, &f.client_id, "alice", "Wrong-Pass-1").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for round in 0..4 {
        for u in &users {
            let start = Instant::now();
            let (_, msg) = err(password_sign_in(c, &f.client_id, u, "Wrong-Pass-1").await);
            known.push(start.elapsed());
            assert_eq!(msg, "Incorrect username or password.");
            let start = Instant::now();
            let (_, msg) =
                err(
                    password_sign_in(c, &f.client_id, &format!("ghost{round}{u}"), "Wrong-Pass-1")
                        .await,
                );
            unknown.push(start.elapsed());
            assert_eq!(msg, "Incorrect username or password.");
        }
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[known.len() / 2], unknown[unknown.len() / 2]);
    eprintln!("median sign-in failure: known user {k:?}, unknown user {u:?}");
    let ratio = u.as_secs_f64() / k.as_secs_f64();
    assert!((0.6..1.6).contains(&ratio), "unknown {u:?} vs known {k:?}");
    assert!(
        u > Duration::from_millis(2),
        "an unknown user must cost a hash verification"
    );
}
