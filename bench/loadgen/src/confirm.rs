//! ConfirmSignUp, measured over a fixed set of users: each confirmation consumes an
//! unconfirmed user and its code, and only SignUp (argon2-bound) makes them, so the run
//! confirms a prepared batch instead of running for a fixed time.
//!
//! `loadgen unconfirmed --state F --count N --out ITEMS.json` signs up N users (16 at once)
//! and writes `[{"username", "email"}]`; the harness adds each user's `code` from wherever the
//! server keeps it (Cognate's development outbox, cognito-local's database file; moto takes
//! any code) before `loadgen run --workload confirm_sign_up --items ITEMS.json`.

use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One user to confirm.
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct Item {
    pub(crate) username: String,
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) code: String,
}

/// The prepared users, handed out one per request.
pub(crate) struct Items {
    list: Vec<Item>,
    next: AtomicUsize,
}

impl Items {
    pub(crate) fn load(path: &str) -> Arc<Self> {
        let text = std::fs::read_to_string(path).expect("read items");
        Arc::new(Self {
            list: serde_json::from_str(&text).expect("parse items"),
            next: AtomicUsize::new(0),
        })
    }

    /// The next user's ConfirmSignUp, or `None` when every user has been handed out.
    pub(crate) fn next_call(&self, s: &State) -> Option<Call> {
        let item = self.list.get(self.next.fetch_add(1, Ordering::Relaxed))?;
        Some(json_call(
            "ConfirmSignUp",
            json!({
                "ClientId": s.client_id,
                "Username": item.username,
                "ConfirmationCode": item.code,
            }),
            false,
        ))
    }
}

pub(crate) async fn unconfirmed(a: &HashMap<String, String>) {
    let state: State =
        serde_json::from_str(&std::fs::read_to_string(get(a, "state")).expect("read state"))
            .expect("parse state");
    let count: usize = get_or(a, "count", 1000);
    let nonce = format!("{:x}", monotonic_ns() % 0xffff_ffff);
    let started = Instant::now();
    let state = Arc::new(state);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (state, next, nonce) = (state.clone(), next.clone(), nonce.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(&state.endpoint);
            let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok(made);
                }
                let username = format!("cf{nonce}n{i}");
                let email = format!("{username}@bench.example");
                let call = json_call(
                    "SignUp",
                    json!({
                        "ClientId": state.client_id,
                        "Username": username,
                        "Password": PASSWORD,
                        "UserAttributes": [{"Name": "email", "Value": email}],
                    }),
                    false,
                );
                match conn.send(&call, &mut signer).await {
                    Ok((status, _)) if status.is_success() => made.push(Item {
                        username,
                        email,
                        code: String::new(),
                    }),
                    Ok((status, body)) => {
                        return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
                    }
                    Err(e) => return Err(e),
                }
            }
        }));
    }
    let mut items = Vec::new();
    for t in tasks {
        match t.await.expect("worker") {
            Ok(made) => items.extend(made),
            Err(e) => {
                eprintln!("unconfirmed: SignUp failed: {e}");
                std::process::exit(1);
            }
        }
    }
    std::fs::write(get(a, "out"), serde_json::to_string(&items).expect("json")).expect("write");
    print(&json!({"users": items.len(), "seconds": started.elapsed().as_secs_f64()}));
}
