use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::CustomDomainConfigType;

#[tokio::test]
async fn prefix_and_custom_domains() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "dom").await;
    let r = c
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("seed-app-auth")
        .send()
        .await
        .unwrap();
    assert_eq!(r.managed_login_version, Some(1));

    let d = c
        .describe_user_pool_domain()
        .domain("seed-app-auth")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(d.user_pool_id(), Some(pool.as_str()));
    assert_eq!(d.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(d.aws_account_id(), Some("000000000000"));
    let p = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(p.domain(), Some("seed-app-auth"));

    // A domain that does not exist is described as empty, as Cognito does.
    let empty = c
        .describe_user_pool_domain()
        .domain("nobody-here")
        .send()
        .await
        .unwrap();
    assert!(empty.domain_description.unwrap().user_pool_id().is_none());

    let (code, msg) = err(c
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("another-one")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The user pool already has a domain configured."
        )
    );
    let other = create_pool(c, "other").await;
    let (code, msg) = err(c
        .create_user_pool_domain()
        .user_pool_id(&other)
        .domain("seed-app-auth")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Domain already associated with another user pool."
        )
    );
    let (code, _) = err(c
        .create_user_pool_domain()
        .user_pool_id(&other)
        .domain("Bad_Domain")
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");

    let custom = CustomDomainConfigType::builder()
        .certificate_arn("arn:aws:acm:us-east-1:000000000000:certificate/abc")
        .build()
        .unwrap();
    let r = c
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .custom_domain_config(custom)
        .send()
        .await
        .unwrap();
    assert_eq!(r.cloud_front_domain(), Some("auth.example.com"));
    let r = c
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("seed-app-auth")
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.managed_login_version, Some(2));

    c.delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("seed-app-auth")
        .send()
        .await
        .unwrap();
    let (code, msg) = err(c
        .delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("seed-app-auth")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "No such domain or user pool exists."
        )
    );
    let p = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(p.domain(), None);
    assert_eq!(p.custom_domain(), Some("auth.example.com"));
}
