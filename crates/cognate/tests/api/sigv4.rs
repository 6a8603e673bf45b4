//! Signed operations need a valid SigV4 signature over the exact request.

use crate::common::*;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};

const TARGET: &str = "AWSCognitoIdentityProviderService.ListUserPools";
const BODY: &str = r#"{"MaxResults":10}"#;

struct Sig<'a> {
    secret: &'a str,
    region: &'a str,
    service: &'a str,
    time: SystemTime,
}

impl Default for Sig<'_> {
    fn default() -> Self {
        Self {
            secret: SECRET_KEY,
            region: REGION,
            service: "cognito-idp",
            time: SystemTime::now(),
        }
    }
}

/// Signs a ListUserPools request the way the SDKs do, then sends `sent_body`.
async fn send(url: &str, sig: Sig<'_>, sent_body: &str) -> (u16, serde_json::Value) {
    let host = url.trim_start_matches("http://").to_owned();
    let amz_date = {
        let secs = sig
            .time
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        format_amz(secs)
    };
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("host", host.as_str()),
        ("x-amz-target", TARGET),
    ];
    let identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, sig.secret, None, None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(sig.region)
        .name(sig.service)
        .time(sig.time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        "POST",
        format!("{url}/"),
        headers.iter().copied(),
        SignableBody::Bytes(BODY.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", TARGET)
        .body(sent_body.to_owned());
    for (name, value) in instructions.headers() {
        req = req.header(name, value);
    }
    assert!(
        instructions
            .headers()
            .any(|(n, v)| n == "x-amz-date" && v == amz_date)
    );
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn format_amz(secs: u64) -> String {
    let t = time_parts(secs);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.0, t.1, t.2, t.3, t.4, t.5
    )
}

fn time_parts(secs: u64) -> (i64, i64, i64, i64, i64, i64) {
    let days = (secs / 86400) as i64;
    let rem = (secs % 86400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        yoe + era * 400 + i64::from(m <= 2),
        m,
        d,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
    )
}

fn error_type(body: &serde_json::Value) -> &str {
    body["__type"].as_str().unwrap_or("")
}

#[tokio::test]
async fn signatures_are_verified() {
    let t = start().await;
    let url = t.url();

    let (status, body) = send(&url, Sig::default(), BODY).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["UserPools"].is_array());

    // No signature at all.
    let resp = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("x-amz-target", TARGET)
        .body(BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(
        resp.headers()["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["message"], "Missing Authentication Token");

    // Signed with the wrong secret.
    let (status, body) = send(
        &url,
        Sig {
            secret: "not-the-secret",
            ..Sig::default()
        },
        BODY,
    )
    .await;
    assert_eq!(
        (status, error_type(&body)),
        (403, "InvalidSignatureException")
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("The request signature we calculated does not match")
    );

    // Body changed after signing.
    let (status, body) = send(&url, Sig::default(), r#"{"MaxResults":60}"#).await;
    assert_eq!(
        (status, error_type(&body)),
        (403, "InvalidSignatureException")
    );

    // Signed twenty minutes ago.
    let stale = SystemTime::now() - Duration::from_secs(20 * 60);
    let (status, body) = send(
        &url,
        Sig {
            time: stale,
            ..Sig::default()
        },
        BODY,
    )
    .await;
    assert_eq!(
        (status, error_type(&body)),
        (403, "InvalidSignatureException")
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Signature expired:"),
        "{body}"
    );

    // A region that does not exist.
    let (status, body) = send(
        &url,
        Sig {
            region: "mars-north-1x",
            ..Sig::default()
        },
        BODY,
    )
    .await;
    assert_eq!(
        (status, error_type(&body)),
        (403, "InvalidSignatureException")
    );
    assert_eq!(
        body["message"],
        "Credential should be scoped to a valid region, not 'mars-north-1x'. "
    );

    // Another service's scope.
    let (status, body) = send(
        &url,
        Sig {
            service: "s3",
            ..Sig::default()
        },
        BODY,
    )
    .await;
    assert_eq!(
        (status, error_type(&body)),
        (403, "InvalidSignatureException")
    );
    assert_eq!(
        body["message"],
        "Credential should be scoped to correct service: 'cognito-idp'. "
    );

    // An access key Cognate does not know, through the SDK.
    let stranger = sdk_client(&url, REGION, "AKIAUNKNOWNUNKNOWN00", SECRET_KEY);
    let (code, msg) = err(stranger.list_user_pools().max_results(1).send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "UnrecognizedClientException",
            "The security token included in the request is invalid."
        )
    );
}

#[tokio::test]
async fn regions_are_separate() {
    let t = start().await;
    let east = &t.client;
    let west = sdk_client(&t.url(), "eu-west-1", ACCESS_KEY, SECRET_KEY);
    let pool = create_pool(east, "east-only").await;
    let (code, msg) = err(west.describe_user_pool().user_pool_id(&pool).send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            format!("User pool {pool} does not exist.").as_str()
        )
    );
    assert!(
        west.list_user_pools()
            .max_results(60)
            .send()
            .await
            .unwrap()
            .user_pools()
            .is_empty()
    );
    let west_pool = create_pool(&west, "west").await;
    assert!(west_pool.starts_with("eu-west-1_"));
    assert_eq!(
        east.list_user_pools()
            .max_results(60)
            .send()
            .await
            .unwrap()
            .user_pools()
            .len(),
        1
    );
}
