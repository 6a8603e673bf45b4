//! Verifying a token through the extractor path: cookie header → `AuthRequired` → claims.
//!
//! Reports verifications per second (criterion's `thrpt`, plus a plain figure at the end) and
//! asserts that the JWKS was fetched once for the whole run.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use cognate_axum::{AnyUser, AuthRequired, Cognito};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::Request;
use http::request::Parts;

#[path = "../tests/it/common/mod.rs"]
mod common;

/// Polls the extractor once: with the key cached it must finish without waiting on anything,
/// so a pending poll means a network call slipped into the request path.
fn extract(parts: &mut Parts, cognito: &Cognito) -> AuthRequired<AnyUser> {
    let future = pin!(AuthRequired::<AnyUser>::from_request_parts(parts, cognito));
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result.expect("token verifies"),
        Poll::Pending => panic!("verification waited on I/O"),
    }
}

fn verify(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (mock, cognito, token) = runtime.block_on(async {
        let mock = common::Mock::start().await;
        mock.state.set_groups(&["admin", "ops"]);
        let cognito = mock.cognito();
        cognito.prefetch_jwks().await.unwrap();
        let token = mock.access_token();
        (mock, cognito, token)
    });
    let request = Request::get("/me")
        .header(
            "cookie",
            format!("theme=dark; cognito_access_token={token}; lang=en"),
        )
        .body(())
        .unwrap();
    let (mut parts, ()) = request.into_parts();
    assert_eq!(extract(&mut parts, &cognito).username(), "alice");

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("cookie_to_claims", |b| {
        b.iter(|| black_box(extract(&mut parts, &cognito)))
    });
    group.finish();

    // A plain figure, independent of criterion's statistics.
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        for _ in 0..1000 {
            black_box(extract(&mut parts, &cognito));
        }
        count += 1000;
    }
    let per_second = count as f64 / started.elapsed().as_secs_f64();
    println!("verifications per second (one core): {per_second:.0}");
    println!("JWKS fetches: {}", mock.state.jwks_fetches());
    assert_eq!(mock.state.jwks_fetches(), 1, "no JWKS fetch per request");
    assert_eq!(cognito.jwks_fetch_count(), 1);
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = verify
}
criterion_main!(benches);
