//! Encryption at rest for values that must be read back (client secrets):
//! AES-256-GCM under a master key that lives outside the database.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

pub const MASTER_KEY_LEN: usize = 32;

/// Fills `buf` from the system's secure random source.
pub fn fill_random(buf: &mut [u8]) {
    aws_lc_rs::rand::fill(buf).expect("system randomness");
}

/// Seals and opens small secrets. The associated data binds a ciphertext to its owner
/// (e.g. the client ID), so a sealed value copied to another row does not open.
pub struct SecretBox {
    key: LessSafeKey,
    /// For message authentication codes (CSRF tokens), derived from the master key so the
    /// encryption key itself is never used for a second purpose.
    mac_key: [u8; 32],
}

impl SecretBox {
    pub fn new(master_key: &[u8; MASTER_KEY_LEN]) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, master_key).expect("32-byte AES-256 key");
        Self {
            key: LessSafeKey::new(key),
            mac_key: hmac_sha256(master_key, b"cognate/mac/v1"),
        }
    }

    /// HMAC-SHA256 of `data` under a key of this master key's for `purpose`: a value only
    /// holders of the master key can compute (every node of a deployment), and one that
    /// differs per purpose.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let key = hmac_sha256(&self.mac_key, purpose.as_bytes());
        hmac_sha256(&key, data)
    }

    pub fn generate_master_key() -> [u8; MASTER_KEY_LEN] {
        let mut k = [0u8; MASTER_KEY_LEN];
        aws_lc_rs::rand::fill(&mut k).expect("system randomness");
        k
    }

    /// `v1.<base64(nonce || ciphertext || tag)>`
    pub fn seal(&self, plaintext: &[u8], owner: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).expect("system randomness");
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut buf,
            )
            .expect("AES-GCM seal");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("v1.{}", B64.encode(out))
    }

    pub fn open(&self, sealed: &str, owner: &str) -> Option<Vec<u8>> {
        let raw = B64.decode(sealed.strip_prefix("v1.")?).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = ct.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(owner.as_bytes()), &mut buf)
            .ok()?;
        Some(plain.to_vec())
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_owner_binding() {
        let sb = SecretBox::new(&SecretBox::generate_master_key());
        let sealed = sb.seal(b"s3cret", "client-a");
        assert_eq!(sb.open(&sealed, "client-a").unwrap(), b"s3cret");
        assert!(sb.open(&sealed, "client-b").is_none());
        let other = SecretBox::new(&SecretBox::generate_master_key());
        assert!(other.open(&sealed, "client-a").is_none());
    }
}
