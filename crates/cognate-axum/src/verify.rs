//! Token checks: the RS256 signature against the cached JWKS, then every claim Cognito's
//! tokens carry.
//!
//! The JWS is checked here rather than through a JWT crate so that the key stays parsed
//! between requests (aws-lc-rs `ParsedPublicKey`) and the claims are read once: this path
//! runs on every request.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::claims::Claims;
use crate::error::{AuthError, TokenError};
use crate::jwks::JwksCache;

/// Which of Cognito's two JWTs a check expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Id,
    Access,
}

impl TokenKind {
    fn token_use(self) -> &'static str {
        match self {
            TokenKind::Id => "id",
            TokenKind::Access => "access",
        }
    }
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow, default)]
    kid: Option<Cow<'a, str>>,
}

pub(crate) struct Verifier {
    pub(crate) jwks: JwksCache,
    issuer: String,
    client_id: String,
    leeway: u64,
}

fn malformed(what: &str) -> TokenError {
    TokenError::Malformed(what.to_owned())
}

fn decode_part(part: &str, what: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| malformed(what))
}

impl Verifier {
    pub(crate) fn new(jwks: JwksCache, issuer: &str, client_id: &str, leeway: Duration) -> Self {
        Verifier {
            jwks,
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            leeway: leeway.as_secs(),
        }
    }

    /// Verifies `token` as a `kind` token. For ID tokens from a login, `nonce` is the one the
    /// login sent; `None` skips that check (refreshed ID tokens).
    pub(crate) async fn verify(
        &self,
        token: &str,
        kind: TokenKind,
        nonce: Option<&str>,
    ) -> Result<Claims, AuthError> {
        let (signed, signature) = token
            .rsplit_once('.')
            .ok_or_else(|| malformed("not a JWS"))?;
        let (header, payload) = signed
            .split_once('.')
            .ok_or_else(|| malformed("not a JWS"))?;
        let header_json = decode_part(header, "header")?;
        let header: Header =
            serde_json::from_slice(&header_json).map_err(|_| malformed("header"))?;
        // Only RS256: never let the token choose a weaker algorithm (`none`, HS256 with the
        // public key as secret).
        if header.alg != "RS256" {
            return Err(TokenError::UnsupportedAlgorithm.into());
        }
        let kid = header.kid.ok_or(TokenError::MissingKid)?;
        let key = self.jwks.key(&kid).await?;
        let signature = decode_part(signature, "signature")?;
        key.verify_sig(signed.as_bytes(), &signature)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = decode_part(payload, "payload")?;
        let claims: Claims = serde_json::from_slice(&payload)
            .map_err(|e| TokenError::Malformed(format!("claims: {e}")))?;
        self.check_claims(&claims, kind, nonce)?;
        Ok(claims)
    }

    /// The claim rules, on claims whose signature has been verified.
    fn check_claims(
        &self,
        claims: &Claims,
        kind: TokenKind,
        nonce: Option<&str>,
    ) -> Result<(), TokenError> {
        // Required, not merely checked when present.
        for (name, missing) in [
            ("exp", claims.exp == 0),
            ("iat", claims.iat == 0),
            ("iss", claims.iss.is_empty()),
            ("sub", claims.sub.is_empty()),
        ] {
            if missing {
                return Err(TokenError::MissingClaim(name.into()));
            }
        }
        let now = now();
        if now >= claims.exp.saturating_add(self.leeway) {
            return Err(TokenError::Expired);
        }
        if claims.iat > now.saturating_add(self.leeway) {
            return Err(TokenError::IssuedInFuture);
        }
        let not_before = claims.extra.get("nbf").and_then(serde_json::Value::as_u64);
        if not_before.is_some_and(|nbf| nbf > now.saturating_add(self.leeway)) {
            return Err(TokenError::NotYetValid);
        }
        if claims.iss != self.issuer {
            return Err(TokenError::WrongIssuer);
        }
        if claims.token_use != kind.token_use() {
            return Err(TokenError::WrongTokenUse {
                expected: kind.token_use(),
                found: claims.token_use.clone(),
            });
        }
        match kind {
            TokenKind::Access => match claims.client_id.as_deref() {
                None => return Err(TokenError::MissingClaim("client_id".into())),
                Some(id) if id != self.client_id => return Err(TokenError::WrongClientId),
                Some(_) => {}
            },
            TokenKind::Id => {
                if claims.aud.is_empty() {
                    return Err(TokenError::MissingClaim("aud".into()));
                }
                if !claims.aud.contains(&self.client_id) {
                    return Err(TokenError::WrongAudience);
                }
                if let Some(expected) = nonce
                    && claims.nonce.as_deref() != Some(expected)
                {
                    return Err(TokenError::WrongNonce);
                }
            }
        }
        Ok(())
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
