//! The refresh ceiling: RS256 signatures per second on every core, with the crate, key size
//! and padding Cognate signs its tokens with (aws-lc-rs, RSA 2048, PKCS #1 v1.5 with SHA-256).
//! A REFRESH_TOKEN_AUTH answer carries two signed tokens (ID and access), so its ceiling is
//! half the signatures per second. [`Signer`] is also part of the sign-in ceiling (main.rs).

use crate::{get_or, print};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// About the length of what Cognate signs for an access or ID token (header and claims,
/// base64url): the hash is a sliver of the cost either way.
pub(crate) const SIGNING_INPUT_BYTES: usize = 900;

/// One thread's signer: a 2048-bit key and a message that differs at every signature, as
/// each token does.
pub(crate) struct Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
    message: Vec<u8>,
    signature: Vec<u8>,
    n: u64,
}

impl Signer {
    pub(crate) fn new() -> Self {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
        let signature = vec![0u8; key.public_modulus_len()];
        Self {
            key,
            rng: SystemRandom::new(),
            message: vec![b'a'; SIGNING_INPUT_BYTES],
            signature,
            n: 0,
        }
    }

    pub(crate) fn sign(&mut self) {
        self.n += 1;
        self.message[..8].copy_from_slice(&self.n.to_le_bytes());
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                &self.message,
                &mut self.signature,
            )
            .expect("sign");
        std::hint::black_box(&self.signature);
    }
}

pub(crate) fn ceiling(a: &HashMap<String, String>) {
    let seconds: f64 = get_or(a, "seconds", 5.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: usize = get_or(a, "threads", cores);
    // Keys are made before the clock starts (a 2048-bit key takes tens of milliseconds).
    let signers: Vec<Signer> = (0..threads).map(|_| Signer::new()).collect();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = signers
        .into_iter()
        .map(|mut signer| {
            std::thread::spawn(move || {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    signer.sign();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let n: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    let secs = start.elapsed().as_secs_f64();
    let per_sec = n as f64 / secs;
    print(&json!({
        "signatures": n,
        "seconds": secs,
        "threads": threads,
        "per_sec": per_sec,
        "refreshes_per_sec": per_sec / 2.0,
        "us_per_signature": secs * 1e6 * threads as f64 / n as f64,
    }));
}
