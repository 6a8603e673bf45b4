//! Load generator for the Cognate benchmarks (bench/README.md). A separate process from the
//! servers it drives; every command prints one JSON object on stdout.
//!
//! ```text
//! loadgen argon2 --seconds S [--threads N] [--reuse-memory true] [--verifier true]
//! loadgen ready  --endpoint URL [--timeout-ms MS]              (prints a line, then polls)
//! loadgen setup  --endpoint URL --kind cognate|moto|cognito-local --users N --tokens M
//!                [--oauth] --out STATE.json
//! loadgen probe  --state STATE.json --workload W             (one request, prints the answer)
//! loadgen run    --state STATE.json --workload W --concurrency C --seconds S
//!                [--warmup S] [--server-pid PID] [--threads N] [--items ITEMS.json]
//! loadgen unconfirmed --state STATE.json --count N --out ITEMS.json   (see confirm.rs)
//! loadgen modexp --seconds S                  (the SRP ceiling: see srp.rs)
//! loadgen floor  --listen IP:PORT             (the refresh floor, a bare server: see floor.rs)
//! ```
//!
//! With `--items` (ConfirmSignUp), a run ends when every prepared user is confirmed (no
//! warm-up: each request consumes a user) or at `--seconds`, whichever comes first.

mod argon2_ceiling;
mod client;
mod confirm;
mod floor;
mod outbox;
mod procstat;
mod rs256;
mod setup;
mod sigv4;
mod srp;

use base64::Engine;
use client::{Call, Conn};
use procstat::{machine_cpu, proc_anon, proc_cpu, proc_ctx_switches, proc_mem, self_cpu};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use setup::{State, json_call, setup, username};
use sigv4::Signer;
use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub const ACCESS_KEY: &str = "AKIABENCHMARK0000001";
pub const SECRET_KEY: &str = "bench-secret-access-key-0000000000000001";
pub const REGION: &str = "us-east-1";
pub const PASSWORD: &str = "Bench-Passw0rd!";
pub const TEMP_PASSWORD: &str = "Temp-Passw0rd!";

fn args() -> (String, HashMap<String, String>) {
    let mut it = std::env::args().skip(1);
    let cmd = it.next().unwrap_or_default();
    let mut map = HashMap::new();
    let rest: Vec<String> = it.collect();
    let mut i = 0;
    while i < rest.len() {
        let k = rest[i].trim_start_matches("--").to_owned();
        if i + 1 < rest.len() && !rest[i + 1].starts_with("--") {
            map.insert(k, rest[i + 1].clone());
            i += 2;
        } else {
            map.insert(k, "true".into());
            i += 1;
        }
    }
    (cmd, map)
}

fn get<'a>(a: &'a HashMap<String, String>, k: &str) -> &'a str {
    a.get(k)
        .unwrap_or_else(|| panic!("--{k} is required"))
        .as_str()
}

fn get_or<T: std::str::FromStr>(a: &HashMap<String, String>, k: &str, d: T) -> T {
    a.get(k).and_then(|v| v.parse().ok()).unwrap_or(d)
}

fn print(v: &Value) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{v}").ok();
    out.flush().ok();
}

fn main() {
    let (cmd, a) = args();
    match cmd.as_str() {
        "argon2" => argon2_ceiling::ceiling(&a),
        "ready" => rt(1).block_on(ready(&a)),
        "setup" => rt(1).block_on(setup(&a)),
        "probe" => rt(1).block_on(probe(&a)),
        "outbox" => rt(2).block_on(outbox::drain(&a)),
        "unconfirmed" => rt(1).block_on(confirm::unconfirmed(&a)),
        "modexp" => srp::ceiling(&a),
        "rs256" => rs256::ceiling(&a),
        "floor" => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            rt(cores).block_on(floor::serve(&a))
        }
        "run" => {
            let threads = get_or(&a, "threads", 1usize);
            rt(threads).block_on(run(&a))
        }
        _ => {
            eprintln!(
                "usage: loadgen argon2|modexp|rs256|ready|setup|probe|outbox|run ... (see src/main.rs)"
            );
            std::process::exit(2);
        }
    }
}

