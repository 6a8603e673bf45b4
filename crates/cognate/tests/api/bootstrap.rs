//! `cognate serve --bootstrap FILE`: pools, clients, domains, groups and users from a file,
//! applied idempotently at every start, with fixed IDs and secrets, and refused when wrong.

mod cli;
mod messages;

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognate::bootstrap;
use cognate::config::Storage;
use cognate::server;

const POOL: &str = "us-east-1_BootTest01";
const CLIENT: &str = "boottestclient01";
const SECRET: &str = "boottestsecret0000000000000001";

const FILE: &str = r#"
[[pools]]
id = "us-east-1_BootTest01"
name = "boot"
password_policy = { minimum_length = 10, require_symbols = false }
domain = "boot-test"

[[pools.clients]]
name = "web"
client_id = "boottestclient01"
client_secret = "boottestsecret0000000000000001"
explicit_auth_flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
allowed_oauth_flows = ["code"]
allowed_oauth_scopes = ["openid", "email"]
callback_urls = ["http://localhost:5000/postlogin"]
access_token_validity = 30
token_validity_units = { access_token = "minutes" }

[[pools.clients]]
name = "generated"
generate_secret = true

[[pools.groups]]
name = "admin"
precedence = 1

[[pools.users]]
username = "alice"
password = "Alice-Pass-1"
attributes = { email = "alice@example.com", email_verified = true }
groups = ["admin"]

[[pools.users]]
username = "gen"

[[pools]]
name = "found-by-name"
region = "eu-west-1"
"#;

/// Signs in with ADMIN_USER_PASSWORD_AUTH through the fixed client, whose secret is `secret`.
async fn sign_in(t: &TestServer, secret: &str, username: &str, password: &str) -> bool {
    t.client
        .admin_initiate_auth()
        .user_pool_id(POOL)
        .client_id(CLIENT)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .auth_parameters("SECRET_HASH", secret_hash(secret, username, CLIENT))
        .send()
        .await
        .is_ok()
}

async fn describe_client(
    t: &TestServer,
) -> aws_sdk_cognitoidentityprovider::types::UserPoolClientType {
    let c = t
        .client
        .describe_user_pool_client()
        .user_pool_id(POOL)
        .client_id(CLIENT);
    c.send().await.unwrap().user_pool_client.unwrap()
}

async fn groups_of_alice(t: &TestServer) -> Vec<String> {
    let c = t
        .client
        .admin_list_groups_for_user()
        .user_pool_id(POOL)
        .username("alice");
    let groups = c.send().await.unwrap().groups;
    groups
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| g.group_name)
        .collect()
}

/// Parses and applies a file to the server's domain service.
async fn apply(t: &TestServer, text: &str) -> Result<bootstrap::Report, String> {
    bootstrap::apply(&t.server.cognito, &bootstrap::parse(text)?).await
}

/// Everything the file governs, dates and password hashes included.
async fn snapshot(t: &TestServer) -> String {
    let c = &t.client;
    let eu = sdk_client(&t.url(), "eu-west-1", ACCESS_KEY, SECRET_KEY);
    let mut out = vec![
        format!(
            "{:?}",
            c.list_user_pools().max_results(60).send().await.unwrap()
        ),
        format!(
            "{:?}",
            eu.list_user_pools().max_results(60).send().await.unwrap()
        ),
        format!(
            "{:?}",
            c.describe_user_pool()
                .user_pool_id(POOL)
                .send()
                .await
                .unwrap()
        ),
        format!(
            "{:?}",
            c.list_groups().user_pool_id(POOL).send().await.unwrap()
        ),
        format!(
            "{:?}",
            c.list_users().user_pool_id(POOL).send().await.unwrap()
        ),
    ];
    let clients = c
        .list_user_pool_clients()
        .user_pool_id(POOL)
        .send()
        .await
        .unwrap();
    for d in clients.user_pool_clients() {
        let id = d.client_id().unwrap();
        let full = c
            .describe_user_pool_client()
            .user_pool_id(POOL)
            .client_id(id)
            .send()
            .await;
        let client = full.unwrap().user_pool_client.unwrap();
        out.push(format!("{client:?} secret={:?}", client.client_secret()));
    }
    for user in ["alice", "gen"] {
        let stored = t.server.cognito.store.get_user(POOL, user).await.unwrap();
        out.push(format!("{:?}", stored.unwrap().password_hash));
    }
    // Every answer has its own request ID.
    let mut text = out.join("\n");
    while let Some(start) = text.find("_request_id: Some(\"") {
        let end = start + text[start..].find("\")").unwrap() + 2;
        text.replace_range(start..end, "");
    }
    text
}

