//! `X-Amz-Date` values: the ISO 8601 basic format `YYYYMMDDTHHMMSSZ` (UTC) that SigV4 signs
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-string-to-sign.html>).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parses `20240102T030405Z`; `None` for anything else. Out-of-range days (February 31st)
/// and second 60 are accepted here and name another instant: [`is_canonical`] tells.
pub fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// `t` as `YYYYMMDDTHHMMSSZ`, written into 16 bytes (no allocation: every signed request
/// checks its date this way).
pub fn amz_date(t: SystemTime) -> [u8; 16] {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = *b"00000000T000000Z";
    let mut put = |at: usize, width: usize, mut v: i64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y.rem_euclid(10_000));
    put(4, 2, m);
    put(6, 2, d);
    put(9, 2, rem / 3600);
    put(11, 2, rem % 3600 / 60);
    put(13, 2, rem % 60);
    out
}

/// `t` as `YYYYMMDDTHHMMSSZ`, for messages.
pub fn format_amz_date(t: SystemTime) -> String {
    String::from_utf8_lossy(&amz_date(t)).into_owned()
}

/// Whether `s` is the one spelling of the instant it parses to: `...T235960Z` or February
/// 31st would name another day than the one they spell, and the signing key is the spelled
/// day's.
pub fn is_canonical(s: &str, t: SystemTime) -> bool {
    amz_date(t) == s.as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let t = parse_amz_date("20240229T235959Z").unwrap();
        assert_eq!(format_amz_date(t), "20240229T235959Z");
        assert!(is_canonical("20240229T235959Z", t));
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_709_251_199
        );
        assert!(parse_amz_date("2024-02-29").is_none());
        assert_eq!(format_amz_date(UNIX_EPOCH), "19700101T000000Z");
        // Second 60 and February 30th parse, to instants spelled otherwise.
        for odd in ["20251201T235960Z", "20250230T000000Z"] {
            let t = parse_amz_date(odd).unwrap();
            assert!(!is_canonical(odd, t), "{odd}");
        }
    }
}
