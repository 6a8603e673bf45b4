//! SigV4 verification: the signature is recomputed with `aws-sigv4` over the headers the
//! client signed, at the client's `X-Amz-Date`, and compared in constant time.

mod date;
mod keys;

pub use date::parse_amz_date;
pub use keys::AccessKeys;

use crate::errors::ApiError;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use date::{format_amz_date, is_canonical};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};
use subtle::ConstantTimeEq;

pub const SERVICE: &str = "cognito-idp";
/// How far the request's clock may be from ours, as AWS allows.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// What a verified request proves.
#[derive(Debug, Clone)]
pub struct Verified {
    pub access_key_id: String,
    pub region: String,
}

struct AuthHeader<'a> {
    /// `AKID/YYYYMMDD/region/service/terminator`, as sent.
    credential: &'a str,
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<AuthHeader<'_>, ApiError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        ApiError::incomplete_signature(
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm.",
        )
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        ApiError::incomplete_signature(format!("Authorization header requires '{what}' parameter."))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(ApiError::incomplete_signature(format!(
            "Credential should be scoped to a valid region, service and terminator: {credential}"
        )));
    };
    Ok(AuthHeader {
        credential,
        access_key_id,
        date,
        region,
        service,
        terminator,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Region names AWS uses: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-7`...
pub fn is_valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts[0].len() == 2
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit()))
}

/// Verifies a SigV4-signed request. `now` is passed in so tests can check skew.
pub fn verify(
    keys: &AccessKeys,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<Verified, ApiError> {
    let Some(auth) = headers.get(http::header::AUTHORIZATION) else {
        return Err(ApiError::missing_authentication_token());
    };
    let auth = auth
        .to_str()
        .map_err(|_| ApiError::incomplete_signature("Authorization header is not ASCII."))?;
    let a = parse_authorization(auth)?;
    let Some(secret) = keys.secret(a.access_key_id) else {
        return Err(ApiError::unrecognized_client());
    };
    if a.service != SERVICE {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped to correct service: '{SERVICE}'. "
        )));
    }
    if a.terminator != "aws4_request" {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
            a.terminator
        )));
    }
    if !is_valid_region(a.region) {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            a.region
        )));
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::incomplete_signature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."))?;
    // Only the canonical spelling of a real instant (`is_canonical`).
    let signed_at = parse_amz_date(amz_date)
        .filter(|t| is_canonical(amz_date, *t))
        .ok_or_else(|| {
            ApiError::incomplete_signature(format!(
                "X-Amz-Date {amz_date} is not a valid ISO-8601 basic date."
            ))
        })?;
    if !amz_date.starts_with(a.date) || a.date.len() != 8 {
        return Err(ApiError::invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            a.date,
            &amz_date[..8]
        )));
    }
    if signed_at + MAX_SKEW < now {
        return Err(ApiError::invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            format_amz_date(now - MAX_SKEW),
            format_amz_date(now)
        )));
    }
    if signed_at > now + MAX_SKEW {
        return Err(ApiError::invalid_signature(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            format_amz_date(now + MAX_SKEW),
            format_amz_date(now)
        )));
    }

    require_signed(headers, &a.signed_headers)?;

    let (expected, key) = match common_shape(method, path_and_query, headers, &a.signed_headers) {
        Some(signed) => {
            let key = keys.signing_key(a.credential, secret, a.region, signed_at);
            let expected = common_signature(&key.key, method, &signed, &a, amz_date, body);
            (expected, Some(key))
        }
        None => (
            full_signature(&a, secret, signed_at, method, path_and_query, headers, body)?,
            None,
        ),
    };
    if !bool::from(expected.as_bytes().ct_eq(a.signature.as_bytes())) {
        return Err(ApiError::invalid_signature(signature_mismatch()));
    }
    if let Some(key) = key.filter(|k| !k.kept) {
        keys.remember(a.credential, key.key);
    }
    Ok(Verified {
        access_key_id: a.access_key_id.to_owned(),
        region: a.region.to_owned(),
    })
}

/// The signed headers of a request of the shape every SDK sends (`POST /` or any method on
/// `/` without a query; header names lower-case, sorted and distinct; each signed header
/// present once), as `(name, value)`; `None` for any other shape.
fn common_shape<'h>(
    method: &str,
    path_and_query: &str,
    headers: &'h HeaderMap,
    signed: &[&'h str],
) -> Option<Vec<(&'h str, &'h str)>> {
    if path_and_query != "/" || method.is_empty() {
        return None;
    }
    let sorted = signed.windows(2).all(|w| w[0] < w[1]);
    if !sorted {
        return None;
    }
    signed
        .iter()
        .map(|name| {
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                return None;
            }
            let mut values = headers.get_all(*name).iter();
            let value = values.next()?.to_str().ok()?;
            values.next().is_none().then_some((*name, value))
        })
        .collect()
}

/// SigV4 (<https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>)
/// of a request of the common shape: the canonical request (path `/`, no query, each signed
/// header's value with its spaces trimmed and runs of spaces folded, the body's SHA-256),
/// the string to sign, and its HMAC under the day's signing key. The same bytes as
/// aws-sigv4's signer (a test compares the two), without deriving the key again.
fn common_signature(
    key: &[u8; 32],
    method: &str,
    signed: &[(&str, &str)],
    a: &AuthHeader<'_>,
    amz_date: &str,
    body: &[u8],
) -> String {
    let mut canonical = String::with_capacity(512);
    canonical.push_str(method);
    canonical.push_str("\n/\n\n");
    for (name, value) in signed {
        canonical.push_str(name);
        canonical.push(':');
        push_trimmed(&mut canonical, value);
        canonical.push('\n');
    }
    canonical.push('\n');
    for (i, (name, _)) in signed.iter().enumerate() {
        if i > 0 {
            canonical.push(';');
        }
        canonical.push_str(name);
    }
    canonical.push('\n');
    push_hex_sha256(&mut canonical, body);
    let mut string_to_sign = String::with_capacity(160);
    string_to_sign.push_str("AWS4-HMAC-SHA256\n");
    string_to_sign.push_str(amz_date);
    string_to_sign.push('\n');
    string_to_sign.push_str(a.date);
    string_to_sign.push('/');
    string_to_sign.push_str(a.region);
    string_to_sign.push('/');
    string_to_sign.push_str(SERVICE);
    string_to_sign.push_str("/aws4_request\n");
    push_hex_sha256(&mut string_to_sign, canonical.as_bytes());
    v4::calculate_signature(key, string_to_sign.as_bytes())
}

/// Appends the SHA-256 of `data`, in lower-case hex.
fn push_hex_sha256(out: &mut String, data: &[u8]) {
    let mut hex = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(data), &mut hex).expect("64 hex digits");
    out.push_str(std::str::from_utf8(&hex).expect("hex is ASCII"));
}

/// A header value as SigV4 canonicalizes it: spaces (only) trimmed at both ends and each run
/// of spaces inside folded to one.
fn push_trimmed(out: &mut String, value: &str) {
    let mut last_space = false;
    for c in value.trim_matches(' ').chars() {
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
}

/// The signature aws-sigv4's signer computes for the request, for any shape.
fn full_signature(
    a: &AuthHeader<'_>,
    secret: &str,
    signed_at: SystemTime,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, ApiError> {
    // Recompute over exactly the headers the client signed. The URI carries the Host so the
    // signer never has to invent one.
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let uri = format!("http://{host}{path_and_query}");
    let mut signed: Vec<(&str, &str)> = Vec::new();
    for name in &a.signed_headers {
        for v in headers.get_all(*name) {
            let v = v
                .to_str()
                .map_err(|_| ApiError::invalid_signature(signature_mismatch()))?;
            signed.push((name, v));
        }
    }
    let identity = Credentials::new(a.access_key_id, secret, None, None, "cognate").into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(Vec::new());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(a.region)
        .name(SERVICE)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|e| ApiError::internal(format!("signing parameters: {e}")))?
        .into();
    let signable = SignableRequest::new(method, uri, signed.into_iter(), SignableBody::Bytes(body))
        .map_err(|_| ApiError::invalid_signature(signature_mismatch()))?;
    let expected =
        sign(signable, &params).map_err(|_| ApiError::invalid_signature(signature_mismatch()))?;
    Ok(expected.signature().to_owned())
}

/// What the signature must cover so no part of the request can be swapped under it: the
/// host, and every `x-amz-*` header present (the operation is chosen by `X-Amz-Target`).
/// AWS answers `IncompleteSignatureException` when one is left out.
fn require_signed(headers: &HeaderMap, signed: &[&str]) -> Result<(), ApiError> {
    let is_signed = |name: &str| signed.iter().any(|s| s.eq_ignore_ascii_case(name));
    if !is_signed("host") {
        return Err(ApiError::incomplete_signature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    for name in headers.keys() {
        let name = name.as_str();
        if name.starts_with("x-amz-") && !is_signed(name) {
            return Err(ApiError::incomplete_signature(format!(
                "'{}' must be a 'SignedHeader' in the AWS Authorization.",
                display_header_name(name)
            )));
        }
    }
    Ok(())
}

/// `x-amz-target` → `X-Amz-Target`, as AWS names headers in its messages.
fn display_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn signature_mismatch() -> String {
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// A request signed as an SDK signs it (aws-sigv4), with `extra` headers beside the
    /// usual ones; returns the headers sent.
    fn signed_request(extra: &[(&str, &str)], at: SystemTime, body: &[u8]) -> HeaderMap {
        let mut unsigned: Vec<(&str, &str)> = vec![
            ("content-type", "application/x-amz-json-1.1"),
            ("host", "127.0.0.1:9229"),
            ("x-amz-target", "AWSCognitoIdentityProviderService.GetUser"),
        ];
        unsigned.extend_from_slice(extra);
        let identity = Credentials::new("AKIDTEST", "secret", None, None, "t").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name(SERVICE)
            .time(at)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:9229/",
            unsigned.iter().copied(),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut headers = HeaderMap::new();
        for (name, value) in unsigned.iter().copied().chain(instructions.headers()) {
            headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    /// The common shape's signature is aws-sigv4's, byte for byte, and both reject a change.
    #[test]
    fn the_common_shape_signs_as_aws_sigv4_does() {
        let keys = AccessKeys::new([("AKIDTEST".to_owned(), "secret".to_owned())]);
        let at = UNIX_EPOCH + Duration::from_secs(1_764_590_400);
        let body = br#"{"AccessToken":"a.b.c"}"#;
        for extra in [
            &[][..],
            &[("x-amz-user-agent", "  aws-sdk-rust/1.0   os/linux  ")][..],
            &[("user-agent", "a  b"), ("amz-sdk-invocation-id", "x")][..],
        ] {
            let headers = signed_request(extra, at, body);
            let auth = headers[http::header::AUTHORIZATION].to_str().unwrap();
            let a = parse_authorization(auth).unwrap();
            let shape = common_shape("POST", "/", &headers, &a.signed_headers)
                .expect("an SDK's request has the common shape");
            let key = keys.signing_key(a.credential, "secret", a.region, at).key;
            let amz_date = headers["x-amz-date"].to_str().unwrap();
            let common = common_signature(&key, "POST", &shape, &a, amz_date, body);
            let full = full_signature(&a, "secret", at, "POST", "/", &headers, body).unwrap();
            assert_eq!(common, full, "{extra:?}");
            assert_eq!(common, a.signature);
            verify(&keys, "POST", "/", &headers, body, at).unwrap();
            // Twice: the second from the kept signing key.
            verify(&keys, "POST", "/", &headers, body, at).unwrap();
            assert!(verify(&keys, "POST", "/", &headers, b"{}", at).is_err());
        }
        // A wrong signature leaves nothing behind; a right one keeps the day's key.
        let keys = AccessKeys::new([("AKIDTEST".to_owned(), "secret".to_owned())]);
        let headers = signed_request(&[], at, body);
        assert!(verify(&keys, "POST", "/", &headers, b"{}", at).is_err());
        assert_eq!(keys.kept(), 0);
        verify(&keys, "POST", "/", &headers, body, at).unwrap();
        assert_eq!(keys.kept(), 1);
        // Another spelling of an instant (second 60 is the next day's midnight) is refused
        // before any key is derived.
        let mut odd = headers.clone();
        odd.insert(
            "x-amz-date",
            http::HeaderValue::from_static("20251201T235960Z"),
        );
        let late = UNIX_EPOCH + Duration::from_secs(1_764_633_600);
        let refused = verify(&keys, "POST", "/", &odd, body, late).unwrap_err();
        assert!(
            refused.message.contains("not a valid ISO-8601"),
            "{}",
            refused.message
        );
        // Other shapes go to aws-sigv4's signer and still verify.
        let headers = signed_request(&[], at, body);
        let auth = headers[http::header::AUTHORIZATION].to_str().unwrap();
        let a = parse_authorization(auth).unwrap();
        assert!(common_shape("POST", "/?x=1", &headers, &a.signed_headers).is_none());
        let upper = ["Host", "X-Amz-Date"];
        assert!(common_shape("POST", "/", &headers, &upper).is_none());
    }

    #[test]
    fn header_values_fold_spaces_as_sigv4_does() {
        let mut out = String::new();
        push_trimmed(&mut out, "  a   b \t c  ");
        assert_eq!(out, "a b \t c");
    }

    #[test]
    fn regions() {
        for r in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-7",
        ] {
            assert!(is_valid_region(r), "{r}");
        }
        for r in ["mars", "us_east_1", "US-EAST-1", "useast1", "us-east-"] {
            assert!(!is_valid_region(r), "{r}");
        }
    }
}
