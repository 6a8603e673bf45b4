//! The `cognate` binary as an operator runs it: its logs, its start-up checks, and what a
//! `kill -9` leaves behind.

use crate::common::{ACCESS_KEY, REGION, SECRET_KEY, sdk_client, temp_dir};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cognate");

/// A running `cognate serve`, its stdout lines as they come.
struct Served {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    url: String,
}

impl Served {
    fn start(shell_prefix: &str, args: &[&str]) -> Served {
        let mut all = vec![
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--access-key-id",
            ACCESS_KEY,
            "--secret-access-key",
            SECRET_KEY,
        ];
        all.extend_from_slice(args);
        let quoted: Vec<String> = all.iter().map(|a| format!("'{a}'")).collect();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("{shell_prefix} exec '{BIN}' {}", quoted.join(" ")))
            .env("COGNATE_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cognate");
        let (tx, lines) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Served {
            child,
            lines,
            seen: Vec::new(),
            url: String::new(),
        };
        let line = s.wait_for("cognate is listening");
        let at = line
            .find("http://127.0.0.1:")
            .expect("the listen URL is announced");
        s.url = line[at..]
            .split(|c: char| c == '"' || c.is_whitespace())
            .next()
            .unwrap()
            .to_owned();
        s
    }

    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                self.seen.push(line.clone());
                if line.contains(needle) {
                    return line;
                }
            }
        }
        panic!("{needle:?} never printed; saw:\n{}", self.seen.join("\n"));
    }

    /// Stops the server and returns everything it printed.
    fn stop(mut self) -> Vec<String> {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(500)) {
            self.seen.push(line);
        }
        self.seen
    }

    fn kill_9(mut self) {
        let _ = Command::new("kill")
            .arg("-9")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Runs `cognate serve` expecting it to refuse to start: (exit code, stderr + stdout, time).
fn refused(args: &[&str]) -> (i32, String, Duration) {
    let started = Instant::now();
    let out = Command::new(BIN)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.code().unwrap_or(-1), text, started.elapsed())
}

#[tokio::test]
async fn json_logs_are_one_json_object_per_line_without_colour() {
    let s = Served::start("", &["--in-memory", "--log-format", "json"]);
    // An operation not built yet (501) is expected: it must not be logged as an error.
    let r = reqwest::Client::new()
        .post(format!("{}/", s.url))
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .header("content-type", "application/x-amz-json-1.1")
        .body(r#"{"ClientId":"x","Username":"u","Password":"p"}"#)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error() || r.status().as_u16() == 501);
    let lines = s.stop();
    assert!(lines.len() >= 2, "{lines:?}");
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        assert_ne!(v["level"], "ERROR", "{line}");
        assert!(!line.contains('\u{1b}'), "colour code in {line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("generated admin credentials") || l.contains("listening")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn text_logs_to_a_pipe_have_no_colour_codes_and_say_where_to_go() {
    let s = Served::start("", &["--in-memory"]);
    let lines = s.stop();
    let all = lines.join("\n");
    assert!(!all.contains('\u{1b}'), "{all}");
    for needle in [
        "http://127.0.0.1:",
        "/oauth2/authorize",
        "issuer",
        "in memory",
    ] {
        assert!(all.contains(needle), "{needle} missing from:\n{all}");
    }
}

#[test]
fn help_names_the_log_filter_variable() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("COGNATE_LOG"), "{text}");
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("COGNATE_LOG"));
}

#[test]
fn bad_configuration_fails_at_start_with_a_clear_message() {
    let (code, text, _) = refused(&["--in-memory", "--log-format", "yaml"]);
    assert_eq!(code, 2);
    assert!(
        text.contains("log format must be `text` or `json`"),
        "{text}"
    );
    let (code, text, _) = refused(&["--in-memory", "--issuer-url", "localhost:9229"]);
    assert_eq!(code, 2);
    assert!(
        text.contains("issuer URL must start with http:// or https://"),
        "{text}"
    );
    let (code, text, _) = refused(&["--database", "sqlite:///no/such/folder/cognate.db"]);
    assert_eq!(code, 2);
    assert!(text.contains("/no/such/folder"), "{text}");
}

#[test]
fn unreachable_postgres_fails_within_seconds_naming_host_and_cause() {
    // Nothing listens on port 1.
    let (code, text, took) = refused(&[
        "--database",
        "postgres://cognate:secret@127.0.0.1:1/cognate",
        "--master-key",
        &"ab".repeat(32),
    ]);
    assert_ne!(code, 0);
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert!(
        !text.contains("secret"),
        "the password must not be shown: {text}"
    );
}

#[tokio::test]
async fn health_answers_under_a_low_descriptor_limit_with_hundreds_of_half_sent_requests() {
    let s = Served::start("ulimit -n 256 &&", &["--in-memory"]);
    let addr = s.url.trim_start_matches("http://").to_owned();
    let held = tokio::task::spawn_blocking(move || {
        (0..300)
            .filter_map(|_| {
                let mut c = std::net::TcpStream::connect(&addr).ok()?;
                c.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le")
                    .ok()?;
                Some(c)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(held.len() >= 250);
    let started = Instant::now();
    let r = reqwest::Client::new()
        .get(format!("{}/health", s.url))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("health answers");
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop(held);
    let lines = s.stop();
    assert!(
        !lines.iter().any(|l| l.contains("Too many open files")),
        "{}",
        lines.join("\n")
    );
}

/// Users acknowledged before a `kill -9` are all there after a restart.
#[tokio::test]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = temp_dir("kill9");
    let data = dir.to_str().unwrap().to_owned();
    let s = Served::start("", &["--data-dir", &data]);
    let client = sdk_client(&s.url, REGION, ACCESS_KEY, SECRET_KEY);
    let pool = crate::common::create_pool(&client, "durable").await;
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..8 {
        let (client, pool, acknowledged) = (client.clone(), pool.clone(), acknowledged.clone());
        writers.spawn(async move {
            for i in 0.. {
                let name = format!("w{w}-u{i}");
                let r = client
                    .admin_create_user()
                    .user_pool_id(&pool)
                    .username(&name)
                    .message_action(
                        aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress,
                    )
                    .send()
                    .await;
                match r {
                    Ok(_) => acknowledged.lock().unwrap().push(name),
                    Err(_) => break,
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.kill_9();
    while writers.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "only {} writes before the kill",
        acknowledged.len()
    );

    let s = Served::start("", &["--data-dir", &data]);
    let client = sdk_client(&s.url, REGION, ACCESS_KEY, SECRET_KEY);
    let mut missing = Vec::new();
    for name in &acknowledged {
        if client
            .admin_get_user()
            .user_pool_id(&pool)
            .username(name)
            .send()
            .await
            .is_err()
        {
            missing.push(name.clone());
        }
    }
    s.stop();
    assert!(
        missing.is_empty(),
        "lost {} of {}: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
