//! The sign-in ceiling's argon2id part: verifications per second on every core.

use crate::{PASSWORD, get_or, print, rs256, srp};
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Verifications per second with Cognate's parameters (argon2 0.6 defaults: Argon2id,
/// m=19456 KiB, t=2, p=1), one thread per core, as Cognate runs them (its hasher allows as
/// many at once as there are cores). A sign-in costs one verification.
pub(crate) fn ceiling(a: &HashMap<String, String>) {
    use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
    let seconds: f64 = get_or(a, "seconds", 10.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: usize = get_or(a, "threads", cores);
    let phc = Argon2::default()
        .hash_password(PASSWORD.as_bytes())
        .expect("hash")
        .to_string();
    let params = argon2::Params::default();
    // `--signatures N`: each hash is followed by N RS256 signatures (rs256.rs), the tokens a
    // password sign-in answers with (ID and access: 2). Keys are made before the clock starts.
    let signatures: usize = get_or(a, "signatures", 0);
    let mut signers: Vec<Option<rs256::Signer>> = (0..threads)
        .map(|_| (signatures > 0).then(rs256::Signer::new))
        .collect();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    // `--reuse-memory true`: each thread keeps its argon2 memory from one hash to the next, as
    // Cognate's hashing threads do (no 19 MiB allocation and zeroing per hash); otherwise the
    // crate's own `verify_password`, which allocates per hash. The harness measures both and
    // takes the faster as the ceiling.
    let reuse = get_or(a, "reuse-memory", false);
    // `--verifier true`: each hash is followed by one SRP verifier, `g^x` with a 256-bit `x`
    // (constant-time, as Cognate computes it): the work of a sign-up, which stores both.
    let verifier = get_or(a, "verifier", false);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let phc = phc.clone();
            let mut signer = signers.pop().flatten();
            let blocks = params.block_count();
            std::thread::spawn(move || {
                let parsed = PasswordHash::new(&phc).expect("phc");
                let salt = parsed.salt.expect("salt");
                let expected = parsed.hash.expect("hash");
                let mut memory = vec![argon2::Block::default(); blocks];
                let mut out = vec![0u8; expected.len()];
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let ok = if reuse {
                        Argon2::default()
                            .hash_password_into_with_memory(
                                PASSWORD.as_bytes(),
                                salt.as_ref(),
                                &mut out,
                                &mut memory[..],
                            )
                            .is_ok()
                            && out.as_slice() == expected.as_bytes()
                    } else {
                        Argon2::default()
                            .verify_password(PASSWORD.as_bytes(), &parsed)
                            .is_ok()
                    };
                    assert!(ok);
                    if verifier {
                        std::hint::black_box(srp::verifier(n));
                    }
                    if let Some(signer) = signer.as_mut() {
                        for _ in 0..signatures {
                            signer.sign();
                        }
                    }
                    n += 1;
                }
                n
            })
        })
        .collect();
    let n: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    let secs = start.elapsed().as_secs_f64();
    print(&json!({
        "hashes": n,
        "seconds": secs,
        "threads": threads,
        "cores": cores,
        "per_sec": n as f64 / secs,
        "per_sec_per_core": n as f64 / secs / cores as f64,
        "ms_per_hash": secs * 1000.0 * threads as f64 / n as f64,
        "params": format!("Argon2id v19 m={} KiB t={} p={}", params.m_cost(), params.t_cost(), params.p_cost()),
        "reuse_memory": reuse,
        "verifier": verifier,
        "signatures": signatures,
        "phc_example": phc,
    }));
}