#[tokio::test]
async fn starting_twice_on_the_same_data_is_idempotent_and_keeps_fixed_ids() {
    let dir = temp_dir("bootstrap");
    let file = dir.join("bootstrap.toml");
    std::fs::write(&file, FILE).unwrap();
    let mut config = config(Storage::DataDir(dir.join("data")));
    config.data_dir = dir.join("data");
    config.bootstrap = Some(file);

    let t = start_with_config(config.clone()).await;
    let first = snapshot(&t).await;
    let client = describe_client(&t).await;
    assert_eq!(client.client_secret(), Some(SECRET));
    assert_eq!(client.callback_urls(), ["http://localhost:5000/postlogin"]);
    assert_eq!(client.access_token_validity(), Some(30));
    assert_eq!(client.allowed_o_auth_flows_user_pool_client(), Some(true));
    let domain = t
        .client
        .describe_user_pool_domain()
        .domain("boot-test")
        .send()
        .await;
    assert_eq!(
        domain.unwrap().domain_description.unwrap().user_pool_id(),
        Some(POOL)
    );
    assert!(sign_in(&t, SECRET, "alice", "Alice-Pass-1").await);
    assert_eq!(groups_of_alice(&t).await, ["admin"]);
    t.server.shutdown().await.unwrap();

    let t = start_with_config(config).await;
    let second = snapshot(&t).await;
    for (a, b) in first.lines().zip(second.lines()) {
        assert_eq!(a, b, "the second start changes nothing");
    }
    assert!(first.contains("found-by-name") && first.matches("UserPoolClientType").count() == 2);
    t.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn changes_in_the_file_are_applied_and_passwords_generated_once() {
    let t = start().await;
    let report = apply(&t, FILE).await.unwrap();
    assert_eq!(report.pool_ids[0], POOL);
    let [generated] = &report.generated_passwords[..] else {
        panic!("one generated password: {report:?}")
    };
    assert_eq!(generated.username, "gen");
    assert!(sign_in(&t, SECRET, "gen", &generated.password).await);
    let again = apply(&t, FILE).await.unwrap();
    assert!(again.generated_passwords.is_empty());

    let mut changed = FILE.to_owned();
    for (from, to) in [
        (SECRET, "a_new_secret_of_thirty_chars00"),
        ("access_token_validity = 30", "access_token_validity = 45"),
        (
            "precedence = 1",
            "precedence = 5\n[[pools.groups]]\nname = \"editor\"",
        ),
        ("groups = [\"admin\"]", "groups = [\"admin\", \"editor\"]"),
        (
            "email_verified = true }",
            "email_verified = true, name = \"Alice\" }",
        ),
        (
            "username = \"gen\"",
            "username = \"gen\"\nreset_password = true",
        ),
    ] {
        assert!(changed.contains(from), "{from}");
        changed = changed.replacen(from, to, 1);
    }
    let report = apply(&t, &changed).await.unwrap();
    let new_password = &report.generated_passwords[0].password;
    assert_ne!(new_password, &generated.password);

    let c = &t.client;
    let client = describe_client(&t).await;
    assert_eq!(
        client.client_secret(),
        Some("a_new_secret_of_thirty_chars00")
    );
    assert_eq!(client.access_token_validity(), Some(45));
    assert_eq!(
        client.callback_urls(),
        ["http://localhost:5000/postlogin"],
        "kept"
    );
    let secrets = c
        .list_user_pool_client_secrets()
        .user_pool_id(POOL)
        .client_id(CLIENT)
        .send();
    assert_eq!(
        secrets.await.unwrap().client_secrets().len(),
        1,
        "the old secret is gone"
    );
    let group = c
        .get_group()
        .user_pool_id(POOL)
        .group_name("admin")
        .send()
        .await
        .unwrap();
    assert_eq!(group.group.unwrap().precedence(), Some(5));
    let alice = c
        .admin_get_user()
        .user_pool_id(POOL)
        .username("alice")
        .send()
        .await
        .unwrap();
    let name = alice.user_attributes().iter().find(|a| a.name() == "name");
    assert_eq!(name.and_then(|a| a.value()), Some("Alice"));
    assert_eq!(groups_of_alice(&t).await, ["admin", "editor"]);
    let new_secret = "a_new_secret_of_thirty_chars00";
    assert!(sign_in(&t, new_secret, "gen", new_password).await);
    assert!(!sign_in(&t, new_secret, "gen", &generated.password).await);
    assert!(
        !sign_in(&t, SECRET, "alice", "Alice-Pass-1").await,
        "the old secret is refused"
    );
}

/// Files refused before anything is applied, then files the domain refuses: each case is
/// `# <expected part of the message>` and the file, cases separated by `---`.
const REFUSED_BY_PARSE: &str = r#"
# unknown field `colour`
[[pools]]
name = "p"
colour = "red"
---
# pool "p" (eu-west-1_Abc): the ID eu-west-1_Abc is not in the region us-east-1
[[pools]]
id = "eu-west-1_Abc"
region = "us-east-1"
name = "p"
---
# pool "p", user "u": group "ghost" is not among the pool's groups
[[pools]]
name = "p"
users = [{ username = "u", groups = ["ghost"] }]
---
# pool "p", client "c": client_secret must be 24 to 64
[[pools]]
name = "p"
clients = [{ name = "c", client_secret = "short" }]
---
# pool "p": "moon-1" is not a region name
[[pools]]
name = "p"
region = "moon-1"
---
# pool "p" is listed twice
[[pools]]
name = "p"
[[pools]]
name = "p"
"#;

const REFUSED_BY_APPLY: &str = r#"
# pool "p" (us-east-1_bad-id): User pool ID us-east-1_bad-id is invalid
[[pools]]
id = "us-east-1_bad-id"
name = "p"
---
# pool "p": 1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed
[[pools]]
name = "p"
mfa_configuration = "SOMETIMES"
---
# pool "m" (us-east-1_Mm1), client "c": 1 validation error detected: Value 'ALLOW_EVERYTHING' at 'explicitAuthFlows.1.member'
[[pools]]
id = "us-east-1_Mm1"
name = "m"
clients = [{ name = "c", explicit_auth_flows = ["ALLOW_EVERYTHING"] }]
---
# pool "d2" (us-east-1_D2), domain "shared-x": the domain belongs to pool us-east-1_D1
[[pools]]
id = "us-east-1_D1"
name = "d1"
domain = "shared-x"
[[pools]]
id = "us-east-1_D2"
name = "d2"
domain = "shared-x"
---
# user "u": Password does not conform to policy
[[pools]]
name = "q"
users = [{ username = "u", password = "short" }]
"#;

fn cases(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split("\n---\n").map(|case| {
        let (expected, file) = case.trim_start().split_once('\n').unwrap();
        (expected.trim_start_matches("# "), file)
    })
}

#[tokio::test]
async fn bad_files_are_refused_naming_the_entry() {
    for (expected, text) in cases(REFUSED_BY_PARSE) {
        let error = bootstrap::parse(text).unwrap_err();
        assert!(
            error.contains(expected),
            "{error}\nshould contain: {expected}"
        );
    }
    let t = start().await;
    for (expected, text) in cases(REFUSED_BY_APPLY) {
        let error = apply(&t, text).await.unwrap_err();
        assert!(
            error.contains(expected),
            "{error}\nshould contain: {expected}"
        );
    }

    let dir = temp_dir("bootstrap-bad");
    let path = dir.join("bad.toml");
    let bad = "[[pools]]\nid = \"us-east-1_Bad01\"\nname = \"bad\"\n[[pools.clients]]\nname = \"web\"\nallowed_oauth_flows = [\"code\"]\nallowed_oauth_scopes = [\"openid\"]\ncallback_urls = [\"http://example.com/cb\"]\n";
    std::fs::write(&path, bad).unwrap();
    let mut config = config(Storage::InMemory);
    config.bootstrap = Some(path.clone());
    let Err(error) = server::start(config).await else {
        panic!("a bad bootstrap file stops the start")
    };
    let expected = format!(
        "bootstrap file {}: pool \"bad\" (us-east-1_Bad01), client \"web\": http://example.com/cb is not a valid redirect URL",
        path.display()
    );
    assert!(error.starts_with(&expected), "{error}");
}

/// The whole file is checked before anything is applied: a mistake in the second pool leaves
/// the first one uncreated too, and the message says nothing was applied.
#[tokio::test]
async fn a_file_with_a_bad_entry_applies_nothing() {
    let dir = temp_dir("bootstrap-whole");
    let path = dir.join("half-bad.toml");
    let text = "[[pools]]\nid = \"us-east-1_Good01\"\nname = \"good\"\n\n\
                [[pools]]\nid = \"us-east-1_Bad02\"\nname = \"bad\"\npassword_policy = { minimum_length = 4 }\n";
    std::fs::write(&path, text).unwrap();
    let storage_dir = temp_dir("bootstrap-whole-data");
    let mut cfg = config(Storage::DataDir(storage_dir.clone()));
    cfg.data_dir = storage_dir.clone();
    cfg.bootstrap = Some(path.clone());
    let Err(error) = server::start(cfg.clone()).await else {
        panic!("a bad bootstrap file stops the start")
    };
    assert!(error.contains("pool \"bad\""), "{error}");
    assert!(error.contains("nothing was applied"), "{error}");
    cfg.bootstrap = None;
    let t = start_with_config(cfg).await;
    let pools = t
        .client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(pools.user_pools().is_empty(), "{pools:?}");
    let _ = std::fs::remove_dir_all(&storage_dir);
}
