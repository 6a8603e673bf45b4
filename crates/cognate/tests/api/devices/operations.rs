//! ConfirmDevice and the device operations, as the user and as an administrator.

use super::{claims, confirm, device_pool, signed_in_device};
use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, t};
use aws_sdk_cognitoidentityprovider::types::{
    DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
};

#[tokio::test]
async fn a_sign_in_offers_a_device_that_confirm_device_keeps() {
    let t = t();
    let (pool, client) = device_pool(&t, false).await;
    t.user(&pool, "ada", &[]).await;
    let out = t.sign_in(&client, "ada", PASSWORD).await.unwrap();
    let tokens = out.authentication_result().unwrap();
    let meta = tokens.new_device_metadata().unwrap();
    let key = meta.device_key().unwrap();
    assert!(
        key.starts_with(&format!("{}_", pool.split('_').next().unwrap())),
        "{key}"
    );
    assert!(meta.device_group_key().unwrap().starts_with('-'));
    assert_eq!(claims(tokens.access_token().unwrap())["device_key"], key);

    let (device, necessary) = confirm(&t, &pool, tokens).await;
    assert!(!necessary, "remembered without asking the user");
    let got = t
        .client
        .get_device()
        .access_token(&device.access_token)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let d = got.device().unwrap();
    assert_eq!(d.device_key(), Some(device.key.as_str()));
    let attrs: std::collections::HashMap<_, _> = d
        .device_attributes()
        .iter()
        .map(|a| (a.name(), a.value().unwrap_or_default()))
        .collect();
    assert_eq!(attrs["device_name"], "Test device");
    assert_eq!(attrs["device_status"], "valid");
    assert_eq!(attrs["dev:device_remembered_status"], "remembered");
    assert!(d.device_create_date().is_some() && d.device_last_modified_date().is_some());

    let admin = t
        .client
        .admin_get_device()
        .user_pool_id(&pool)
        .username("ada")
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin.device().unwrap().device_key(),
        Some(device.key.as_str())
    );
}

#[tokio::test]
async fn devices_are_listed_a_page_at_a_time() {
    let t = t();
    let (pool, client) = device_pool(&t, false).await;
    t.user(&pool, "bob", &[]).await;
    let mut keys = Vec::new();
    for _ in 0..3 {
        keys.push(signed_in_device(&t, &pool, &client, "bob").await);
    }
    let token = &keys[0].access_token;
    let first = t
        .client
        .list_devices()
        .access_token(token)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.devices().len(), 2);
    let rest = t
        .client
        .list_devices()
        .access_token(token)
        .limit(2)
        .pagination_token(first.pagination_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.devices().len(), 1);
    assert!(rest.pagination_token().is_none());
    let all = t
        .client
        .admin_list_devices()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let mut listed: Vec<_> = all
        .devices()
        .iter()
        .filter_map(|d| d.device_key())
        .collect();
    listed.sort();
    let mut expected: Vec<_> = keys.iter().map(|k| k.key.as_str()).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn a_user_prompt_pool_remembers_on_update_device_status() {
    let t = t();
    let (pool, client) = device_pool(&t, true).await;
    t.user(&pool, "cy", &[]).await;
    let out = t.sign_in(&client, "cy", PASSWORD).await.unwrap();
    let (device, necessary) = confirm(&t, &pool, out.authentication_result().unwrap()).await;
    assert!(necessary, "UserConfirmationNecessary");
    let status = |t: &crate::fixture::T, key: String| {
        let c = t.client.clone();
        let pool = pool.clone();
        async move {
            let d = c
                .admin_get_device()
                .user_pool_id(pool)
                .username("cy")
                .device_key(key)
                .send()
                .await
                .unwrap();
            d.device()
                .unwrap()
                .device_attributes()
                .iter()
                .find(|a| a.name() == "dev:device_remembered_status")
                .and_then(|a| a.value().map(str::to_owned))
                .unwrap()
        }
    };
    assert_eq!(status(&t, device.key.clone()).await, "not_remembered");
    t.client
        .update_device_status()
        .access_token(&device.access_token)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    assert_eq!(status(&t, device.key.clone()).await, "remembered");
    t.client
        .admin_update_device_status()
        .user_pool_id(&pool)
        .username("cy")
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    assert_eq!(status(&t, device.key.clone()).await, "not_remembered");
}

#[tokio::test]
async fn unknown_and_foreign_devices_do_not_exist() {
    let t = t();
    let (pool, client) = device_pool(&t, false).await;
    t.user(&pool, "dee", &[]).await;
    t.user(&pool, "eve", &[]).await;
    let dee = signed_in_device(&t, &pool, &client, "dee").await;
    let eve = signed_in_device(&t, &pool, &client, "eve").await;

    let r = t
        .client
        .get_device()
        .access_token(&dee.access_token)
        .device_key("us-east-1_00000000-0000-0000-0000-000000000000")
        .send()
        .await;
    assert_cognito_err!(r, ResourceNotFoundException, "Device does not exist.");
    // Another user's device is not the caller's.
    let r = t
        .client
        .get_device()
        .access_token(&dee.access_token)
        .device_key(&eve.key)
        .send()
        .await;
    assert_cognito_err!(r, ResourceNotFoundException, "Device does not exist.");
    let r = t
        .client
        .admin_forget_device()
        .user_pool_id(&pool)
        .username("dee")
        .device_key(&eve.key)
        .send()
        .await;
    assert_cognito_err!(r, ResourceNotFoundException, "Device does not exist.");

    // ConfirmDevice confirms only the device its access token was issued to.
    let out = t.sign_in(&client, "dee", PASSWORD).await.unwrap();
    let r = t
        .client
        .confirm_device()
        .access_token(out.authentication_result().unwrap().access_token().unwrap())
        .device_key(&eve.key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier("AAEC")
                .salt("AAEC")
                .build(),
        )
        .send()
        .await;
    assert_cognito_err!(r, ResourceNotFoundException, "Device does not exist.");

    // Forgotten, it is gone.
    t.client
        .forget_device()
        .access_token(&dee.access_token)
        .device_key(&dee.key)
        .send()
        .await
        .unwrap();
    let r = t
        .client
        .admin_get_device()
        .user_pool_id(&pool)
        .username("dee")
        .device_key(&dee.key)
        .send()
        .await;
    assert_cognito_err!(r, ResourceNotFoundException, "Device does not exist.");
}

#[tokio::test]
async fn a_verifier_that_is_no_group_element_is_refused() {
    let t = t();
    let (pool, client) = device_pool(&t, false).await;
    t.user(&pool, "fay", &[]).await;
    let out = t.sign_in(&client, "fay", PASSWORD).await.unwrap();
    let tokens = out.authentication_result().unwrap();
    let r = t
        .client
        .confirm_device()
        .access_token(tokens.access_token().unwrap())
        .device_key(tokens.new_device_metadata().unwrap().device_key().unwrap())
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier("AQ==")
                .salt("AAEC")
                .build(),
        )
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Invalid DeviceSecretVerifierConfig."
    );
}

#[tokio::test]
async fn a_pool_without_device_tracking_offers_no_device() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "gil", &[]).await;
    let out = t.sign_in(&client, "gil", PASSWORD).await.unwrap();
    let tokens = out.authentication_result().unwrap();
    assert!(tokens.new_device_metadata().is_none());
    assert!(
        claims(tokens.access_token().unwrap())
            .get("device_key")
            .is_none()
    );
}
