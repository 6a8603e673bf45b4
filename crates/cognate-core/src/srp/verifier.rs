//! The SRP verifier kept beside each password hash: a random 16-byte salt and `v = g^x mod N`
//! (REFERENCE.md §5), bound to the pool and the internal username as Cognito binds them.
//!
//! A verifier lets anyone who holds it test guesses at the speed of SHA-256 (it skips argon2),
//! so it is stored sealed (AES-256-GCM under the master key, bound to the user's `sub`) and
//! opened only to answer a USER_SRP_AUTH.

use super::group::{self, ELEMENT_LEN};
use crate::error::Result;
use crate::pool::UserPool;
use crate::secrets::fill_random;
use crate::service::Cognito;
use crate::user::User;
use crypto_bigint::U3072;

const SALT_LEN: usize = 16;

/// What a user's password is stored as: the argon2id hash and the sealed SRP verifier.
pub struct Credentials {
    pub hash: String,
    pub srp_verifier: String,
}

/// An opened verifier.
pub struct Verifier {
    pub salt: U3072,
    pub v: U3072,
}

/// The pool name SRP hashes: the pool ID without its `<region>_` prefix.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

fn owner(pool_id: &str, sub: &str) -> String {
    format!("srp-verifier:{pool_id}:{sub}")
}

/// A new verifier for `password`, with a fresh salt: `salt (16 bytes) || v (384 bytes)`.
fn compute(pool_id: &str, username: &str, password: &str) -> Vec<u8> {
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt);
    let salt_value = group::from_bytes(&salt).expect("16 bytes fit");
    let x = group::private_key(pool_name(pool_id), username, password, &salt_value);
    let v = group::verifier(&x);
    let mut out = salt.to_vec();
    out.extend_from_slice(v.to_be_bytes().as_ref());
    out
}

impl Cognito {
    /// Hashes a password (argon2id) and computes its SRP verifier, in one job on the
    /// hashing workers. `username` is the internal username, the identity SRP binds.
    pub(crate) async fn credentials(
        &self,
        pool_id: &str,
        username: &str,
        sub: &str,
        password: &str,
    ) -> Result<Credentials> {
        let (pool, name, secret) = (pool_id.to_owned(), username.to_owned(), password.to_owned());
        let (hash, raw) = self
            .hasher
            .hash_then(password, move || compute(&pool, &name, &secret))
            .await?;
        Ok(Credentials {
            hash,
            srp_verifier: self.secrets.seal(&raw, &owner(pool_id, sub)),
        })
    }

    /// Gives `user` the verifier of `password` when the user has none (passwords set before
    /// Cognate stored verifiers): called after the password was checked. Returns whether it
    /// did; the caller stores the user.
    pub(crate) async fn add_missing_verifier(
        &self,
        pool: &UserPool,
        user: &mut User,
        password: &str,
    ) -> Result<bool> {
        if user.srp_verifier.is_some() {
            return Ok(false);
        }
        let (pool_id, name, secret) = (pool.id.clone(), user.username.clone(), password.to_owned());
        let raw = self
            .hasher
            .compute(move || compute(&pool_id, &name, &secret))
            .await?;
        user.srp_verifier = Some(self.secrets.seal(&raw, &owner(&pool.id, &user.sub)));
        Ok(true)
    }

    /// The user's verifier, if the user has one that opens.
    pub(crate) fn open_verifier(&self, user: &User) -> Option<Verifier> {
        let sealed = user.srp_verifier.as_deref()?;
        let raw = self
            .secrets
            .open(sealed, &owner(&user.pool_id, &user.sub))?;
        if raw.len() != SALT_LEN + ELEMENT_LEN {
            return None;
        }
        Some(Verifier {
            salt: group::from_bytes(&raw[..SALT_LEN])?,
            v: group::from_bytes(&raw[SALT_LEN..])?,
        })
    }

    /// A stand-in verifier for a name that has none (an unknown user under
    /// PreventUserExistenceErrors, or a password set before verifiers were stored): derived
    /// from the name under the master key, so the same name always gets the same salt, and
    /// no one without the master key can tell it from a real one.
    pub(crate) fn stand_in_verifier(&self, pool_id: &str, key: &str) -> Verifier {
        let seed = self
            .secrets
            .mac("srp-stand-in", format!("{pool_id}\n{key}").as_bytes());
        Verifier {
            salt: group::from_bytes(&seed[..SALT_LEN]).expect("16 bytes fit"),
            v: group::element_from_seed(&seed),
        }
    }
}
