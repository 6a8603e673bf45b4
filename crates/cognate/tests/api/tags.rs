use crate::common::*;

#[tokio::test]
async fn tag_untag_list() {
    let t = start().await;
    let c = &t.client;
    let pool = c
        .create_user_pool()
        .pool_name("tagged")
        .user_pool_tags("env", "dev")
        .send()
        .await
        .unwrap();
    let arn = pool.user_pool.unwrap().arn.unwrap();
    c.tag_resource()
        .resource_arn(&arn)
        .tags("owner", "identity-team")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags = tags.tags.unwrap();
    assert_eq!(tags.get("env").map(String::as_str), Some("dev"));
    assert_eq!(tags.get("owner").map(String::as_str), Some("identity-team"));
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.len(), 1);

    let missing = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_nothere00";
    let (code, msg) = err(c
        .list_tags_for_resource()
        .resource_arn(missing)
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_nothere00 does not exist."
        )
    );
}
