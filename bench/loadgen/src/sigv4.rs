//! AWS Signature Version 4 for `POST /` AWS JSON 1.1 requests, by hand so the load generator
//! spends as little CPU as possible per request: the signing key is derived once per day.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

pub const SERVICE: &str = "cognito-idp";

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time.
pub fn amz_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64;
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

pub struct Signer {
    access_key_id: String,
    secret: String,
    region: String,
    /// (date, key) of the last signature.
    cached: Option<(String, [u8; 32])>,
}

impl Signer {
    pub fn new(access_key_id: &str, secret: &str, region: &str) -> Self {
        Self {
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
            region: region.to_owned(),
            cached: None,
        }
    }

    fn key(&mut self, date: &str) -> [u8; 32] {
        if let Some((d, k)) = &self.cached
            && d == date
        {
            return *k;
        }
        let k = hmac(format!("AWS4{}", self.secret).as_bytes(), date.as_bytes());
        let k = hmac(&k, self.region.as_bytes());
        let k = hmac(&k, SERVICE.as_bytes());
        let k = hmac(&k, b"aws4_request");
        self.cached = Some((date.to_owned(), k));
        k
    }

    /// Returns (x-amz-date, Authorization) for a JSON 1.1 `POST /` with these headers.
    pub fn sign(&mut self, host: &str, target: &str, body: &[u8]) -> (String, String) {
        let amz = amz_date(SystemTime::now());
        let date = &amz[..8];
        let payload = hex::encode(Sha256::digest(body));
        let canonical = format!(
            "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:{host}\nx-amz-date:{amz}\nx-amz-target:{target}\n\ncontent-type;host;x-amz-date;x-amz-target\n{payload}"
        );
        let scope = format!("{date}/{}/{SERVICE}/aws4_request", self.region);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let key = self.key(date);
        let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}",
            self.access_key_id
        );
        (amz, auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(amz_date(UNIX_EPOCH), "19700101T000000Z");
        assert_eq!(
            amz_date(UNIX_EPOCH + Duration::from_secs(1_709_251_199)),
            "20240229T235959Z"
        );
    }
}
