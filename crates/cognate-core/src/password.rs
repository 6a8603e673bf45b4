//! Passwords: the pool's policy, argon2id hashing on a bounded blocking pool, and
//! temporary passwords that satisfy the policy.

use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::PasswordPolicy;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use rand::Rng;
use rand::seq::SliceRandom;
use std::sync::Arc;

/// The symbols Cognito counts as special characters (REFERENCE.md §10).
pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Where the policy check happens decides the message prefix Cognito uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyContext {
    /// `SignUp`: "Password did not conform with policy: ..."
    SignUp,
    /// Everywhere else: "Password does not conform to policy: ..."
    Other,
}

/// Checks a password against the pool's policy, naming the first rule it breaks.
pub fn check_policy(policy: &PasswordPolicy, password: &str, ctx: PolicyContext) -> Result<()> {
    let broken = if password.chars().count() < policy.minimum_length as usize {
        Some("Password not long enough")
    } else if policy.require_uppercase && !password.chars().any(|c| c.is_ascii_uppercase()) {
        Some("Password must have uppercase characters")
    } else if policy.require_lowercase && !password.chars().any(|c| c.is_ascii_lowercase()) {
        Some("Password must have lowercase characters")
    } else if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        Some("Password must have numeric characters")
    } else if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
        Some("Password must have symbol characters")
    } else {
        None
    };
    match broken {
        None => Ok(()),
        Some(rule) => {
            let prefix = match ctx {
                PolicyContext::SignUp => "Password did not conform with policy: ",
                PolicyContext::Other => "Password does not conform to policy: ",
            };
            Err(CognitoError::new(
                ErrorKind::InvalidPassword,
                format!("{prefix}{rule}"),
            ))
        }
    }
}

/// A random password that satisfies `policy` (for AdminCreateUser without TemporaryPassword).
pub fn generate_temporary(policy: &PasswordPolicy) -> String {
    let mut rng = rand::rng();
    let pick =
        |set: &[u8], rng: &mut rand::rngs::ThreadRng| set[rng.random_range(0..set.len())] as char;
    let upper = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let lower = b"abcdefghijkmnopqrstuvwxyz";
    let digits = b"23456789";
    let symbols = b"^$*.!@#%&-_=+";
    let mut chars = vec![
        pick(upper, &mut rng),
        pick(lower, &mut rng),
        pick(digits, &mut rng),
        pick(symbols, &mut rng),
    ];
    let len = (policy.minimum_length as usize).max(12);
    let all: Vec<u8> = [&upper[..], lower, digits, symbols].concat();
    while chars.len() < len {
        chars.push(pick(&all, &mut rng));
    }
    chars.shuffle(&mut rng);
    chars.into_iter().collect()
}

/// A job for a hashing thread: it gets the thread's reusable argon2 memory.
type HashJob = Box<dyn FnOnce(&mut Vec<argon2::Block>) + Send>;

/// A fixed set of threads that run argon2. Each keeps its ~19 MiB of argon2 memory from one
/// hash to the next: no page faults per hash, and memory bounded by the thread count (with
/// tokio's elastic blocking pool every new thread kept its own copy: hundreds of MB).
struct HashWorkers {
    jobs: std::sync::mpsc::Sender<HashJob>,
}

impl HashWorkers {
    fn start(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            // Every sender is gone: the hasher was dropped.
                            Err(_) => return,
                        }
                    }
                })
                .expect("spawn a hashing thread");
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vec<argon2::Block>) -> T + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        crate::metrics::hash_queue(1.0);
        self.jobs
            .send(Box::new(move |memory| {
                let _ = tx.send(f(memory));
                crate::metrics::hash_queue(-1.0);
            }))
            .map_err(|_| {
                crate::metrics::hash_queue(-1.0);
                CognitoError::internal("password hashing is unavailable")
            })?;
        rx.await
            .map_err(|_| CognitoError::internal("password hashing failed"))
    }
}

/// Hashes and verifies passwords with argon2id, on [`HashWorkers`], never on the async
/// threads; at most one hash per worker runs at a time, so a burst of sign-ins queues instead
/// of starving other requests.
#[derive(Clone)]
pub struct PasswordHasher {
    workers: Arc<HashWorkers>,
    params: argon2::Params,
    dummy: Arc<tokio::sync::OnceCell<String>>,
}

fn argon2id(params: argon2::Params) -> Argon2<'static> {
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Hashes into the caller's memory and renders the PHC string.
fn hash_with(
    memory: &mut Vec<argon2::Block>,
    params: argon2::Params,
    password: &[u8],
) -> Option<String> {
    let mut salt = [0u8; 16];
    crate::secrets::fill_random(&mut salt);
    let mut out = [0u8; 32];
    memory.resize(params.block_count(), argon2::Block::default());
    argon2id(params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, &mut memory[..])
        .ok()?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(argon2::Version::V0x13.into()),
        params: (&params).try_into().ok()?,
        salt: Some(argon2::password_hash::phc::Salt::new(&salt).ok()?),
        hash: Some(argon2::password_hash::phc::Output::new(&out).ok()?),
    };
    Some(phc.to_string())
}

