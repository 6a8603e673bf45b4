//! Pagination: opaque tokens that carry the key of the last item of the previous page.

use crate::error::{CognitoError, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

pub struct PageToken;

impl PageToken {
    const PREFIX: &'static str = "cg1.";

    pub fn encode(key: &str) -> String {
        format!("{}{}", Self::PREFIX, B64.encode(key.as_bytes()))
    }

    /// The key a token stands for; a token we did not make is an InvalidParameterException.
    pub fn decode_opt(token: Option<&str>) -> Result<Option<String>> {
        let Some(token) = token else { return Ok(None) };
        let invalid = || CognitoError::invalid_parameter("Invalid pagination token.");
        let raw = token.strip_prefix(Self::PREFIX).ok_or_else(invalid)?;
        let bytes = B64.decode(raw).map_err(|_| invalid())?;
        String::from_utf8(bytes).map(Some).map_err(|_| invalid())
    }
}

/// One page of results and the token for the next one (absent on the last page).
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from a query that asked for `limit + 1` rows: the extra row only tells
    /// that another page exists.
    pub fn from_overfetch(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Self {
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| PageToken::encode(&key(last)))
        } else {
            None
        };
        Page { items, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// `Limit` members: 0 or absent means "the maximum" (60).
pub fn limit_or_max(limit: Option<i64>, max: usize) -> usize {
    match limit {
        None | Some(0) => max,
        Some(n) => (n as usize).min(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let t = PageToken::encode("alice");
        assert_eq!(
            PageToken::decode_opt(Some(&t)).unwrap().as_deref(),
            Some("alice")
        );
        assert!(PageToken::decode_opt(Some("garbage")).is_err());
        let p = Page::from_overfetch(vec![1, 2, 3], 2, |i| i.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(
            PageToken::decode_opt(p.next.as_deref()).unwrap().as_deref(),
            Some("2")
        );
    }
}
