//! Upstream identity providers over HTTP, the adapter behind
//! `cognate_core::federation::Upstream`: discovery, JWKS, the token and userInfo endpoints.
//! No redirects are followed (a token request carries a client secret), answers are read up
//! to [`MAX_ANSWER`], and a provider has [`TIMEOUT`] to answer.

use async_trait::async_trait;
use cognate_core::federation::{Upstream, UpstreamAnswer};
use std::time::Duration;

/// The largest answer read from an upstream provider (discovery documents and key sets are
/// a few kilobytes).
pub const MAX_ANSWER: usize = 1024 * 1024;
/// How long an upstream provider has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct HttpUpstream {
    /// Made at the first federated sign-in: an HTTP client with its TLS roots takes memory
    /// that a server without federation should not spend.
    http: std::sync::OnceLock<reqwest::Client>,
}

impl Default for HttpUpstream {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpUpstream {
    pub fn new() -> Self {
        Self {
            http: std::sync::OnceLock::new(),
        }
    }

    fn http(&self) -> Result<&reqwest::Client, String> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Cognate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot make the upstream HTTP client: {e}"))?;
        Ok(self.http.get_or_init(|| http))
    }

    async fn read(&self, request: reqwest::RequestBuilder) -> Result<UpstreamAnswer, String> {
        // Without the URL: a token request's query may carry a client secret (Facebook).
        let mut answer = request
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = answer.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| e.without_url().to_string())?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(format!("answer over {MAX_ANSWER} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(UpstreamAnswer { status, body })
    }
}

#[async_trait]
impl Upstream for HttpUpstream {
    async fn get(&self, url: &str, bearer: Option<&str>) -> Result<UpstreamAnswer, String> {
        let mut request = self.http()?.get(url).header("accept", "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.read(request).await
    }

    async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
        bearer: Option<&str>,
    ) -> Result<UpstreamAnswer, String> {
        let mut request = self
            .http()?
            .post(url)
            .header("accept", "application/json")
            .form(form);
        if let Some((user, password)) = basic {
            request = request.basic_auth(user, Some(password));
        }
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.read(request).await
    }
}
