//! Slow and idle clients cannot hold the server: a request head must arrive within the header
//! timeout, a body within the body timeout, an idle connection closes, and connections past
//! the limit wait instead of exhausting descriptors.

use crate::common::{TestServer, config, start_with_config};
use cognate::config::{Limits, Storage};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

async fn strict_server(max_connections: usize) -> TestServer {
    let mut c = config(Storage::InMemory);
    c.limits = Limits {
        max_connections,
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    start_with_config(c).await
}

/// Blocks until the server closes the connection; returns what it sent and how long it took.
fn wait_for_close(mut s: TcpStream) -> (String, Duration) {
    let started = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn half_sent_request_head_is_closed_after_the_header_timeout() {
    let t = strict_server(64).await;
    let addr = t.server.addr;
    let (_, took) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").unwrap();
        wait_for_close(s)
    })
    .await
    .unwrap();
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

#[tokio::test]
async fn slow_body_is_answered_request_timeout() {
    let t = strict_server(64).await;
    let addr = t.server.addr;
    let (answer, took) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
              X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Length: 50\r\n\r\n{",
        )
        .unwrap();
        wait_for_close(s)
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(4), "answered after {took:?}");
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed() {
    let t = strict_server(64).await;
    let addr = t.server.addr;
    let (answer, took) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        wait_for_close(s)
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(5),
        "idle connection closed after {took:?}"
    );
}

#[tokio::test]
async fn health_answers_while_hundreds_of_clients_hold_half_sent_requests() {
    let t = strict_server(50).await;
    let addr = t.server.addr;
    let url = t.url();
    let held = tokio::task::spawn_blocking(move || {
        (0..300)
            .filter_map(|_| {
                let mut s = TcpStream::connect(addr).ok()?;
                s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le")
                    .ok()?;
                Some(s)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(held.len() >= 250, "{} connections opened", held.len());
    let started = Instant::now();
    let r = reqwest::Client::new()
        .get(format!("{url}/health"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("health answers");
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    drop(held);
}
