//! A SAML identity provider's `Response` (SAML 2.0 Core §3.3.3, Profiles §4.1.4.2–4.1.4.3),
//! checked before anything in it is used: the XML signatures by bergshamra against the
//! provider's metadata certificates only (no key the message carries is trusted), with its
//! reference-position checks against signature wrapping; the one assertion read only from
//! the node a valid signature covers (the `Response` root or that `Assertion`); an
//! `EncryptedAssertion` decrypted with the pool's key for the provider, and the assertion
//! inside still signed or inside a signed response; then status, issuer, destination,
//! recipient, audience, `InResponseTo` and the time conditions. Errors are the reason
//! Cognito puts after "Invalid SAML response received: ".

use super::encrypted;
use super::request::{ASSERTION, PROTOCOL};
use bergshamra::keys::loader;
use bergshamra::{DsigContext, KeysManager, VerifyResult};
use std::collections::BTreeMap;
use uppsala::{Document, NodeId};

const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// How far apart the provider's clock and ours may be.
pub const CLOCK_SKEW_MS: i64 = 60_000;
/// An IdP-initiated response must have been issued within the last six minutes (AWS
/// developer guide "Implementing IdP-initiated SAML sign-in").
pub const UNSOLICITED_WINDOW_MS: i64 = 6 * 60 * 1000;

/// What the response must be to be accepted.
pub struct Expected<'a> {
    /// The provider's entity ID, from its metadata.
    pub issuer: &'a str,
    /// `urn:amazon:cognito:sp:<poolId>`.
    pub audience: &'a str,
    /// The assertion consumer service URL (`…/saml2/idpresponse`).
    pub acs: &'a str,
    /// The `AuthnRequest` ID of an SP-initiated sign-in; `None` for an IdP-initiated one,
    /// whose response must not name any.
    pub in_response_to: Option<&'a str>,
    pub now_ms: i64,
    /// The provider's signing certificates, DER.
    pub certificates: &'a [Vec<u8>],
    /// The pool's PKCS#8 RSA key for this provider, to decrypt assertions.
    pub decryption_key: Option<&'a [u8]>,
    /// `EncryptedResponses`: a plain assertion is refused.
    pub require_encryption: bool,
}

/// What a verified assertion says.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    pub id: String,
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    /// Attribute name → its values, in order.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Until when the assertion may be used (ms): the earliest `NotOnOrAfter` it gives.
    pub not_on_or_after_ms: i64,
}

type Checked<T> = std::result::Result<T, String>;

fn invalid_signature() -> String {
    "SAML Assertion signature is invalid.".into()
}

/// An `xs:dateTime` as ms since the epoch.
fn millis(text: &str) -> Checked<i64> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| format!("Invalid time {text}."))
}

pub(super) fn parse(xml: &str) -> Checked<Document<'_>> {
    uppsala::Parser::new()
        .with_forbid_dtd(true)
        .parse(xml)
        .map_err(|_| "The response is not well-formed XML.".to_string())
}

/// The nodes that valid signatures cover, or the reason one is not valid.
fn signed_nodes(
    doc: &Document<'_>,
    xml: &str,
    certificates: &[Vec<u8>],
    ignore_invalid: bool,
) -> Checked<Vec<NodeId>> {
    let mut keys = KeysManager::new();
    for der in certificates {
        keys.add_key(loader::load_x509_cert_der(der).map_err(|_| invalid_signature())?);
    }
    // Nothing a signature says is followed unless it is what IdPs send.
    if !encrypted::signatures_well_formed(doc) {
        return Err(invalid_signature());
    }
    // Keys from the metadata only, reference positions checked (signature wrapping).
    let ctx = DsigContext::new(keys);
    let results =
        match bergshamra::dsig::verify::verify_all_document_with_source(&ctx, doc, Some(xml)) {
            Ok(results) => results,
            Err(bergshamra::Error::MissingElement(_)) => return Ok(Vec::new()),
            Err(e) => {
                tracing::info!(error = %e, "SAML signature not verified");
                return Err(invalid_signature());
            }
        };
    let mut nodes = Vec::new();
    for result in results {
        match result {
            VerifyResult::Valid { references, .. } if result_complete(&references) => {
                nodes.extend(references.iter().filter_map(|r| r.resolved_node))
            }
            VerifyResult::Invalid { reason } if !ignore_invalid => {
                tracing::info!(%reason, "SAML signature refused");
                return Err(invalid_signature());
            }
            _ if !ignore_invalid => return Err(invalid_signature()),
            _ => {}
        }
    }
    Ok(nodes)
}

fn result_complete(references: &[bergshamra::VerifiedReference]) -> bool {
    !references.is_empty() && references.iter().all(|r| r.digest_verified)
}

fn child(doc: &Document<'_>, parent: NodeId, ns: &str, name: &str) -> Option<NodeId> {
    doc.first_child_element_by_name_ns(parent, ns, name)
}

fn text(doc: &Document<'_>, node: Option<NodeId>) -> Option<String> {
    node.map(|n| doc.text_content_deep(n).trim().to_owned())
}

