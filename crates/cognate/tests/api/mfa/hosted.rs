//! The second factor on the hosted pages, through a cookie-keeping HTTP client: the code page
//! (wrong code, right code, the callback), the single sign-on cookie after MFA and before it,
//! authenticator setup on an ON pool (QR code and key), the choice of factor with a texted
//! code, and CSRF on every form.

use super::{access_token, add_token, now_seconds, prefer_totp, totp_at, totp_pool};
use crate::fixture::{PASSWORD, T, t};
use crate::oauth_support::{CALLBACK, authorize_url, browser, hidden, location};
use aws_sdk_cognitoidentityprovider::types::{
    OAuthFlowType, SmsConfigurationType, SmsMfaConfigType, SmsMfaSettingsType,
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};

/// A public client of `pool` for the hosted pages (code flow, the guide's callback), which
/// also allows USER_PASSWORD_AUTH for setting factors up through the API.
async fn hosted_client(t: &T, pool: &str) -> String {
    t.app_client_with(pool, |r| {
        r.allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .allowed_o_auth_scopes("email")
            .allowed_o_auth_scopes("profile")
            .allowed_o_auth_flows_user_pool_client(true)
            .callback_urls(CALLBACK)
            .supported_identity_providers("COGNITO")
    })
    .await
}

/// The page a browser gets after the password: (status, final URL or page).
struct Step {
    status: u16,
    location: Option<String>,
    html: String,
}

