//! Hosted UI (classic) branding: a CSS file limited to Cognito's customizable classes and a
//! logo image, for the whole pool (`ALL`) or for one app client, which then overrides the
//! pool's.

use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use crate::time::Timestamp;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// The client ID under which the pool-wide customization is kept.
pub const ALL_CLIENTS: &str = "ALL";

/// The largest logo Cognito accepts: 100 KB.
pub const MAX_IMAGE_BYTES: usize = 100 * 1024;

/// The classes (and the two states) Cognito lets hosted-UI CSS style (AWS Cognito developer
/// guide, "Customizing hosted UI (classic) branding").
pub const CSS_SELECTORS: &[&str] = &[
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-valid-customizable",
    ".passwordCheck-notValid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// A customization as stored, one per (pool, client ID or `ALL`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredUiCustomization {
    pub pool_id: String,
    /// An app client ID, or [`ALL_CLIENTS`].
    pub client_id: String,
    pub css: Option<String>,
    pub css_version: String,
    /// The logo, base64.
    pub image: Option<String>,
    pub image_content_type: Option<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
}

/// `UICustomizationType`.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UiCustomizationView {
    pub user_pool_id: String,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(rename = "CSS", skip_serializing_if = "Option::is_none")]
    pub css: Option<String>,
    #[serde(rename = "CSSVersion", skip_serializing_if = "Option::is_none")]
    pub css_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<Timestamp>,
}

/// What the hosted pages apply for a client: its own customization, else the pool's.
#[derive(Debug, Clone, PartialEq)]
pub struct UiCustomization {
    /// Where it comes from: the client ID, or [`ALL_CLIENTS`].
    pub client_id: String,
    pub css: Option<String>,
    pub css_version: String,
    pub image: Option<UiImage>,
}

