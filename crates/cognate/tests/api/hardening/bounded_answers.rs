//! No answer grows with its input, and a body that is cut short or too large is answered
//! as such, with `Connection: close` when the rest of it was not read.

use crate::assert_cognito_err;
use crate::fixture::{TARGET, signed_request, t};
use std::io::{Read, Write};

fn describe_pool_body(pool_id: &str) -> Vec<u8> {
    serde_json::json!({ "UserPoolId": pool_id })
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn huge_invalid_value_is_not_echoed_in_the_body_or_headers() {
    let t = t();
    let target = format!("{TARGET}DescribeUserPool");
    let r = signed_request(
        &t.url,
        describe_pool_body(&format!("us-east-1_{}", "x".repeat(500_000))),
        &[
            ("x-amz-target", &target),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 400);
    let header_bytes: usize = r
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len())
        .sum();
    assert!(header_bytes < 2048, "{header_bytes} bytes of headers");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["__type"], "InvalidParameterException");
    assert_eq!(
        body["message"],
        "1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55"
    );
}

#[tokio::test]
async fn sdk_gets_the_typed_exception_for_a_huge_value() {
    let t = t();
    let r = t
        .client
        .describe_user_pool()
        .user_pool_id(format!("us-east-1_{}", "y".repeat(100_000)))
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55"
    );
}

#[tokio::test]
async fn short_invalid_value_is_still_echoed_as_aws_does() {
    let t = t();
    let r = t
        .client
        .describe_user_pool()
        .user_pool_id("bad id")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "1 validation error detected: Value 'bad id' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    );
}

/// Reads one HTTP response from a raw socket: status line and headers (lower-cased names).
fn read_head(stream: &mut std::net::TcpStream) -> (u16, Vec<(String, String)>) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

#[tokio::test]
async fn oversized_body_is_refused_before_reading_it_and_closes_the_connection() {
    let t = t();
    let addr = t.url.trim_start_matches("http://").to_owned();
    let (status, headers) = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Length: 5000000\r\n\r\n{{"
        )
        .unwrap();
        read_head(&mut s)
    })
    .await
    .unwrap();
    assert_eq!(status, 413);
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "connection" && v == "close"),
        "{headers:?}"
    );
}

#[tokio::test]
async fn truncated_body_is_a_bad_request_not_too_large() {
    let t = t();
    let addr = t.url.trim_start_matches("http://").to_owned();
    let (status, headers) = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Length: 100\r\n\r\n{{\"ClientId\":"
        )
        .unwrap();
        // The client gives up sending: the body ends 88 bytes short.
        s.shutdown(std::net::Shutdown::Write).unwrap();
        read_head(&mut s)
    })
    .await
    .unwrap();
    assert_eq!(status, 400, "{headers:?}");
}

/// U+0000 cannot be stored or compared by PostgreSQL: it is refused up front, never a 500.
#[tokio::test]
async fn nul_characters_are_refused_as_bad_input() {
    let t = t();
    let pool = t.pool().await;
    let r = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("a\u{0}b")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Strings in the request must not contain the NUL character (U+0000)."
    );
    let http = reqwest::Client::new();
    for (path, form) in [
        (format!("/{pool}%00/.well-known/jwks.json"), None),
        (
            "/oauth2/authorize?client_id=a%00b&response_type=code".to_owned(),
            None,
        ),
        (
            "/oauth2/token".to_owned(),
            Some([
                ("grant_type", "refresh_token"),
                ("refresh_token", "x\u{0}y"),
            ]),
        ),
    ] {
        let req = match form {
            Some(f) => http.post(format!("{}{path}", t.url)).form(&f),
            None => http.get(format!("{}{path}", t.url)),
        };
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{path}");
    }
}