fn rt(threads: usize) -> tokio::runtime::Runtime {
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .expect("runtime")
    }
}

// ---------------------------------------------------------------------------------------
// readiness

fn monotonic_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

/// Prints `{"polling": true}`, then sends a signed `ListUserPools` every 0.5 ms until one
/// answers 200, and prints the CLOCK_MONOTONIC time of that answer (the harness notes the
/// same clock just before it starts the server).
async fn ready(a: &HashMap<String, String>) {
    let endpoint = get(a, "endpoint");
    let timeout = Duration::from_millis(get_or(a, "timeout-ms", 60_000u64));
    let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
    print(&json!({"polling": true}));
    let start = Instant::now();
    let mut attempts = 0u64;
    let mut last_error = String::new();
    while start.elapsed() < timeout {
        attempts += 1;
        let mut conn = Conn::new(endpoint);
        let call = Call::Json {
            op: "ListUserPools",
            body: r#"{"MaxResults":1}"#.into(),
            signed: true,
        };
        match conn.send(&call, &mut signer).await {
            Ok((status, _)) if status.is_success() => {
                print(&json!({"ready_mono_ns": monotonic_ns().to_string(), "attempts": attempts}));
                return;
            }
            Ok((status, body)) => last_error = format!("HTTP {status}: {body:?}"),
            Err(e) => last_error = e,
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    print(&json!({"error": format!("not ready after {timeout:?}: {last_error}")}));
    std::process::exit(1);
}

// ---------------------------------------------------------------------------------------
// setup

/// Sends one request of a workload and prints its status and body (to check that every
/// server really does the work, e.g. that a filtered ListUsers returns one user).
async fn probe(a: &HashMap<String, String>) {
    let state: State =
        serde_json::from_str(&std::fs::read_to_string(get(a, "state")).expect("read state"))
            .expect("parse state");
    let workload = get(a, "workload");
    let mut conn = Conn::new(&state.endpoint);
    let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
    let mut rng = Rng(7);
    let answer = if workload == "user_srp_auth" {
        srp::Client::new(7)
            .sign_in(&mut conn, &mut signer, &state, &username(0))
            .await
    } else {
        let call = next_call(workload, &state, 0, 0, &mut rng, "probe");
        conn.send(&call, &mut signer).await
    };
    match answer {
        Ok((status, body)) => print(&json!({
            "workload": workload,
            "status": status.as_u16(),
            "body": serde_json::from_slice::<Value>(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned())),
        })),
        Err(e) => print(&json!({"workload": workload, "error": e})),
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The request a worker sends next.
fn next_call(
    workload: &str,
    s: &State,
    worker: usize,
    seq: u64,
    rng: &mut Rng,
    nonce: &str,
) -> Call {
    let tok = || &s.tokens[worker % s.tokens.len()];
    match workload {
        "user_password_auth" => json_call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": s.client_id,
                "AuthParameters": {"USERNAME": username(rng.below(s.users)), "PASSWORD": PASSWORD},
            }),
            false,
        ),
        "refresh_token_auth" => json_call(
            "InitiateAuth",
            json!({
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "ClientId": s.client_id,
                "AuthParameters": {"REFRESH_TOKEN": tok().refresh},
            }),
            false,
        ),
        "admin_get_user" => json_call(
            "AdminGetUser",
            json!({"UserPoolId": s.pool_id, "Username": username(rng.below(s.users))}),
            true,
        ),
        "get_user" => json_call("GetUser", json!({"AccessToken": tok().access}), false),
        "list_users_filter" => json_call(
            "ListUsers",
            json!({
                "UserPoolId": s.pool_id,
                "Filter": format!("email = \"{}@bench.example\"", username(rng.below(s.users))),
                "Limit": 10,
            }),
            true,
        ),
        "sign_up" => {
            let u = format!("su{nonce}w{worker}s{seq}");
            json_call(
                "SignUp",
                json!({
                    "ClientId": s.client_id,
                    "Username": u,
                    "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": format!("{u}@bench.example")}],
                }),
                false,
            )
        }
        "admin_create_user" => {
            let u = format!("n{nonce}w{worker}s{seq}");
            json_call(
                "AdminCreateUser",
                json!({
                    "UserPoolId": s.pool_id,
                    "Username": u,
                    "UserAttributes": [{"Name": "email", "Value": format!("{u}@bench.example")}],
                    "MessageAction": "SUPPRESS",
                    "TemporaryPassword": TEMP_PASSWORD,
                }),
                true,
            )
        }
        "oauth_refresh" => Call::Form {
            path: "/oauth2/token",
            body: format!(
                "grant_type=refresh_token&client_id={}&refresh_token={}",
                s.client_id,
                tok().refresh
            ),
            basic: None,
        },
        "oauth_client_credentials" => Call::Form {
            path: "/oauth2/token",
            body: format!(
                "grant_type=client_credentials&scope={}",
                s.m2m_scope
                    .as_deref()
                    .unwrap_or_default()
                    .replace('/', "%2F")
            ),
            basic: Some(base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                s.m2m_client_id.as_deref().unwrap_or_default(),
                s.m2m_client_secret.as_deref().unwrap_or_default()
            ))),
        },
        other => panic!("unknown workload {other}"),
    }
}

