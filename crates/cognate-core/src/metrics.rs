//! The domain's measurements, named in one place. They go through the `metrics` facade; the
//! binary installs the Prometheus recorder (`GET /metrics`), and without one they cost nothing.

/// A finished sign-in (API or hosted UI): `outcome` is `success` or `failure`.
pub fn sign_in(outcome: &'static str) {
    metrics::counter!("cognate_sign_ins_total", "outcome" => outcome).increment(1);
}

/// A sign-in refused because the user is locked out ("Password attempts exceeded").
pub fn lockout() {
    metrics::counter!("cognate_lockouts_total").increment(1);
}

/// Tokens issued: `kind` is `id`, `access` or `refresh`.
pub fn tokens_issued(kind: &'static str) {
    metrics::counter!("cognate_tokens_issued_total", "kind" => kind).increment(1);
}

/// A storage failure answered as an internal error.
pub fn store_error() {
    metrics::counter!("cognate_store_errors_total").increment(1);
}

/// Password hashes queued or running on the hashing threads.
pub fn hash_queue(delta: f64) {
    metrics::gauge!("cognate_password_hash_queue").increment(delta);
}

/// A message handled by the delivery worker: `channel` (`smtp`, `sns`, `webhook`, `outbox`),
/// `outcome` (`delivered`, `retried`, `failed`).
pub fn message(channel: &'static str, outcome: &'static str) {
    metrics::counter!("cognate_messages_total", "channel" => channel, "outcome" => outcome)
        .increment(1);
}
