//! The shapes of XML security a SAML response may take before any cryptography runs on it,
//! and the decryption of its one `EncryptedAssertion` (XML Encryption 1.1 §4.2; SAML 2.0
//! Core §2.3.4).
//!
//! bergshamra processes what a message says: it follows any `Reference` URI, runs any
//! transform and decrypts the first `EncryptedData` it finds, splicing the plaintext into the
//! document as bytes. So the message is first held to what IdPs send — each signature one
//! same-document reference (`#id`) with the enveloped and canonicalization transforms; all
//! encryption inside the one `EncryptedAssertion`, RSA-OAEP key transport, AES content — and
//! the assertion is decrypted out of a document holding that element alone, which must come
//! back as exactly one `Assertion`.

use super::request::ASSERTION;
use bergshamra::keys::loader;
use bergshamra::{EncContext, KeysManager};
use std::collections::BTreeMap;
use uppsala::{Document, NodeId};

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const XMLENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const CANONICALIZATIONS: [&str; 3] = [
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/2006/12/xml-c14n11",
];
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// Key transport: RSA-OAEP only (RSA PKCS#1 v1.5 invites padding oracles).
const KEY_TRANSPORT: [&str; 2] = [
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    "http://www.w3.org/2009/xmlenc11#rsa-oaep",
];
const CONTENT: [&str; 6] = [
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2009/xmlenc11#aes192-gcm",
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
];
/// A response and its assertion may each be signed.
const MAX_SIGNATURES: usize = 2;

fn algorithm(doc: &Document<'_>, node: NodeId, ns: &str, name: &str) -> Option<String> {
    doc.first_child_element_by_name_ns(node, ns, name)
        .and_then(|m| doc.get_attribute(m, "Algorithm"))
        .map(str::to_owned)
}

/// Whether every signature of `doc` is one a SAML IdP makes: at most two, each with one
/// reference to an element of this document by ID, only the enveloped-signature and
/// canonicalization transforms.
pub fn signatures_well_formed(doc: &Document<'_>) -> bool {
    let signatures = doc.get_elements_by_tag_name_ns(DSIG, "Signature");
    let references = doc.get_elements_by_tag_name_ns(DSIG, "Reference");
    if signatures.len() > MAX_SIGNATURES || references.len() != signatures.len() {
        return false;
    }
    signatures.iter().all(|signature| {
        let Some(info) = doc.first_child_element_by_name_ns(*signature, DSIG, "SignedInfo") else {
            return false;
        };
        let c14n = algorithm(doc, info, DSIG, "CanonicalizationMethod");
        if !c14n.is_some_and(|a| CANONICALIZATIONS.contains(&a.as_str())) {
            return false;
        }
        let refs = doc.child_elements_by_name_ns(info, DSIG, "Reference");
        let [reference] = refs[..] else {
            return false;
        };
        let same_document = doc
            .get_attribute(reference, "URI")
            .is_some_and(|u| u.len() > 1 && u.starts_with('#'));
        let transforms = doc
            .first_child_element_by_name_ns(reference, DSIG, "Transforms")
            .map(|t| doc.child_elements_by_name_ns(t, DSIG, "Transform"))
            .unwrap_or_default();
        same_document
            && transforms.iter().all(|t| {
                doc.get_attribute(*t, "Algorithm")
                    .is_some_and(|a| a == ENVELOPED || CANONICALIZATIONS.contains(&a))
            })
    })
}

/// Whether all encryption in `doc` is the one `EncryptedData` of `holder` (an
/// `EncryptedAssertion`), of type Element, with the algorithms above.
pub fn encryption_well_formed(doc: &Document<'_>, holder: NodeId) -> bool {
    let data = doc.get_elements_by_tag_name_ns(XMLENC, "EncryptedData");
    let keys = doc.get_elements_by_tag_name_ns(XMLENC, "EncryptedKey");
    let inside = |node: NodeId| {
        let mut at = doc.parent(node);
        while let Some(n) = at {
            if n == holder {
                return true;
            }
            at = doc.parent(n);
        }
        false
    };
    let [encrypted] = data[..] else {
        return false;
    };
    let element_type = doc
        .get_attribute(encrypted, "Type")
        .is_none_or(|t| t == "http://www.w3.org/2001/04/xmlenc#Element");
    doc.parent(encrypted) == Some(holder)
        && element_type
        && algorithm(doc, encrypted, XMLENC, "EncryptionMethod")
            .is_some_and(|a| CONTENT.contains(&a.as_str()))
        && !keys.is_empty()
        && keys.iter().all(|k| {
            inside(*k)
                && algorithm(doc, *k, XMLENC, "EncryptionMethod")
                    .is_some_and(|a| KEY_TRANSPORT.contains(&a.as_str()))
        })
}

/// The namespace declarations in scope at `node` from its ancestors (nearest wins).
fn inherited_namespaces(doc: &Document<'_>, node: NodeId) -> String {
    let mut in_scope: BTreeMap<String, String> = BTreeMap::new();
    let mut at = doc.parent(node);
    while let Some(n) = at {
        if let Some(e) = doc.element(n) {
            for (prefix, uri) in &e.namespace_declarations {
                in_scope
                    .entry(prefix.to_string())
                    .or_insert_with(|| uri.to_string());
            }
        }
        at = doc.parent(n);
    }
    in_scope
        .iter()
        .map(|(prefix, uri)| {
            let uri = super::request::escape(uri);
            match prefix.is_empty() {
                true => format!(r#" xmlns="{uri}""#),
                false => format!(r#" xmlns:{prefix}="{uri}""#),
            }
        })
        .collect()
}

/// The assertion `holder` encrypts, as a document of its own: `<wrapper><EncryptedAssertion>
/// <Assertion/></EncryptedAssertion></wrapper>`. `None` when it cannot be decrypted or is
/// anything but one assertion.
pub fn decrypt_assertion(doc: &Document<'_>, holder: NodeId, key: &[u8]) -> Option<String> {
    let source = doc.node_source(holder)?;
    let wrapped = format!(
        r#"<cognate-wrapper{}>{source}</cognate-wrapper>"#,
        inherited_namespaces(doc, holder)
    );
    let key = loader::load_rsa_private_pem(private_key_pem(key).as_bytes()).ok()?;
    let mut keys = KeysManager::new();
    keys.add_key(key);
    let mut ctx = EncContext::new(keys);
    // Only inline cipher values: a reference would make us fetch a URL.
    ctx.disable_cipher_reference = true;
    let decrypted = bergshamra::decrypt(&ctx, &wrapped).ok()?;
    let check = super::response::parse(&decrypted).ok()?;
    let root = check.document_element()?;
    let element_children = |n: NodeId| {
        check
            .children(n)
            .into_iter()
            .filter(|c| check.element(*c).is_some())
            .collect::<Vec<_>>()
    };
    let [holder] = element_children(root)[..] else {
        return None;
    };
    let [assertion] = element_children(holder)[..] else {
        return None;
    };
    let one_assertion = check
        .element(holder)
        .is_some_and(|h| h.matches_name_ns(ASSERTION, "EncryptedAssertion"))
        && check
            .element(assertion)
            .is_some_and(|a| a.matches_name_ns(ASSERTION, "Assertion"));
    one_assertion.then_some(decrypted)
}

/// The PEM the key loader reads, from PKCS#8 DER.
fn private_key_pem(der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}
