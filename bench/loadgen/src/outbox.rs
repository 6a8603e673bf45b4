//! `loadgen outbox --state F --sink-port P --count N`: how long Cognate's delivery worker takes
//! to hand N queued messages to an SMTP server. A minimal SMTP sink listens on P (Cognate runs
//! with `--smtp-url smtp://127.0.0.1:P`); N ForgotPassword requests queue N reset codes (five
//! per user, the hourly cap), as fast as 64 connections send them; the clock runs from the
//! first request until the sink has received the N-th message.

use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Accepts SMTP sessions and counts the messages they deliver (no TLS, no checks).
async fn sink(port: u16, received: Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the sink port is free");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let received = received.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let _ = write.write_all(b"220 sink ESMTP\r\n").await;
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                let reply: &[u8] = if in_data {
                    if line == "." {
                        in_data = false;
                        received.fetch_add(1, Ordering::Relaxed);
                        b"250 queued\r\n"
                    } else {
                        continue;
                    }
                } else {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    }
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}

pub(crate) async fn drain(a: &HashMap<String, String>) {
    let state: State =
        serde_json::from_str(&std::fs::read_to_string(get(a, "state")).expect("state file"))
            .expect("state");
    let port: u16 = get(a, "sink-port").parse().expect("--sink-port");
    let count: u64 = get_or(a, "count", 1000u64).min(state.users * 5);
    let received = Arc::new(AtomicU64::new(0));
    tokio::spawn(sink(port, received.clone()));
    tokio::time::sleep(Duration::from_millis(50)).await;

    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..64 {
        let (next, state) = (next.clone(), state.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::new(&state.endpoint);
            let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return;
                }
                let call = json_call(
                    "ForgotPassword",
                    json!({"ClientId": state.client_id, "Username": username(i % state.users)}),
                    false,
                );
                if let Err(e) = conn.json(&call, &mut signer).await {
                    eprintln!("ForgotPassword failed: {e}");
                    std::process::exit(1);
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let queued = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.load(Ordering::Relaxed) < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drained = started.elapsed();
    print(&json!({
        "messages": count,
        "received": received.load(Ordering::Relaxed),
        "queued_seconds": queued.as_secs_f64(),
        "delivered_seconds": drained.as_secs_f64(),
    }));
}
