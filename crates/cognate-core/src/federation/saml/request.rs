//! What the pool sends to a SAML identity provider: an `AuthnRequest` (SAML 2.0 Core §3.4)
//! or a `LogoutRequest` (§3.7), over the HTTP-Redirect binding (SAML 2.0 Bindings §3.4): the
//! message deflated, base64-encoded and put in the query, signed when the provider asks for
//! it (`RequestSigningAlgorithm: rsa-sha256`) with the pool's signing key — the signature is
//! over `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as sent (§3.4.4.1).

use crate::oauth::form_encode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::io::Write;

pub const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// `SigAlg` of RSA-SHA256 (RFC 6931 §2.3.2).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

/// Text made safe for an XML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A message ID (`xs:ID`: it must not start with a digit), 160 random bits.
pub fn message_id() -> String {
    let mut bytes = [0u8; 20];
    aws_lc_rs::rand::fill(&mut bytes).expect("system randomness");
    format!("_{}", hex::encode(bytes))
}

/// An `xs:dateTime` in UTC, to the second, as SAML writes instants (Core §1.3.3).
pub fn instant(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f).unwrap_or_default()
}

/// The pool's request to sign a user in, answered by a POST to `acs`.
pub fn authn_request(id: &str, now_ms: i64, destination: &str, acs: &str, sp: &str) -> String {
    format!(
        r#"<saml2p:AuthnRequest xmlns:saml2p="{PROTOCOL}" AssertionConsumerServiceURL="{acs}" Destination="{destination}" ForceAuthn="false" ID="{id}" IsPassive="false" IssueInstant="{at}" ProtocolBinding="{POST_BINDING}" Version="2.0"><saml2:Issuer xmlns:saml2="{ASSERTION}">{sp}</saml2:Issuer><saml2p:NameIDPolicy AllowCreate="true" Format="{UNSPECIFIED}"/></saml2p:AuthnRequest>"#,
        acs = escape(acs),
        destination = escape(destination),
        at = instant(now_ms),
        sp = escape(sp),
    )
}

/// The pool's request to end the user's session at the provider.
pub fn logout_request(
    id: &str,
    now_ms: i64,
    destination: &str,
    sp: &str,
    name_id: &str,
    name_id_format: Option<&str>,
    session_index: Option<&str>,
) -> String {
    let format = name_id_format
        .map(|f| format!(r#" Format="{}""#, escape(f)))
        .unwrap_or_default();
    let session = session_index
        .map(|s| format!("<saml2p:SessionIndex>{}</saml2p:SessionIndex>", escape(s)))
        .unwrap_or_default();
    format!(
        r#"<saml2p:LogoutRequest xmlns:saml2p="{PROTOCOL}" xmlns:saml2="{ASSERTION}" Destination="{destination}" ID="{id}" IssueInstant="{at}" Version="2.0"><saml2:Issuer>{sp}</saml2:Issuer><saml2:NameID{format}>{name_id}</saml2:NameID>{session}</saml2p:LogoutRequest>"#,
        destination = escape(destination),
        at = instant(now_ms),
        sp = escape(sp),
        name_id = escape(name_id),
    )
}

/// The URL that carries `xml` to `location` over the HTTP-Redirect binding, signed with the
/// PKCS#8 RSA key `signing_key` when one is given.
pub fn redirect_url(
    location: &str,
    xml: &str,
    relay_state: &str,
    signing_key: Option<&[u8]>,
) -> Result<String, String> {
    let mut deflater =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater
        .write_all(xml.as_bytes())
        .map_err(|e| e.to_string())?;
    let deflated = deflater.finish().map_err(|e| e.to_string())?;
    let mut query = format!(
        "SAMLRequest={}&RelayState={}",
        form_encode(&B64.encode(deflated)),
        form_encode(relay_state)
    );
    if let Some(key) = signing_key {
        query.push_str("&SigAlg=");
        query.push_str(&form_encode(RSA_SHA256));
        let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(key)
            .map_err(|e| format!("the signing key cannot be read: {e}"))?;
        let mut signature = vec![0u8; pair.public_modulus_len()];
        pair.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            query.as_bytes(),
            &mut signature,
        )
        .map_err(|e| format!("cannot sign: {e}"))?;
        query.push_str("&Signature=");
        query.push_str(&form_encode(&B64.encode(signature)));
    }
    let sep = if location.contains('?') { '&' } else { '?' };
    Ok(format!("{location}{sep}{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_redirect_carries_the_deflated_request_and_its_relay_state() {
        let xml = authn_request(
            "_abc",
            0,
            "https://idp/sso?a=1",
            "https://sp/saml2/idpresponse",
            "urn:amazon:cognito:sp:p",
        );
        assert!(xml.contains(r#"Destination="https://idp/sso?a=1""#));
        let url = redirect_url("https://idp/sso?a=1", &xml, "rs", None).unwrap();
        assert!(url.starts_with("https://idp/sso?a=1&SAMLRequest="));
        assert!(url.ends_with("&RelayState=rs"));
        let encoded = url.split("SAMLRequest=").nth(1).unwrap();
        let encoded = encoded.split('&').next().unwrap();
        let encoded = encoded
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=");
        let mut inflated = String::new();
        flate2::read::DeflateDecoder::new(&B64.decode(encoded).unwrap()[..])
            .read_to_string(&mut inflated)
            .unwrap();
        assert_eq!(inflated, xml);
        assert_eq!(instant(1_700_000_000_999), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape(r#"a&b<"c'>"#), "a&amp;b&lt;&quot;c&apos;&gt;");
    }
}