/// A logo and its media type (`image/png`, `image/jpeg` or `image/svg+xml`).
#[derive(Debug, Clone, PartialEq)]
pub struct UiImage {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUiCustomizationRequest {
    pub user_pool_id: String,
    pub client_id: Option<String>,
    #[serde(rename = "CSS")]
    pub css: Option<String>,
    /// Base64, as the JSON protocol carries blobs.
    pub image_file: Option<String>,
}

impl StoredUiCustomization {
    fn image(&self) -> Option<UiImage> {
        let bytes = B64.decode(self.image.as_deref()?).ok()?;
        Some(UiImage {
            content_type: self.image_content_type.clone()?,
            bytes,
        })
    }
}

/// Checks hosted-UI CSS: rules whose selectors are all in [`CSS_SELECTORS`], no at-rules
/// (`@import`, `@media`, `@supports`, `@page`, ...), no nesting, no HTML and no script.
/// The error is the message for the caller.
pub fn check_css(css: &str) -> std::result::Result<(), String> {
    // Checked before comments go: the hosted pages embed the CSS as it was given.
    if css.contains('<') {
        return Err("The CSS must not contain HTML.".into());
    }
    // Escapes could spell the words below past the check; the customizable properties never
    // need them.
    if css.contains('\\') {
        return Err("The CSS must not contain escapes (\\).".into());
    }
    let normalized: String = css
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    for banned in [
        "javascript:",
        "vbscript:",
        "expression(",
        "-moz-binding",
        "behavior:",
    ] {
        if normalized.contains(banned) {
            return Err(format!("The CSS must not contain script ({banned})."));
        }
    }
    let css = strip_comments(css)?;
    let mut rest = css.as_str();
    loop {
        let Some(open) = rest.find(['{', '}', ';']) else {
            if rest.trim().is_empty() {
                return Ok(());
            }
            if rest.trim_start().starts_with('@') {
                return Err(at_rule_error());
            }
            return Err(format!(
                "The CSS rule \"{}\" has no declaration block.",
                rest.trim()
            ));
        };
        let selectors = rest[..open].trim();
        if selectors.starts_with('@') {
            return Err(at_rule_error());
        }
        if !rest[open..].starts_with('{') {
            return Err(
                "The CSS is malformed: unbalanced braces or a statement outside a rule.".into(),
            );
        }
        for selector in selectors.split(',').map(str::trim) {
            if selector.is_empty() {
                return Err("The CSS has a rule with an empty selector.".into());
            }
            if !CSS_SELECTORS.contains(&selector) {
                return Err(format!(
                    "The CSS selector {selector} is not allowed. Use only these classes: {}.",
                    CSS_SELECTORS.join(", ")
                ));
            }
        }
        let body = &rest[open + 1..];
        let close = declaration_block_end(body)?;
        if body[..close].contains('@') {
            return Err(at_rule_error());
        }
        rest = &body[close + 1..];
    }
}

fn at_rule_error() -> String {
    "The CSS must not contain at-rules such as @import, @media, @supports or @page.".into()
}

fn strip_comments(css: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start + 2..].find("*/") else {
            return Err("The CSS has an unterminated comment.".into());
        };
        out.push(' ');
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` closing a declaration block, skipping quoted strings; a nested `{`
/// is an error.
fn declaration_block_end(body: &str) -> std::result::Result<usize, String> {
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => return Err("The CSS must not nest rules.".into()),
            (None, '}') => return Ok(i),
            (None, _) => {}
        }
    }
    Err("The CSS is malformed: a declaration block is not closed.".into())
}

/// The media type of a logo: PNG, JPEG or SVG (without scripts), judged by content.
pub fn image_content_type(bytes: &[u8]) -> std::result::Result<&'static str, String> {
    const NOT_AN_IMAGE: &str = "The image file must be a PNG, JPEG or SVG image.";
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    let text = std::str::from_utf8(bytes).map_err(|_| NOT_AN_IMAGE.to_owned())?;
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    let svg_start = ["<?xml", "<svg", "<!--", "<!doctype svg"]
        .iter()
        .any(|p| lower.starts_with(p));
    if !svg_start || !lower.contains("<svg") {
        return Err(NOT_AN_IMAGE.into());
    }
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let active = [
        "<script",
        "javascript:",
        "<foreignobject",
        "<!entity",
        // Character references could spell `javascript:` past the checks above.
        "&#",
        "<iframe",
        "<embed",
        "<object",
    ]
    .iter()
    .any(|p| compact.contains(p))
        || has_event_handler(&lower);
    if active {
        return Err(
            "The SVG image must not contain scripts, event handlers, entities or embedded documents."
                .into(),
        );
    }
    Ok("image/svg+xml")
}

/// Whether an SVG carries an `on...=` attribute (onload, onclick, ...).
fn has_event_handler(lower: &str) -> bool {
    let b = lower.as_bytes();
    let mut i = 0;
    while let Some(pos) = lower[i..].find("on") {
        let at = i + pos;
        let boundary = at > 0 && (b[at - 1].is_ascii_whitespace() || b[at - 1] == b'/');
        let mut j = at + 2;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if boundary && j > at + 2 && j < b.len() && b[j] == b'=' {
            return true;
        }
        i = at + 2;
    }
    false
}

/// `CSSVersion`: the UTC time of the change as `yyyyMMddHHmmss`, as Cognito shows it.
fn css_version(t: Timestamp) -> String {
    let secs = t.seconds();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Cognito {
    /// The URL the hosted pages load a customization's logo from.
    pub fn ui_image_url(&self, pool_id: &str, client_id: &str) -> String {
        format!(
            "{}/ui-images/{pool_id}/{client_id}",
            self.issuer_base.trim_end_matches('/')
        )
    }

    fn ui_view(&self, c: StoredUiCustomization) -> UiCustomizationView {
        UiCustomizationView {
            image_url: c
                .image
                .is_some()
                .then(|| self.ui_image_url(&c.pool_id, &c.client_id)),
            user_pool_id: c.pool_id,
            client_id: c.client_id,
            css: c.css,
            css_version: Some(c.css_version),
            last_modified_date: Some(c.modified),
            creation_date: Some(c.created),
        }
    }

    /// The client a request names (`ALL` or absent: the pool), checked to be in the pool.
    async fn ui_client_key(
        &self,
        region: &str,
        pool_id: &str,
        client_id: Option<&str>,
    ) -> Result<String> {
        match client_id {
            None | Some(ALL_CLIENTS) => {
                self.pool(region, pool_id).await?;
                Ok(ALL_CLIENTS.to_owned())
            }
            Some(id) => Ok(self
                .client(region, pool_id, id)
                .await?
                .client_id()
                .to_owned()),
        }
    }

    /// Replaces the CSS and the logo together (an omitted one is removed), as Cognito does.
    pub async fn set_ui_customization(
        &self,
        region: &str,
        req: SetUiCustomizationRequest,
    ) -> Result<UiCustomizationView> {
        let pool_id = req.user_pool_id;
        let client_id = self
            .ui_client_key(region, &pool_id, req.client_id.as_deref())
            .await?;
        if self.store.list_domains_of_pool(&pool_id).await?.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "A domain must be associated with this user pool.",
            ));
        }
        if let Some(css) = &req.css {
            check_css(css).map_err(CognitoError::invalid_parameter)?;
        }
        let image = match req.image_file.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(b64) => {
                let bytes = B64.decode(b64).map_err(|_| {
                    CognitoError::invalid_parameter("The image file must be base64-encoded.")
                })?;
                if bytes.len() > MAX_IMAGE_BYTES {
                    return Err(CognitoError::invalid_parameter(format!(
                        "The image file is {} bytes; it must be no larger than 100 KB ({MAX_IMAGE_BYTES} bytes).",
                        bytes.len()
                    )));
                }
                let content_type =
                    image_content_type(&bytes).map_err(CognitoError::invalid_parameter)?;
                Some((B64.encode(&bytes), content_type.to_owned()))
            }
        };
        let now = self.clock.now();
        let created = self
            .store
            .get_ui_customization(&pool_id, &client_id)
            .await?
            .map_or(now, |old| old.created);
        let (image, image_content_type) = image.unzip();
        let stored = StoredUiCustomization {
            pool_id,
            client_id,
            css: req.css,
            css_version: css_version(now),
            image,
            image_content_type,
            created,
            modified: now,
        };
        self.store.put_ui_customization(&stored).await?;
        Ok(self.ui_view(stored))
    }

    /// The client's own customization, else the pool's; without either only the pool and
    /// client IDs.
    pub async fn get_ui_customization(
        &self,
        region: &str,
        pool_id: &str,
        client_id: Option<&str>,
    ) -> Result<UiCustomizationView> {
        let key = self.ui_client_key(region, pool_id, client_id).await?;
        Ok(match self.find_ui_customization(pool_id, &key).await? {
            Some(c) => self.ui_view(c),
            None => UiCustomizationView {
                user_pool_id: pool_id.to_owned(),
                client_id: key,
                ..Default::default()
            },
        })
    }

    async fn find_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<StoredUiCustomization>> {
        if let Some(own) = self.store.get_ui_customization(pool_id, client_id).await? {
            return Ok(Some(own));
        }
        if client_id == ALL_CLIENTS {
            return Ok(None);
        }
        Ok(self
            .store
            .get_ui_customization(pool_id, ALL_CLIENTS)
            .await?)
    }

    /// What the hosted pages of `client_id` apply: its own customization, else the pool's.
    pub async fn effective_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UiCustomization>> {
        Ok(self
            .find_ui_customization(pool_id, client_id)
            .await?
            .map(|c| UiCustomization {
                image: c.image(),
                client_id: c.client_id,
                css: c.css,
                css_version: c.css_version,
            }))
    }

    /// The logo stored under exactly (pool, client ID or `ALL`), for `/ui-images/...`.
    pub async fn ui_customization_image(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UiImage>> {
        Ok(self
            .store
            .get_ui_customization(pool_id, client_id)
            .await?
            .and_then(|c| c.image()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_allow_list() {
        assert!(check_css("").is_ok());
        assert!(
            check_css(
                "/* brand */\n.logo-customizable { max-width: 60%; }\n\
                 .submitButton-customizable:hover, .idpButton-customizable:hover { color: #fff; }\n\
                 .banner-customizable { background-color: \"}\"; }"
            )
            .is_ok()
        );
        let e = check_css(".logo-customizable{} .evil { color: red }").unwrap_err();
        assert!(
            e.starts_with("The CSS selector .evil is not allowed."),
            "{e}"
        );
        assert!(check_css("body { color: red }").is_err());
        assert!(check_css(".logo-customizable div { color: red }").is_err());
        assert!(
            check_css("@import url(x.css);")
                .unwrap_err()
                .contains("at-rules")
        );
        assert!(
            check_css("@media screen { .logo-customizable { color: red } }")
                .unwrap_err()
                .contains("at-rules")
        );
        assert!(check_css(".logo-customizable { color: red }}").is_err());
        assert!(check_css(".logo-customizable { color: red ").is_err());
        assert!(check_css(".logo-customizable").is_err());
        assert!(check_css(".logo-customizable { background: url(java\\script:x) }").is_err());
        assert!(check_css(".logo-customizable { background: url(javascript:x) }").is_err());
        assert!(check_css(".logo-customizable { width: expression(1) }").is_err());
        assert!(check_css(".logo-customizable { color: red } </style><script>").is_err());
        assert!(check_css("/* open").is_err());
    }

    #[test]
    fn image_types() {
        assert_eq!(
            image_content_type(b"\x89PNG\r\n\x1a\n....").unwrap(),
            "image/png"
        );
        assert_eq!(
            image_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
            "image/jpeg"
        );
        assert_eq!(
            image_content_type(br#"<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>"#)
                .unwrap(),
            "image/svg+xml"
        );
        assert_eq!(
            image_content_type(b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<svg><g/></svg>").unwrap(),
            "image/svg+xml"
        );
        assert!(image_content_type(b"GIF89a....").is_err());
        assert!(image_content_type(b"hello").is_err());
        assert!(image_content_type(b"<svg><script>alert(1)</script></svg>").is_err());
        assert!(image_content_type(b"<svg onload=\"alert(1)\"></svg>").is_err());
        assert!(image_content_type(b"<svg><a xlink:href=\"javascript:x\"/></svg>").is_err());
        assert!(image_content_type(b"<svg><a href=\"&#106;avascript:x\"/></svg>").is_err());
        assert!(image_content_type(b"<svg><text>only words</text><g font=\"x\"/></svg>").is_ok());
    }

    #[test]
    fn css_versions_are_utc_timestamps() {
        assert_eq!(css_version(Timestamp(0)), "19700101000000");
        assert_eq!(css_version(Timestamp(1_736_968_768_000)), "20250115191928");
        assert_eq!(css_version(Timestamp(951_782_400_000)), "20000229000000");
    }
}