/// Verifies against a PHC string, in the caller's memory, comparing in constant time.
fn verify_with(memory: &mut Vec<argon2::Block>, password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        argon2::Algorithm::try_from(parsed.algorithm.as_str()),
        argon2::Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or_default();
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    memory.resize(params.block_count(), argon2::Block::default());
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    bool::from(subtle::ConstantTimeEq::ct_eq(
        out.as_slice(),
        expected.as_bytes(),
    ))
}

impl PasswordHasher {
    /// `threads`: how many hashes may run at once (the machine's cores).
    pub fn new(threads: usize) -> Self {
        Self::with_params(threads, argon2::Params::default())
    }

    /// Cheaper parameters for tests only.
    pub fn with_params(threads: usize, params: argon2::Params) -> Self {
        Self {
            workers: Arc::new(HashWorkers::start(threads)),
            params,
            dummy: Arc::default(),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String> {
        let password = password.as_bytes().to_vec();
        let params = self.params.clone();
        self.workers
            .run(move |memory| hash_with(memory, params, &password))
            .await?
            .ok_or_else(|| CognitoError::internal("password hashing failed"))
    }

    /// Hashes `password` and runs `then` (the SRP verifier of the same password) in one job on
    /// one worker: a second job would cost a queue hand-off and two thread wake-ups, and on a
    /// busy server both workers are taken anyway, so running them side by side gains nothing.
    pub async fn hash_then<T: Send + 'static>(
        &self,
        password: &str,
        then: impl FnOnce() -> T + Send + 'static,
    ) -> Result<(String, T)> {
        let password = password.as_bytes().to_vec();
        let params = self.params.clone();
        let (hash, other) = self
            .workers
            .run(move |memory| (hash_with(memory, params, &password), then()))
            .await?;
        let hash = hash.ok_or_else(|| CognitoError::internal("password hashing failed"))?;
        Ok((hash, other))
    }

    /// Runs other password-strength arithmetic (SRP's exponentiations) on the same workers,
    /// off the async threads and in the same queue as the hashes.
    pub async fn compute<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        self.workers.run(move |_| f()).await
    }

    /// Spends the time of a real verification, for users that do not exist, so response
    /// times do not tell whether a username is taken.
    pub async fn verify_dummy(&self, password: &str) -> Result<()> {
        let hash = self
            .dummy
            .get_or_try_init(|| async { self.hash("not-a-real-password-0").await })
            .await?
            .clone();
        self.verify(password, &hash).await?;
        Ok(())
    }

    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool> {
        let password = password.as_bytes().to_vec();
        let phc = phc.to_owned();
        self.workers
            .run(move |memory| verify_with(memory, &password, &phc))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_first_broken_rule() {
        let p = PasswordPolicy::default();
        let e = check_policy(&p, "short", PolicyContext::SignUp).unwrap_err();
        assert_eq!(
            e.message,
            "Password did not conform with policy: Password not long enough"
        );
        let e = check_policy(&p, "alllowercase1!", PolicyContext::Other).unwrap_err();
        assert_eq!(
            e.message,
            "Password does not conform to policy: Password must have uppercase characters"
        );
        let e = check_policy(&p, "NoSymbols123", PolicyContext::Other).unwrap_err();
        assert_eq!(
            e.message,
            "Password does not conform to policy: Password must have symbol characters"
        );
        assert!(check_policy(&p, "Good Pass1", PolicyContext::Other).is_ok());
    }

    #[test]
    fn temporary_passwords_satisfy_policy() {
        let p = PasswordPolicy {
            minimum_length: 20,
            ..PasswordPolicy::default()
        };
        for _ in 0..50 {
            let pw = generate_temporary(&p);
            check_policy(&p, &pw, PolicyContext::Other).unwrap();
        }
    }

    /// Our PHC strings are standard: the argon2 crate's own verifier accepts them, and ours
    /// accepts the crate's.
    #[test]
    fn phc_strings_interoperate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let params = argon2::Params::new(1024, 1, 1, None).unwrap();
        let mut memory = Vec::new();
        let ours = hash_with(&mut memory, params.clone(), b"Passw0rd!").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{ours}");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Passw0rd!", &parsed)
                .is_ok()
        );
        let theirs = argon2id(params)
            .hash_password(b"Passw0rd!")
            .unwrap()
            .to_string();
        assert!(verify_with(&mut memory, b"Passw0rd!", &theirs));
        assert!(!verify_with(&mut memory, b"wrong", &theirs));
        assert!(!verify_with(&mut memory, b"Passw0rd!", "not a hash"));
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = PasswordHasher::with_params(2, argon2::Params::new(1024, 1, 1, None).unwrap());
        let phc = h.hash("Passw0rd!").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("Passw0rd!", &phc).await.unwrap());
        assert!(!h.verify("wrong", &phc).await.unwrap());
    }
}
