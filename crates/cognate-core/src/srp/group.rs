//! The arithmetic of Cognito's SRP-6a variant (REFERENCE.md §5): the RFC 5054 3072-bit group
//! with `g = 2`, SHA-256 as `H`, Cognito's `k`, `u` and `x`, and its one-block HKDF.
//!
//! Big integers are crypto-bigint's fixed-size `U3072` in Montgomery form, so every
//! exponentiation with a secret exponent takes the same time whatever its value. Values are
//! hashed in Cognito's "padHex" form ([`pad`]): the minimal big-endian bytes, with a leading
//! zero byte when the top bit is set (Java's `BigInteger.toByteArray`), which is what
//! amazon-cognito-identity-js, pycognito and Amplify hash.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{NonZero, Odd, U256, U3072};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// RFC 3526 / RFC 5054 3072-bit MODP prime.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// Bytes of a group element.
pub const ELEMENT_LEN: usize = 384;

/// The group's constants, computed once.
struct Group {
    n: U3072,
    params: FixedMontyParams<{ U3072::LIMBS }>,
    g: FixedMontyForm<{ U3072::LIMBS }>,
    /// `k = H(pad(N) || pad(g))`, in Montgomery form.
    k: FixedMontyForm<{ U3072::LIMBS }>,
}

static GROUP: LazyLock<Group> = LazyLock::new(|| {
    let n = U3072::from_be_hex(N_HEX);
    let params = FixedMontyParams::new_vartime(Odd::new(n).expect("N is odd"));
    let g = FixedMontyForm::new(&U3072::from_u8(2), &params);
    let k = element_from_digest(
        &H::new()
            .chain_update(pad(&n))
            .chain_update([2u8])
            .finalize()
            .into(),
    );
    Group {
        n,
        params,
        g,
        k: FixedMontyForm::new(&k, &params),
    }
});

type H = Sha256;
type Element = FixedMontyForm<{ U3072::LIMBS }>;

fn element_from_digest(d: &[u8; 32]) -> U3072 {
    let mut wide = [0u8; ELEMENT_LEN];
    wide[ELEMENT_LEN - 32..].copy_from_slice(d);
    U3072::from_be_slice(&wide)
}

fn exponent_from_digest(d: &[u8; 32]) -> U256 {
    U256::from_be_slice(d)
}

/// Cognito's padHex form of an integer, as bytes.
pub fn pad(value: &U3072) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let bytes: &[u8] = bytes.as_ref();
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = Vec::with_capacity(bytes.len() - first + 1);
    if bytes[first] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[first..]);
    out
}

/// Lower-case hex of an integer's minimal big-endian bytes (no leading zero bytes), as
/// Cognito sends `SALT` and `SRP_B`.
pub fn to_hex(value: &U3072) -> String {
    let padded = pad(value);
    let trimmed = if padded.len() > 1 && padded[0] == 0 {
        &padded[1..]
    } else {
        &padded[..]
    };
    hex::encode(trimmed)
}

/// An integer from big-endian bytes of at most [`ELEMENT_LEN`] (leading zeros allowed).
pub fn from_bytes(bytes: &[u8]) -> Option<U3072> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let bytes = &bytes[start..];
    if bytes.len() > ELEMENT_LEN {
        return None;
    }
    let mut wide = [0u8; ELEMENT_LEN];
    wide[ELEMENT_LEN - bytes.len()..].copy_from_slice(bytes);
    Some(U3072::from_be_slice(&wide))
}

/// An integer from hex as clients send it (either case, odd length allowed, at most 768
/// significant digits); `None` for anything else.
pub fn from_hex(hex: &str) -> Option<U3072> {
    let digits = hex.trim_start_matches('0');
    if digits.len() > 2 * ELEMENT_LEN || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let even = if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    from_bytes(&hex::decode(even).ok()?)
}

/// `x = H(pad(salt) || H(poolName || userId || ":" || password))`.
pub fn private_key(pool_name: &str, user_id: &str, password: &str, salt: &U3072) -> U256 {
    let identity = H::new()
        .chain_update(pool_name.as_bytes())
        .chain_update(user_id.as_bytes())
        .chain_update(b":")
        .chain_update(password.as_bytes())
        .finalize();
    exponent_from_digest(
        &H::new()
            .chain_update(pad(salt))
            .chain_update(identity)
            .finalize()
            .into(),
    )
}

/// The verifier `v = g^x mod N`.
pub fn verifier(x: &U256) -> U3072 {
    GROUP.g.pow(x).retrieve()
}

/// The server's public value `B = (k·v + g^b) mod N`.
pub fn server_public(v: &U3072, b: &U256) -> U3072 {
    let group = &*GROUP;
    let v = Element::new(v, &group.params);
    (group.k * v + group.g.pow(b)).retrieve()
}

/// `A mod N`, refused (`None`) when it is zero: the check SRP-6a requires of the server.
pub fn client_public(a: &U3072) -> Option<U3072> {
    let n = NonZero::new(GROUP.n).expect("N is not zero");
    let reduced = a.rem(&n);
    (!bool::from(reduced.is_zero())).then_some(reduced)
}

