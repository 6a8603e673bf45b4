//! One keep-alive HTTP/1.1 connection per worker, reopened when the server closes it (moto's
//! development server answers HTTP/1.0 and closes after every response; reconnecting is part
//! of the latency it is measured with).

use crate::sigv4::Signer;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;

/// What one request sends.
pub enum Call {
    /// AWS JSON 1.1: `X-Amz-Target: AWSCognitoIdentityProviderService.<op>`, signed or not.
    Json {
        op: &'static str,
        body: String,
        signed: bool,
    },
    /// A form POST (OAuth 2.0 token endpoint), with optional HTTP Basic credentials.
    Form {
        path: &'static str,
        body: String,
        basic: Option<String>,
    },
}

pub struct Conn {
    addr: SocketAddr,
    host: String,
    sender: Option<SendRequest<Full<Bytes>>>,
    pub reconnects: u64,
}

impl Conn {
    pub fn new(endpoint: &str) -> Self {
        let hostport = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let addr: SocketAddr = hostport
            .parse()
            .unwrap_or_else(|_| panic!("endpoint must be http://IP:PORT, got {endpoint}"));
        Self {
            addr,
            host: hostport,
            sender: None,
            reconnects: 0,
        }
    }

    async fn connect(&mut self) -> Result<(), String> {
        let stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).ok();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        self.sender = Some(sender);
        self.reconnects += 1;
        Ok(())
    }

    fn build(&self, call: &Call, signer: &mut Signer) -> Request<Full<Bytes>> {
        match call {
            Call::Json { op, body, signed } => {
                let target = format!("AWSCognitoIdentityProviderService.{op}");
                let mut b = Request::post("/")
                    .header("host", &self.host)
                    .header("content-type", "application/x-amz-json-1.1");
                if *signed {
                    let (date, auth) = signer.sign(&self.host, &target, body.as_bytes());
                    b = b.header("x-amz-date", date).header("authorization", auth);
                }
                b.header("x-amz-target", target)
                    .body(Full::new(Bytes::from(body.clone())))
                    .expect("valid request")
            }
            Call::Form { path, body, basic } => {
                let mut b = Request::post(*path)
                    .header("host", &self.host)
                    .header("content-type", "application/x-www-form-urlencoded");
                if let Some(basic) = basic {
                    b = b.header("authorization", format!("Basic {basic}"));
                }
                b.body(Full::new(Bytes::from(body.clone())))
                    .expect("valid request")
            }
        }
    }

    /// Sends one request and reads the whole response.
    pub async fn send(
        &mut self,
        call: &Call,
        signer: &mut Signer,
    ) -> Result<(StatusCode, Bytes), String> {
        // A connection the server has closed is reopened before the request goes out.
        let usable = match self.sender.as_mut() {
            Some(s) => !s.is_closed() && s.ready().await.is_ok(),
            None => false,
        };
        if !usable {
            self.sender = None;
            self.connect().await?;
        }
        let mut retried = false;
        let resp = loop {
            let req = self.build(call, signer);
            let sender = self.sender.as_mut().expect("connected");
            match sender.send_request(req).await {
                Ok(r) => break r,
                // The connection closed before the request went out: reopen once and resend.
                Err(e) if e.is_canceled() && !retried => {
                    retried = true;
                    self.sender = None;
                    self.connect().await?;
                }
                Err(e) => {
                    self.sender = None;
                    return Err(format!("send: {e}"));
                }
            }
        };
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        Ok((status, body))
    }

    /// Sends a call and parses a 200 answer as JSON; anything else is an error with the body.
    pub async fn json(
        &mut self,
        call: &Call,
        signer: &mut Signer,
    ) -> Result<serde_json::Value, String> {
        let (status, body) = self.send(call, signer).await?;
        if status != StatusCode::OK {
            return Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(400)
                    .collect::<String>()
            ));
        }
        if body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&body).map_err(|e| format!("bad JSON ({e}): {body:?}"))
    }
}
