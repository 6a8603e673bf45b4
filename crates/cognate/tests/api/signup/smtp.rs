//! Email delivered for real: over TCP to an SMTP server (aiosmtpd, started here), the code
//! read from the received mail; with the server down for a while, the message still arrives.

use super::email;
use crate::common::{attr, config, start_with_config};
use crate::fixture::PASSWORD;
use aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType;
use cognate::config::Storage;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd writing every message it receives into a Maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start(port: u16, maildir: &Path) -> SmtpServer {
        let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd; scripts/test.sh does)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer {
            child,
            port,
            maildir: maildir.to_owned(),
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The first received mail addressed to `to`, waiting up to `within`.
    fn mail_to(&self, to: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) {
                for e in entries.flatten() {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    if text.contains(&format!("To: {to}")) {
                        return text;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {to} within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn code_in(mail: &str) -> String {
    let body = mail.split("\n\n").skip(1).collect::<Vec<_>>().join("\n");
    let chars: Vec<char> = body.chars().collect();
    chars
        .windows(6)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("no code in {mail}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_emailed_over_smtp_and_survive_the_server_being_down() {
    // aiosmtpd makes the Maildir itself (it refuses a folder without its subfolders).
    let scratch = crate::common::temp_dir("maildir");
    let maildir = scratch.join("box");
    let mut smtp = SmtpServer::start(free_port(), &maildir);
    let mut cfg = config(Storage::InMemory);
    cfg.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    cfg.smtp_from = "auth@cognate.test".into();
    let t = start_with_config(cfg).await;
    let c = &t.client;
    let pool = crate::common::create_pool(c, "mail").await;
    c.update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();

    let first = email("smtp");
    c.sign_up()
        .client_id(&client)
        .username("mailed")
        .password(PASSWORD)
        .user_attributes(attr("email", &first))
        .send()
        .await
        .unwrap();
    let mail = tokio::task::block_in_place(|| smtp.mail_to(&first, Duration::from_secs(10)));
    assert!(mail.contains("From: auth@cognate.test"), "{mail}");
    assert!(mail.contains("Subject: Your verification code"), "{mail}");
    c.confirm_sign_up()
        .client_id(&client)
        .username("mailed")
        .confirmation_code(code_in(&mail))
        .send()
        .await
        .unwrap();

    // The mail server goes away; the sign-up is answered anyway, and the code waits.
    smtp.stop();
    let second = email("smtp-later");
    c.sign_up()
        .client_id(&client)
        .username("patient")
        .password(PASSWORD)
        .user_attributes(attr("email", &second))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let smtp = SmtpServer::start(smtp.port, &maildir);
    let mail = tokio::task::block_in_place(|| smtp.mail_to(&second, Duration::from_secs(20)));
    c.confirm_sign_up()
        .client_id(&client)
        .username("patient")
        .confirmation_code(code_in(&mail))
        .send()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&scratch);
}

/// A sign-in's EMAIL_OTP code, mailed over SMTP with the pool's EmailMfaConfiguration subject
/// and message, and answered from the received mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_sign_in_code_arrives_over_smtp() {
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFlowType, ChallengeNameType, EmailMfaConfigType, EmailMfaSettingsType,
        ExplicitAuthFlowsType, UserPoolMfaType,
    };
    let scratch = crate::common::temp_dir("maildir-otp");
    let smtp = SmtpServer::start(free_port(), &scratch.join("box"));
    let mut cfg = config(Storage::InMemory);
    cfg.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    cfg.smtp_from = "auth@cognate.test".into();
    let t = start_with_config(cfg).await;
    let c = &t.client;
    let pool = crate::common::create_pool(c, "mail-otp").await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .email_mfa_configuration(
            EmailMfaConfigType::builder()
                .subject("Your sign-in code")
                .message("Sign in with {####}")
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let to = email("otp");
    crate::common::create_user(
        c,
        &pool,
        "otp-user",
        &[("email", &to), ("email_verified", "true")],
    )
    .await;
    c.admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("otp-user")
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = c
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "otp-user")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let mail = tokio::task::block_in_place(|| smtp.mail_to(&to, Duration::from_secs(10)));
    assert!(mail.contains("Subject: Your sign-in code"), "{mail}");
    let done = c
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::EmailOtp)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "otp-user")
        .challenge_responses("EMAIL_OTP_CODE", code_in(&mail))
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    let _ = std::fs::remove_dir_all(&scratch);
}

/// A CustomMessage function's subject and text, received over SMTP, the code put in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_message_arrives_over_smtp_in_the_functions_words() {
    use crate::triggers::{Behaviour, WEBHOOK_ARN, pool_with, triggers_with};
    use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
    let scratch = crate::common::temp_dir("maildir-custom");
    let smtp = SmtpServer::start(free_port(), &scratch.join("box"));
    let port = smtp.port;
    let tr = triggers_with(|cfg| {
        cfg.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        cfg.smtp_from = "auth@cognate.test".into();
    })
    .await;
    let lambda = || {
        LambdaConfigType::builder()
            .custom_message(WEBHOOK_ARN)
            .build()
    };
    let (pool, client) = pool_with(&tr.t, lambda()).await;
    tr.t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(lambda())
        .send()
        .await
        .unwrap();
    tr.hooked.behave(Behaviour::Respond(serde_json::json!({
        "emailSubject": "Welcome to Acme",
        "emailMessage": "Hello from Acme! Your code is {####}."
    })));
    let to = email("custom");
    tr.t.client
        .sign_up()
        .client_id(&client)
        .username("welcomed")
        .password(PASSWORD)
        .user_attributes(attr("email", &to))
        .send()
        .await
        .unwrap();
    let mail = tokio::task::block_in_place(|| smtp.mail_to(&to, Duration::from_secs(10)));
    assert!(mail.contains("Subject: Welcome to Acme"), "{mail}");
    assert!(mail.contains("Hello from Acme! Your code is "), "{mail}");
    tr.t.client
        .confirm_sign_up()
        .client_id(&client)
        .username("welcomed")
        .confirmation_code(code_in(&mail))
        .send()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&scratch);
}
