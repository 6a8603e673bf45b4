//! Prometheus metrics (`GET /metrics`, text format 0.0.4) through the `metrics` facade and
//! its Prometheus exporter. One recorder per process: servers started in the same process
//! (tests) share it.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Latency buckets, in seconds: sub-millisecond reads up to slow sign-ins under load.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use.
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .expect("latency buckets are not empty");
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (an embedding program's): then
            // this handle renders an empty page rather than failing the start.
            let _ = metrics::set_global_recorder(recorder);
            describe();
            // Histogram samples wait in lock-free buckets until they are folded into the
            // histograms; fold them every few seconds so memory stays flat when nobody scrapes
            // (a task of the runtime that installed the recorder: no thread of its own).
            let upkeep = handle.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    every.tick().await;
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "cognate_api_requests_total",
        "cognito-idp API requests by operation and outcome (ok or the error type)"
    );
    describe_histogram!(
        "cognate_api_request_duration_seconds",
        Unit::Seconds,
        "cognito-idp API latency by operation"
    );
    describe_counter!(
        "cognate_http_requests_total",
        "HTTP requests by route and status class"
    );
    describe_histogram!(
        "cognate_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP latency by route"
    );
    describe_counter!(
        "cognate_sign_ins_total",
        "Password checks at sign-in (API and hosted UI) by outcome"
    );
    describe_counter!(
        "cognate_lockouts_total",
        "Sign-ins refused because of too many failed passwords"
    );
    describe_counter!("cognate_tokens_issued_total", "Tokens issued by kind");
    describe_counter!(
        "cognate_store_errors_total",
        "Storage failures answered as internal errors"
    );
    describe_counter!(
        "cognate_messages_total",
        "Messages handled by the delivery worker by channel (smtp, outbox...) and outcome (delivered, retried, failed)"
    );
    describe_gauge!(
        "cognate_password_hash_queue",
        "Password hashes waiting for or running on the hashing threads"
    );
}

/// `GET /metrics`.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    handle.render(),
                )
                    .into_response()
            }
        }),
    )
}