/// The 16-byte key both sides derive: `u = H(pad(A) || pad(B))` (refused when zero),
/// `S = (A · v^u)^b mod N`, then HKDF-SHA256 with salt `pad(u)`, input `pad(S)` and info
/// "Caldera Derived Key".
pub fn session_key(a: &U3072, big_b: &U3072, v: &U3072, b: &U256) -> Option<[u8; 16]> {
    let group = &*GROUP;
    let u_digest: [u8; 32] = H::new()
        .chain_update(pad(a))
        .chain_update(pad(big_b))
        .finalize()
        .into();
    let u = exponent_from_digest(&u_digest);
    if bool::from(u.is_zero()) {
        return None;
    }
    let base = Element::new(a, &group.params) * Element::new(v, &group.params).pow(&u);
    let s = base.pow(b).retrieve();
    Some(derive_key(&element_from_digest(&u_digest), &s))
}

/// Cognito's HKDF: one block of HKDF-SHA256 (RFC 5869) keyed by `pad(u)` over `pad(S)`.
fn derive_key(u: &U3072, s: &U3072) -> [u8; 16] {
    let mut key = [0u8; 16];
    Hkdf::<Sha256>::new(Some(&pad(u)), &pad(s))
        .expand(b"Caldera Derived Key", &mut key)
        .expect("16 bytes is a valid HKDF length");
    key
}

/// `HMAC-SHA256(key, poolName || userId || secretBlock || timestamp)`: the claim a client
/// signs (PASSWORD_CLAIM_SIGNATURE, or DEVICE_GROUP_KEY || DEVICE_KEY for devices).
pub fn claim(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

/// An element derived from a seed, for the stand-in verifier of users that cannot sign in
/// with SRP: indistinguishable in form from a real verifier, with no exponentiation.
pub fn element_from_seed(seed: &[u8; 32]) -> U3072 {
    let mut wide = [0u8; ELEMENT_LEN];
    for (i, chunk) in wide.chunks_mut(32).enumerate() {
        let block: [u8; 32] = H::new()
            .chain_update(seed)
            .chain_update([i as u8])
            .finalize()
            .into();
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
    let n = NonZero::new(GROUP.n).expect("N is not zero");
    U3072::from_be_slice(&wide).rem(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_is_cognitos() {
        let k = GROUP.k.retrieve();
        assert_eq!(
            to_hex(&k),
            "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
        );
    }

    #[test]
    fn pad_adds_a_zero_byte_before_a_high_bit() {
        assert_eq!(pad(&U3072::from_u8(0x7f)), vec![0x7f]);
        assert_eq!(pad(&U3072::from_u8(0x80)), vec![0x00, 0x80]);
        assert_eq!(pad(&U3072::ZERO), vec![0x00]);
        assert_eq!(pad(&GROUP.n)[0], 0);
        assert_eq!(pad(&GROUP.n).len(), ELEMENT_LEN + 1);
    }

    #[test]
    fn hex_parsing_takes_what_clients_send() {
        assert_eq!(from_hex("0abc"), from_hex("ABC"));
        assert_eq!(from_hex("000000ff"), Some(U3072::from_u8(255)));
        assert!(from_hex("xyz").is_none());
        assert!(from_hex(&"f".repeat(769)).is_none());
        assert_eq!(to_hex(&U3072::from_u16(0x0abc)), "0abc");
    }

    #[test]
    fn a_multiple_of_n_is_refused() {
        assert!(client_public(&U3072::ZERO).is_none());
        assert!(client_public(&GROUP.n).is_none());
        assert!(client_public(&U3072::ONE).is_some());
    }

    #[test]
    fn client_and_server_derive_the_same_key() {
        // The client's side, as amazon-cognito-identity-js computes it.
        let salt = from_hex("8f3a1b2c3d4e5f60718293a4b5c6d7e8").unwrap();
        let x = private_key("AbCdEf123", "alice", "Passw0rd!", &salt);
        let v = verifier(&x);
        let a =
            U256::from_be_hex("1111111111111111111111111111111111111111111111111111111111111111");
        let big_a = GROUP.g.pow(&a).retrieve();
        let b =
            U256::from_be_hex("2222222222222222222222222222222222222222222222222222222222222222");
        let big_b = server_public(&v, &b);
        let server = session_key(&big_a, &big_b, &v, &b).unwrap();

        let group = &*GROUP;
        let u_digest: [u8; 32] = H::new()
            .chain_update(pad(&big_a))
            .chain_update(pad(&big_b))
            .finalize()
            .into();
        let u = exponent_from_digest(&u_digest);
        let kgx = group.k * group.g.pow(&x);
        let base = Element::new(&big_b, &group.params) - kgx;
        // a + u·x, without reduction: a 257-bit sum of a 512-bit product fits U1024.
        let exp = a
            .resize::<16>()
            .wrapping_add(&u.resize::<16>().wrapping_mul(&x.resize::<16>()));
        let s = base.pow(&exp).retrieve();
        let client = derive_key(&element_from_digest(&u_digest), &s);
        assert_eq!(server, client);
    }
}