/// Verifies a decoded `SAMLResponse` and reads its assertion.
pub fn verify(xml: &str, e: &Expected<'_>) -> Checked<Assertion> {
    let doc = parse(xml)?;
    let root = doc.document_element().ok_or("The response is empty.")?;
    let is_response = doc
        .element(root)
        .is_some_and(|r| r.matches_name_ns(PROTOCOL, "Response"));
    if !is_response {
        return Err("The message is not a SAML Response.".into());
    }
    let signed = signed_nodes(&doc, xml, e.certificates, false)?;
    let response_signed = signed.contains(&root);
    let plain = doc.child_elements_by_name_ns(root, ASSERTION, "Assertion");
    let encrypted = doc.child_elements_by_name_ns(root, ASSERTION, "EncryptedAssertion");
    if plain.len() + encrypted.len() != 1 {
        return Err("The response must hold exactly one assertion.".into());
    }
    check_response(&doc, root, e)?;
    if encrypted.is_empty() {
        if e.require_encryption {
            return Err("The assertion is not encrypted.".into());
        }
        let assertion = plain[0];
        if !response_signed && !signed.contains(&assertion) {
            return Err(invalid_signature());
        }
        return read_assertion(&doc, assertion, e);
    }
    // A signed response covers the ciphertext: only its IdP can have made it. Otherwise
    // anyone can encrypt to the pool's public certificate, so until a signature is found on
    // the decrypted assertion every failure reads the same (no oracle on the ciphertext).
    let opaque = || match response_signed {
        true => "The assertion cannot be decrypted.".to_string(),
        false => invalid_signature(),
    };
    let holder = encrypted[0];
    let key = e.decryption_key.ok_or_else(opaque)?;
    if !encrypted::encryption_well_formed(&doc, holder) {
        return Err(opaque());
    }
    let decrypted = encrypted::decrypt_assertion(&doc, holder, key).ok_or_else(opaque)?;
    let inner = parse(&decrypted).map_err(|_| opaque())?;
    let assertion = inner
        .document_element()
        .and_then(|w| child(&inner, w, ASSERTION, "EncryptedAssertion"))
        .and_then(|h| child(&inner, h, ASSERTION, "Assertion"))
        .ok_or_else(opaque)?;
    if !response_signed
        && !signed_nodes(&inner, &decrypted, e.certificates, false)
            .map_err(|_| opaque())?
            .contains(&assertion)
    {
        return Err(invalid_signature());
    }
    read_assertion(&inner, assertion, e)
}

/// A `LogoutResponse` (Core §3.7.2) to the request `request_id`: a success, and signed by
/// the provider when signed at all. (Unsigned ones are taken: all they do is send the browser
/// on to the sign-out URL the sealed `RelayState` holds.)
pub fn verify_logout_response(
    xml: &str,
    certificates: &[Vec<u8>],
    request_id: &str,
) -> Checked<()> {
    let doc = parse(xml)?;
    let root = doc.document_element().ok_or("The response is empty.")?;
    if !doc
        .element(root)
        .is_some_and(|r| r.matches_name_ns(PROTOCOL, "LogoutResponse"))
    {
        return Err("The message is not a SAML LogoutResponse.".into());
    }
    let signed = signed_nodes(&doc, xml, certificates, false)?;
    if !signed.is_empty() && !signed.contains(&root) {
        return Err("The LogoutResponse signature is invalid.".into());
    }
    if doc.get_attribute(root, "InResponseTo") != Some(request_id) {
        return Err("The LogoutResponse answers another request.".into());
    }
    let status = child(&doc, root, PROTOCOL, "Status")
        .and_then(|s| child(&doc, s, PROTOCOL, "StatusCode"))
        .and_then(|c| doc.get_attribute(c, "Value"));
    match status == Some(SUCCESS) {
        true => Ok(()),
        false => Err("The identity provider did not sign the user out.".into()),
    }
}

/// The response's own status, destination and `InResponseTo`.
fn check_response(doc: &Document<'_>, root: NodeId, e: &Expected<'_>) -> Checked<()> {
    let status = child(doc, root, PROTOCOL, "Status")
        .and_then(|s| child(doc, s, PROTOCOL, "StatusCode"))
        .and_then(|c| doc.get_attribute(c, "Value"));
    if status != Some(SUCCESS) {
        return Err(format!(
            "The identity provider answered {}.",
            status.unwrap_or("no status")
        ));
    }
    if let Some(destination) = doc.get_attribute(root, "Destination")
        && destination != e.acs
    {
        return Err(format!("Invalid destination {destination}."));
    }
    check_in_response_to(doc.get_attribute(root, "InResponseTo"), e, false)
}