async fn post(b: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> Step {
    let r = b.post(url).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = (status == 302).then(|| location(&r));
    Step {
        status,
        location,
        html: r.text().await.unwrap(),
    }
}

/// authorize → login page → password; returns the login URL (the base of the MFA forms'
/// query) and what the password answered.
async fn password_step(t: &T, b: &reqwest::Client, client: &str, name: &str) -> (String, Step) {
    let r = b
        .get(authorize_url(&t.url, client, ""))
        .send()
        .await
        .unwrap();
    let login = format!("{}{}", t.url, location(&r));
    let html = b.get(&login).send().await.unwrap().text().await.unwrap();
    let step = post(
        b,
        &login,
        &[
            ("_csrf", &hidden(&html, "_csrf")),
            ("username", name),
            ("password", PASSWORD),
        ],
    )
    .await;
    (login, step)
}

/// The URL a form of `page` posts to.
fn action(t: &T, page: &str) -> String {
    let marker = "<form method=\"post\" action=\"";
    let start = page.find(marker).expect("a form") + marker.len();
    let path = page[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    format!("{}{path}", t.url)
}

fn lands_on_callback(step: &Step) {
    assert_eq!(step.status, 302, "{}", step.html);
    let to = step.location.as_deref().unwrap();
    assert!(to.starts_with(CALLBACK) && to.contains("code="), "{to}");
}

#[tokio::test]
async fn the_code_page_signs_in_with_the_authenticator_code() {
    let t = t();
    let (pool, _) = totp_pool(&t, UserPoolMfaType::Optional).await;
    let client = hosted_client(&t, &pool).await;
    t.user(&pool, "alice", &[]).await;
    let token = access_token(&t, &client, "alice").await;
    let secret = add_token(&t, &token, now_seconds() - 30).await;
    prefer_totp(&t, &token).await;

    let b = browser();
    let (_, step) = password_step(&t, &b, &client, "alice").await;
    assert_eq!(step.status, 200, "{}", step.html);
    assert!(
        step.html
            .contains("Enter the code from your authenticator app.")
    );
    let form = action(&t, &step.html);
    assert!(form.contains("/login/mfa?"), "{form}");

    // A wrong code: the page again, with Cognito's message and a fresh form.
    let wrong = post(
        &b,
        &form,
        &[
            ("_csrf", &hidden(&step.html, "_csrf")),
            ("session", &hidden(&step.html, "session")),
            ("challenge", "SOFTWARE_TOKEN_MFA"),
            ("code", "000000"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.html.contains("Invalid code received for user"),
        "{}",
        wrong.html
    );

    // Without the form's CSRF token: refused.
    let forged = post(
        &b,
        &form,
        &[
            ("session", &hidden(&wrong.html, "session")),
            ("challenge", "SOFTWARE_TOKEN_MFA"),
            ("code", &totp_at(&secret, now_seconds())),
        ],
    )
    .await;
    assert_eq!(forged.status, 403);

    let right = post(
        &b,
        &form,
        &[
            ("_csrf", &hidden(&wrong.html, "_csrf")),
            ("session", &hidden(&wrong.html, "session")),
            ("challenge", "SOFTWARE_TOKEN_MFA"),
            ("code", &totp_at(&secret, now_seconds())),
        ],
    )
    .await;
    lands_on_callback(&right);

    // The cookie of a sign-in that went through the second factor signs in again at once.
    let again = b
        .get(authorize_url(&t.url, &client, ""))
        .send()
        .await
        .unwrap();
    assert!(location(&again).starts_with(CALLBACK));
}

#[tokio::test]
async fn a_cookie_from_before_the_second_factor_does_not_skip_it() {
    let t = t();
    let (pool, _) = totp_pool(&t, UserPoolMfaType::Optional).await;
    let client = hosted_client(&t, &pool).await;
    t.user(&pool, "bob", &[]).await;
    let b = browser();
    let (_, step) = password_step(&t, &b, &client, "bob").await;
    lands_on_callback(&step);

    let token = access_token(&t, &client, "bob").await;
    add_token(&t, &token, now_seconds() - 30).await;
    prefer_totp(&t, &token).await;
    let again = b
        .get(authorize_url(&t.url, &client, ""))
        .send()
        .await
        .unwrap();
    assert!(
        location(&again).starts_with("/login?"),
        "{}",
        location(&again)
    );
}

#[tokio::test]
async fn an_on_pool_sets_up_an_authenticator_with_a_qr_code() {
    let t = t();
    let (pool, _) = totp_pool(&t, UserPoolMfaType::On).await;
    let client = hosted_client(&t, &pool).await;
    t.user(&pool, "carol", &[]).await;
    let b = browser();
    let (_, step) = password_step(&t, &b, &client, "carol").await;
    assert_eq!(step.status, 200, "{}", step.html);
    assert!(step.html.contains("<svg"), "a QR code");
    let marker = "id=\"secret\" class=\"secret\">";
    let key_start = step.html.find(marker).unwrap() + marker.len();
    let key: String = step.html[key_start..]
        .split('<')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(key.len(), 52, "{key}");
    let form = action(&t, &step.html);
    assert!(form.contains("/login/mfa/setup?"), "{form}");

    let wrong = post(
        &b,
        &form,
        &[
            ("_csrf", &hidden(&step.html, "_csrf")),
            ("session", &hidden(&step.html, "session")),
            ("code", "000000"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong
            .html
            .contains("Code mismatch and fail enable Software Token MFA")
    );
    assert!(
        wrong.html.contains(&key[..4]),
        "the same key is shown again"
    );

    let done = post(
        &b,
        &form,
        &[
            ("_csrf", &hidden(&wrong.html, "_csrf")),
            ("session", &hidden(&wrong.html, "session")),
            ("code", &totp_at(&key, now_seconds())),
            ("device_name", "Carol's phone"),
        ],
    )
    .await;
    lands_on_callback(&done);
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
}

#[tokio::test]
async fn a_user_with_two_factors_chooses_and_gets_a_text() {
    let t = t();
    let pool = t.pool().await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your sign-in code is {####}")
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let client = hosted_client(&t, &pool).await;
    let phone = "+15555550177";
    t.user(
        &pool,
        "dave",
        &[("phone_number", phone), ("phone_number_verified", "true")],
    )
    .await;
    let token = access_token(&t, &client, "dave").await;
    add_token(&t, &token, now_seconds() - 30).await;
    t.client
        .set_user_mfa_preference()
        .access_token(&token)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let b = browser();
    let (_, step) = password_step(&t, &b, &client, "dave").await;
    assert_eq!(step.status, 200, "{}", step.html);
    assert!(step.html.contains("Choose how to verify"), "{}", step.html);
    assert!(step.html.contains("Text message (SMS)") && step.html.contains("Authenticator app"));
    let chosen = post(
        &b,
        &action(&t, &step.html),
        &[
            ("_csrf", &hidden(&step.html, "_csrf")),
            ("session", &hidden(&step.html, "session")),
            ("answer", "SMS_MFA"),
        ],
    )
    .await;
    assert_eq!(chosen.status, 200, "{}", chosen.html);
    assert!(
        chosen
            .html
            .contains("We sent a code by text message to +*******0177"),
        "{}",
        chosen.html
    );
    let code = crate::signup::code_in(&crate::signup::newest_message(&t, phone).await);
    let done = post(
        &b,
        &action(&t, &chosen.html),
        &[
            ("_csrf", &hidden(&chosen.html, "_csrf")),
            ("session", &hidden(&chosen.html, "session")),
            ("challenge", "SMS_MFA"),
            ("destination", &hidden(&chosen.html, "destination")),
            ("code", &code),
        ],
    )
    .await;
    lands_on_callback(&done);
}
