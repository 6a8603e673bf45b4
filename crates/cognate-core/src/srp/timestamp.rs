//! The `TIMESTAMP` of an SRP claim: English, UTC, `EEE MMM d HH:mm:ss z yyyy` (Java's pattern:
//! `Tue Jan 2 03:04:05 UTC 2024`, the day not zero-padded).
//!
//! Cognito reads the time, then signs its own rendering of it, so a client that pads the day
//! (`Jan 02`) or names the wrong weekday fails as a wrong password would; text that is not a
//! time in this pattern is refused outright (REFERENCE.md §5; amazon-cognito-identity-js
//! issue 683 quotes the message).

use crate::error::CognitoError;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn malformed() -> CognitoError {
    CognitoError::invalid_parameter(
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
    )
}

/// A parsed timestamp: the instant (Unix seconds) and Cognito's rendering of it.
#[derive(Debug, PartialEq)]
pub struct ClaimTime {
    pub unix_seconds: i64,
    pub canonical: String,
}

fn number<T: std::str::FromStr>(text: &str, digits: std::ops::RangeInclusive<usize>) -> Option<T> {
    (digits.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Reads a claim's timestamp; `InvalidParameterException` when it is not in the pattern.
pub fn parse(text: &str) -> Result<ClaimTime, CognitoError> {
    let parts: Vec<&str> = text.split(' ').collect();
    let [weekday, month, day, clock, zone, year] = parts[..] else {
        return Err(malformed());
    };
    if !WEEKDAYS.contains(&weekday) || !matches!(zone, "UTC" | "GMT") {
        return Err(malformed());
    }
    let month = MONTHS
        .iter()
        .position(|m| *m == month)
        .and_then(|i| Month::try_from(i as u8 + 1).ok())
        .ok_or_else(malformed)?;
    let hms: Vec<&str> = clock.split(':').collect();
    let [h, m, s] = hms[..] else {
        return Err(malformed());
    };
    let date = Date::from_calendar_date(
        number(year, 4..=4).ok_or_else(malformed)?,
        month,
        number(day, 1..=2).ok_or_else(malformed)?,
    )
    .map_err(|_| malformed())?;
    let time = Time::from_hms(
        number(h, 2..=2).ok_or_else(malformed)?,
        number(m, 2..=2).ok_or_else(malformed)?,
        number(s, 2..=2).ok_or_else(malformed)?,
    )
    .map_err(|_| malformed())?;
    let instant = PrimitiveDateTime::new(date, time).assume_utc();
    Ok(ClaimTime {
        unix_seconds: instant.unix_timestamp(),
        canonical: render(instant),
    })
}

/// Cognito's rendering of an instant.
pub fn render(instant: OffsetDateTime) -> String {
    let pattern = format_description!(
        "[weekday repr:short] [month repr:short] [day padding:none] [hour]:[minute]:[second] UTC [year]"
    );
    instant.format(pattern).expect("a valid format")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cognitos_form_reads_and_renders_back() {
        let t = parse("Tue Jan 2 03:04:05 UTC 2024").unwrap();
        assert_eq!(t.canonical, "Tue Jan 2 03:04:05 UTC 2024");
        assert_eq!(t.unix_seconds, 1_704_164_645);
    }

    #[test]
    fn a_padded_day_or_wrong_weekday_reads_but_renders_otherwise() {
        assert_eq!(
            parse("Tue Jan 02 03:04:05 UTC 2024").unwrap().canonical,
            "Tue Jan 2 03:04:05 UTC 2024"
        );
        assert_eq!(
            parse("Mon Jan 2 03:04:05 UTC 2024").unwrap().canonical,
            "Tue Jan 2 03:04:05 UTC 2024"
        );
    }

    #[test]
    fn other_text_is_refused() {
        for bad in [
            "",
            "2024-01-02T03:04:05Z",
            "Tue Jan 2 03:04:05 IST 2024",
            "Tue Jan 32 03:04:05 UTC 2024",
            "Tue Jan 2 3:04:05 UTC 2024",
            "Tue  Jan 2 03:04:05 UTC 2024",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().message,
                "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
                "{bad:?}"
            );
        }
    }
}