/// `InResponseTo` against the request sent: the bearer confirmation of an answer to a request
/// must name it (Profiles §4.1.4.2), an unsolicited one must not.
fn check_in_response_to(found: Option<&str>, e: &Expected<'_>, required: bool) -> Checked<()> {
    match (found, e.in_response_to) {
        (None, Some(_)) if required => Err("InResponseTo does not match the request.".into()),
        (None, _) => Ok(()),
        (Some(found), Some(sent)) if found == sent => Ok(()),
        (Some(_), None) => Err("An IdP-initiated response must not contain InResponseTo.".into()),
        (Some(_), Some(_)) => Err("InResponseTo does not match the request.".into()),
    }
}

fn read_assertion(doc: &Document<'_>, assertion: NodeId, e: &Expected<'_>) -> Checked<Assertion> {
    let now = e.now_ms;
    let issuer = text(doc, child(doc, assertion, ASSERTION, "Issuer")).unwrap_or_default();
    if issuer != e.issuer {
        return Err(format!("Invalid issuer {issuer}."));
    }
    let issued = doc
        .get_attribute(assertion, "IssueInstant")
        .ok_or("The assertion has no IssueInstant.")
        .map_err(str::to_owned)
        .and_then(millis)?;
    if e.in_response_to.is_none()
        && (now - issued > UNSOLICITED_WINDOW_MS || issued - now > CLOCK_SKEW_MS)
    {
        return Err("An IdP-initiated response must be issued within the last 6 minutes.".into());
    }
    let subject =
        child(doc, assertion, ASSERTION, "Subject").ok_or("The assertion has no subject.")?;
    let name_id_node = child(doc, subject, ASSERTION, "NameID");
    let name_id = text(doc, name_id_node)
        .filter(|n| !n.is_empty())
        .ok_or("The assertion has no NameID.")?;
    let name_id_format = name_id_node
        .and_then(|n| doc.get_attribute(n, "Format"))
        .map(str::to_owned);
    let mut until = i64::MAX;
    // Profiles §4.1.4.2: a bearer confirmation for this ACS, still valid.
    let confirmed = doc
        .child_elements_by_name_ns(subject, ASSERTION, "SubjectConfirmation")
        .into_iter()
        .filter(|c| doc.get_attribute(*c, "Method") == Some(BEARER))
        .filter_map(|c| child(doc, c, ASSERTION, "SubjectConfirmationData"))
        .find_map(|data| {
            let recipient = doc.get_attribute(data, "Recipient");
            let expires = doc.get_attribute(data, "NotOnOrAfter").map(millis)?.ok()?;
            let answers = check_in_response_to(doc.get_attribute(data, "InResponseTo"), e, true);
            (recipient == Some(e.acs) && answers.is_ok() && now < expires + CLOCK_SKEW_MS)
                .then_some(expires)
        });
    match confirmed {
        Some(expires) => until = until.min(expires),
        None => {
            return Err(
                "The assertion has no valid bearer subject confirmation for this recipient, or it has expired."
                    .into(),
            );
        }
    }
    let conditions =
        child(doc, assertion, ASSERTION, "Conditions").ok_or("The assertion has no conditions.")?;
    if let Some(start) = doc.get_attribute(conditions, "NotBefore")
        && millis(start)? > now + CLOCK_SKEW_MS
    {
        return Err("The assertion is not yet valid.".into());
    }
    if let Some(end) = doc.get_attribute(conditions, "NotOnOrAfter") {
        let end = millis(end)?;
        if now >= end + CLOCK_SKEW_MS {
            return Err("The assertion has expired.".into());
        }
        until = until.min(end);
    }
    // Core §2.5.1.4: every AudienceRestriction must name us.
    let restrictions = doc.child_elements_by_name_ns(conditions, ASSERTION, "AudienceRestriction");
    let ours = |r: &NodeId| {
        doc.child_elements_by_name_ns(*r, ASSERTION, "Audience")
            .into_iter()
            .any(|a| text(doc, Some(a)).as_deref() == Some(e.audience))
    };
    if restrictions.is_empty() || !restrictions.iter().all(ours) {
        return Err(format!(
            "Invalid audience: the assertion is not for {}.",
            e.audience
        ));
    }
    let session_index = child(doc, assertion, ASSERTION, "AuthnStatement")
        .and_then(|s| doc.get_attribute(s, "SessionIndex"))
        .map(str::to_owned);
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in doc.child_elements_by_name_ns(assertion, ASSERTION, "AttributeStatement") {
        for attribute in doc.child_elements_by_name_ns(statement, ASSERTION, "Attribute") {
            let Some(name) = doc.get_attribute(attribute, "Name") else {
                continue;
            };
            let values = doc
                .child_elements_by_name_ns(attribute, ASSERTION, "AttributeValue")
                .into_iter()
                .filter_map(|v| text(doc, Some(v)));
            attributes
                .entry(name.to_owned())
                .or_default()
                .extend(values);
        }
    }
    let id = doc
        .get_attribute(assertion, "ID")
        .filter(|id| !id.is_empty())
        .ok_or("The assertion has no ID.")?
        .to_owned();
    Ok(Assertion {
        id,
        issuer,
        name_id,
        name_id_format,
        session_index,
        attributes,
        not_on_or_after_ms: until,
    })
}
