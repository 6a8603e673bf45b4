//! Passwords: the pool's policy, argon2id hashing on a bounded blocking pool, and
//! temporary passwords that satisfy the policy.

use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::PasswordPolicy;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use rand::Rng;
use rand::seq::SliceRandom;
use std::sync::Arc;
use tokio::sync::Semaphore;

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

/// Hashes and verifies passwords with argon2id. Each hash takes tens of milliseconds of CPU,
/// so it runs on tokio's blocking pool, at most `permits` at once, never on the async threads.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: argon2::Params,
    dummy: Arc<tokio::sync::OnceCell<String>>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            params: argon2::Params::default(),
            dummy: Arc::default(),
        }
    }

    /// Cheaper parameters for tests only.
    pub fn with_params(max_concurrent: usize, params: argon2::Params) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            params,
            dummy: Arc::default(),
        }
    }

    fn argon2(params: argon2::Params) -> Argon2<'static> {
        Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
    }

    pub async fn hash(&self, password: &str) -> Result<String> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| CognitoError::internal("hasher closed"))?;
        let password = password.to_owned();
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| CognitoError::internal(format!("password hashing failed: {e}")))
        })
        .await
        .map_err(|_| CognitoError::internal("password hashing task failed"))?
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

    /// Constant-time verification (argon2 compares the digests in constant time).
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| CognitoError::internal("hasher closed"))?;
        let password = password.to_owned();
        let phc = phc.to_owned();
        tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
        .map_err(|_| CognitoError::internal("password verification task failed"))
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

    #[tokio::test]
    async fn hash_and_verify() {
        let h = PasswordHasher::with_params(2, argon2::Params::new(1024, 1, 1, None).unwrap());
        let phc = h.hash("Passw0rd!").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("Passw0rd!", &phc).await.unwrap());
        assert!(!h.verify("wrong", &phc).await.unwrap());
    }
}
