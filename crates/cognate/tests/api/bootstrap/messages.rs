//! The bootstrap file's message settings (templates, From, recovery, verification before
//! update) and its `[delivery]` table of senders.

use super::apply;
use crate::common::*;
use crate::signup::newest_message_at;
use aws_sdk_cognitoidentityprovider::types::{DefaultEmailOptionType, RecoveryOptionNameType};
use cognate::config::{Config, ServeArgs, SmsConfig};

const POOL: &str = "us-east-1_BootMsgs01";

const FILE: &str = r#"
[[pools]]
id = "us-east-1_BootMsgs01"
name = "messages"
auto_verified_attributes = ["email"]
account_recovery = ["verified_email"]
attributes_require_verification_before_update = ["email"]
verification_message_template = { email_subject = "Welcome to Acme", email_message = "Your Acme code is {####}", sms_message = "Acme code {####}" }
invite_message_template = { email_subject = "You are invited", email_message = "Hello {username}, your first password is {####}" }
email_configuration = { email_sending_account = "DEVELOPER", from = "Acme <no-reply@acme.test>", reply_to_email_address = "help@acme.test" }

[[pools.clients]]
name = "app"
client_id = "bootmsgsclient01"
"#;

async fn describe(t: &TestServer) -> aws_sdk_cognitoidentityprovider::types::UserPoolType {
    let d = t
        .client
        .describe_user_pool()
        .user_pool_id(POOL)
        .send()
        .await;
    d.unwrap().user_pool.unwrap()
}

#[tokio::test]
async fn templates_and_message_settings_are_applied_and_used() {
    let t = start().await;
    apply(&t, FILE).await.unwrap();
    let pool = describe(&t).await;
    let template = pool.verification_message_template().unwrap();
    assert_eq!(template.email_subject(), Some("Welcome to Acme"));
    assert_eq!(template.email_message(), Some("Your Acme code is {####}"));
    assert_eq!(
        template.default_email_option(),
        Some(&DefaultEmailOptionType::ConfirmWithCode)
    );
    let email = pool.email_configuration().unwrap();
    assert_eq!(email.from(), Some("Acme <no-reply@acme.test>"));
    assert_eq!(email.reply_to_email_address(), Some("help@acme.test"));
    let recovery = pool.account_recovery_setting().unwrap();
    assert_eq!(
        recovery.recovery_mechanisms()[0].name(),
        &RecoveryOptionNameType::VerifiedEmail
    );
    assert_eq!(
        pool.user_attribute_update_settings()
            .unwrap()
            .attributes_require_verification_before_update()
            .len(),
        1
    );
    let invite = pool.admin_create_user_config().unwrap();
    assert_eq!(
        invite.invite_message_template().unwrap().email_subject(),
        Some("You are invited")
    );

    // The invitation and the sign-up code are written with the file's templates.
    t.client
        .admin_create_user()
        .user_pool_id(POOL)
        .username("bob")
        .user_attributes(attr("email", "bob@boot.test"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    let invitation = newest_message_at(&t.url(), "bob@boot.test").await;
    assert_eq!(invitation["subject"], "You are invited");
    assert!(
        invitation["body"]
            .as_str()
            .unwrap()
            .starts_with("Hello bob, your first password is "),
        "{invitation}"
    );
    t.client
        .sign_up()
        .client_id("bootmsgsclient01")
        .username("carol")
        .password("Carol-Pass-1!")
        .user_attributes(attr("email", "carol@boot.test"))
        .send()
        .await
        .unwrap();
    let code = newest_message_at(&t.url(), "carol@boot.test").await;
    assert_eq!(code["subject"], "Welcome to Acme");
    assert!(
        code["body"]
            .as_str()
            .unwrap()
            .starts_with("Your Acme code is ")
    );

    // Applying the same file again writes nothing.
    let before = describe(&t).await.last_modified_date;
    apply(&t, FILE).await.unwrap();
    assert_eq!(describe(&t).await.last_modified_date, before);

    // A template that moves from a code to a link replaces the stored one as a whole.
    let by_link = FILE.replace(
        r#"email_subject = "Welcome to Acme", email_message = "Your Acme code is {####}""#,
        r#"default_email_option = "CONFIRM_WITH_LINK", email_subject_by_link = "Confirm", email_message_by_link = "Please {##confirm##}""#,
    );
    apply(&t, &by_link).await.unwrap();
    let template = describe(&t).await.verification_message_template.unwrap();
    assert_eq!(
        template.email_message_by_link(),
        Some("Please {##confirm##}")
    );
    assert_eq!(template.email_message(), None);

    // Bad values meet the API's rules.
    let bad = FILE.replace("DEVELOPER", "SOMEONE_ELSE");
    let err = apply(&t, &bad).await.unwrap_err();
    assert!(err.contains("emailSendingAccount"), "{err}");
    t.server.shutdown().await.unwrap();
}

#[test]
fn the_delivery_table_fills_in_what_flags_and_config_leave_unset() {
    let dir = temp_dir("bootstrap-delivery");
    let file = dir.join("bootstrap.toml");
    std::fs::write(
        &file,
        "[delivery]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nsmtp_from = \"Acme <a@acme.test>\"\nsms_webhook_url = \"http://127.0.0.1:9/sms\"\n",
    )
    .unwrap();
    let args = || ServeArgs {
        bootstrap: Some(file.clone()),
        ..Default::default()
    };
    let c = Config::resolve(args()).unwrap();
    assert_eq!(c.smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
    assert_eq!(c.smtp_from, "Acme <a@acme.test>");
    assert!(matches!(&c.sms, Some(SmsConfig::Webhook(u)) if u == "http://127.0.0.1:9/sms"));

    // A flag wins; an SNS region given as a flag replaces the file's SMS choice whole.
    let c = Config::resolve(ServeArgs {
        smtp_url: Some("smtp://mail.example:25".into()),
        sns_region: Some("eu-west-1".into()),
        ..args()
    })
    .unwrap();
    assert_eq!(c.smtp_url.as_deref(), Some("smtp://mail.example:25"));
    assert!(matches!(&c.sms, Some(SmsConfig::Sns { region, .. }) if region == "eu-west-1"));

    std::fs::write(&file, "[delivery]\nsmtp_host = \"x\"\n").unwrap();
    let err = Config::resolve(args()).unwrap_err();
    assert!(err.contains("smtp_host"), "{err}");
}

#[tokio::test]
async fn the_seed_apps_example_file_applies() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seed-app/bootstrap.toml");
    let file = cognate::bootstrap::load(&path).unwrap();
    let t = start().await;
    cognate::bootstrap::check(&t.server.cognito, &file)
        .await
        .unwrap();
    let pool = file.pools[0].verification_message_template.as_ref();
    assert!(pool.is_some(), "the example shows message templates");
    t.server.shutdown().await.unwrap();
}
