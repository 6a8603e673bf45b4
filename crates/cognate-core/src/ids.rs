//! Identifiers in Cognito's formats (REFERENCE.md §2).

use rand::Rng;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// `us-east-1_AbC123xyZ`
pub fn user_pool_id(region: &str) -> String {
    format!("{region}_{}", random_from(ALNUM, 9))
}

/// The region a pool ID belongs to (`us-east-1_AbC123xyZ` → `us-east-1`).
pub fn region_of_pool(pool_id: &str) -> Option<&str> {
    pool_id.rsplit_once('_').map(|(r, _)| r)
}

/// 26 lower-case alphanumerics, as Cognito's app client IDs.
pub fn client_id() -> String {
    random_from(LOWER_ALNUM, 26)
}

/// 52 lower-case alphanumerics, as generated client secrets.
pub fn client_secret() -> String {
    random_from(LOWER_ALNUM, 52)
}

/// The ID of one of a client's secrets (ListUserPoolClientSecrets).
pub fn client_secret_id() -> String {
    random_from(LOWER_ALNUM, 26)
}

/// A random (v4) UUID, lower-case and hyphenated, from the thread's CSPRNG (`rand::random`,
/// seeded from the system): no `getrandom` call per UUID, and every token issued takes several
/// (`jti`, `event_id`).
pub fn uuid() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

pub fn user_pool_arn(region: &str, account_id: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:{account_id}:userpool/{pool_id}")
}

/// A new request ID: a UUID v4 (see [`uuid`]).
pub fn request_id() -> String {
    uuid()
}

/// The ID of the HTTP request being served (`x-amzn-RequestId`), set by the listener's
/// middleware as a request extension so every adapter logs and answers with the same one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_random_version_4() {
        let a = super::uuid();
        let b = super::uuid();
        assert_ne!(a, b);
        for u in [a, b] {
            let parsed = uuid::Uuid::parse_str(&u).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(u, parsed.hyphenated().to_string());
        }
    }
}
