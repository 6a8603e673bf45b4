//! The refresh floor: a bare HTTP/1.1 server (hyper, tokio on every core, as Cognate) whose
//! every answer is two RS256 signatures and nothing else: no JSON parsing, no look-ups, no
//! claims. Driven by `loadgen run --workload refresh_token_auth` like a real server, it shows
//! what HTTP, the loopback and the load generator cost on this machine beside the signatures;
//! the gap between it and the rs256 ceiling is out of any server's reach here.
//!
//! ```text
//! loadgen floor --listen 127.0.0.1:PORT
//! ```

use crate::{get, print};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the floor signs: an ID and an access key, as a pool has, and a counter so that every
/// signed message differs.
struct Keys {
    id: RsaKeyPair,
    access: RsaKeyPair,
    rng: SystemRandom,
    n: AtomicU64,
}

impl Keys {
    /// A token-sized message signed with `key`, as `message.signature` in base64url.
    fn token(&self, key: &RsaKeyPair) -> String {
        let mut message = vec![b'a'; crate::rs256::SIGNING_INPUT_BYTES];
        let n = self.n.fetch_add(1, Ordering::Relaxed);
        message[..8].copy_from_slice(&n.to_le_bytes());
        let mut signature = vec![0u8; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &self.rng, &message, &mut signature)
            .expect("sign");
        format!("{}.{}", B64URL.encode(&message), B64URL.encode(&signature))
    }
}

async fn answer(
    keys: Arc<Keys>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    req.into_body().collect().await?;
    let body = json!({"AuthenticationResult": {
        "AccessToken": keys.token(&keys.access),
        "IdToken": keys.token(&keys.id),
        "ExpiresIn": 3600,
        "TokenType": "Bearer",
    }});
    Ok(Response::builder()
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response"))
}

pub(crate) async fn serve(a: &HashMap<String, String>) {
    let listen = get(a, "listen");
    let keys = Arc::new(Keys {
        id: RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key"),
        access: RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key"),
        rng: SystemRandom::new(),
        n: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind(listen).await.expect("bind");
    print(&json!({"listening": listen}));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, say: wait rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        stream.set_nodelay(true).ok();
        let keys = keys.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(keys.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