#[derive(Default)]
struct WorkerOut {
    lat_us: Vec<u32>,
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    reconnects: u64,
}

async fn run(a: &HashMap<String, String>) {
    let state: State =
        serde_json::from_str(&std::fs::read_to_string(get(a, "state")).expect("read state"))
            .expect("parse state");
    let workload = get(a, "workload").to_owned();
    let concurrency: usize = get_or(a, "concurrency", 1);
    let seconds: f64 = get_or(a, "seconds", 5.0);
    let warmup: f64 = get_or(a, "warmup", 1.0);
    let server_pid: Option<u32> = a.get("server-pid").and_then(|v| v.parse().ok());
    let users_override: Option<u64> = a.get("users").and_then(|v| v.parse().ok());
    let mut state = state;
    if let Some(u) = users_override {
        state.users = u;
    }
    let state = std::sync::Arc::new(state);
    let nonce = format!("{:x}", monotonic_ns() % 0xffff_ffff);
    let items = a.get("items").map(|path| confirm::Items::load(path));
    let warmup = if items.is_some() { 0.0 } else { warmup };
    let (finished, all_finished) = tokio::sync::oneshot::channel::<()>();

    // Peak memory is measured from here: reset the server's VmHWM to its current RSS.
    if let Some(pid) = server_pid {
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5").ok();
    }
    let t0 = Instant::now();
    let measure_from = t0 + Duration::from_secs_f64(warmup);
    let end = measure_from + Duration::from_secs_f64(seconds);

    // Counters at the start of the measured window, taken by a timer task.
    let marks = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from.into()).await;
        let server0 = server_pid.and_then(proc_cpu);
        let switches0 = server_pid.and_then(proc_ctx_switches);
        let client0 = self_cpu();
        let machine0 = machine_cpu();
        let wall0 = Instant::now();
        // The server's own memory (RssAnon: heap and stacks, not the file pages it maps), its
        // peak sampled every 50 ms: the kernel keeps a peak only of the whole RSS (VmHWM).
        let mut peak_anon = None;
        let mut all_finished = all_finished;
        loop {
            peak_anon = peak_anon.max(server_pid.and_then(proc_anon));
            // Never past the window's end: the rate divides by the time measured here.
            let next = (Instant::now() + Duration::from_millis(50)).min(end);
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {
                    if Instant::now() >= end {
                        break;
                    }
                }
                _ = &mut all_finished => break,
            }
        }
        let server1 = server_pid.and_then(proc_cpu);
        let switches1 = server_pid.and_then(proc_ctx_switches);
        let client1 = self_cpu();
        let machine1 = machine_cpu();
        let wall = wall0.elapsed().as_secs_f64();
        (
            server0.zip(server1).map(|(a, b)| b - a),
            client1 - client0,
            wall,
            switches0.zip(switches1).map(|(a, b)| b.saturating_sub(a)),
            machine0
                .zip(machine1)
                .map(|((b0, s0), (b1, s1))| (b1 - b0, s1 - s0)),
            peak_anon.max(server_pid.and_then(proc_anon)),
        )
    });

    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let state = state.clone();
        let workload = workload.clone();
        let nonce = nonce.clone();
        let items = items.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(&state.endpoint);
            let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((w as u64 + 1) * 0x1000_0001));
            let mut out = WorkerOut::default();
            let mut seq = 0u64;
            let mut srp_client =
                (workload == "user_srp_auth").then(|| srp::Client::new(w as u64 + 1));
            loop {
                let start = Instant::now();
                if start >= end {
                    break;
                }
                let r = if let Some(client) = srp_client.as_mut() {
                    let user = username(rng.below(state.users));
                    client.sign_in(&mut conn, &mut signer, &state, &user).await
                } else {
                    let call = match &items {
                        Some(items) => match items.next_call(&state) {
                            Some(call) => call,
                            None => break,
                        },
                        None => next_call(&workload, &state, w, seq, &mut rng, &nonce),
                    };
                    conn.send(&call, &mut signer).await
                };
                seq += 1;
                let done = Instant::now();
                // Every answer that arrives inside the window counts, whenever its request
                // was sent: counting only requests both sent and answered inside it would
                // drop about one latency's worth of answers (6% of a 10 s window at 0.6 s).
                if done < measure_from || done > end {
                    continue;
                }
                match r {
                    Ok((status, _)) if status.is_success() => {
                        out.ok += 1;
                        out.lat_us
                            .push((done - start).as_micros().min(u32::MAX as u128) as u32);
                    }
                    Ok((status, body)) => {
                        out.errors += 1;
                        if out.first_error.is_none() {
                            out.first_error = Some(format!(
                                "HTTP {status}: {}",
                                String::from_utf8_lossy(&body)
                                    .chars()
                                    .take(300)
                                    .collect::<String>()
                            ));
                        }
                    }
                    Err(e) => {
                        out.errors += 1;
                        if out.first_error.is_none() {
                            out.first_error = Some(e);
                        }
                    }
                }
            }
            out.reconnects = conn.reconnects;
            out
        }));
    }
    let mut lat: Vec<u32> = Vec::new();
    let (mut ok, mut errors, mut reconnects) = (0u64, 0u64, 0u64);
    let mut first_error = None;
    for t in tasks {
        let o = t.await.expect("worker");
        lat.extend(o.lat_us);
        ok += o.ok;
        errors += o.errors;
        reconnects += o.reconnects;
        if first_error.is_none() {
            first_error = o.first_error;
        }
    }
    let _ = finished.send(());
    let (server_cpu, client_cpu, wall, switches, machine, peak_anon) = marks.await.expect("marks");
    // CPU that neither the server nor the load generator used: other processes, the kernel's
    // own threads (noise to report beside the figures).
    let other_cpu =
        machine.map(|(busy, _)| (busy - server_cpu.unwrap_or(0.0) - client_cpu).max(0.0));
    lat.sort_unstable();
    let pct = |p: f64| -> Option<f64> {
        if lat.is_empty() {
            return None;
        }
        let i = ((p / 100.0) * lat.len() as f64).ceil() as usize;
        Some(lat[i.clamp(1, lat.len()) - 1] as f64 / 1000.0)
    };
    let (hwm, rss) = server_pid.map_or((None, None), proc_mem);
    let mean = if lat.is_empty() {
        None
    } else {
        Some(lat.iter().map(|&v| v as f64).sum::<f64>() / lat.len() as f64 / 1000.0)
    };
    print(&json!({
        "kind": state.kind,
        "workload": workload,
        "concurrency": concurrency,
        "seconds": wall,
        "ok": ok,
        "errors": errors,
        "first_error": first_error,
        "throughput": ok as f64 / wall,
        "p50_ms": pct(50.0),
        "p90_ms": pct(90.0),
        "p99_ms": pct(99.0),
        "max_ms": lat.last().map(|&v| v as f64 / 1000.0),
        "mean_ms": mean,
        "connections_opened": reconnects,
        "server_cpu_s": server_cpu,
        "server_ctx_switches": switches,
        "other_cpu_s": other_cpu,
        "steal_s": machine.map(|(_, steal)| steal),
        "client_cpu_s": client_cpu,
        "server_peak_rss_kib": hwm,
        "server_rss_kib": rss,
        "server_peak_anon_kib": peak_anon,
    }));
}
