//! SMS through Amazon SNS's `Publish` API with the official SDK (a phone number, not a topic),
//! marked transactional. The endpoint is configurable, so an SNS-compatible service works too.
//! Throttling, server faults and network failures are retried; refusals of the request are not.

use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;
use cognate_core::messaging::{OutgoingMessage, SendError};

pub struct SnsSender {
    client: aws_sdk_sns::Client,
}

/// AWS credentials for SNS.
pub struct SnsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl SnsSender {
    pub fn new(region: &str, endpoint: Option<&str>, credentials: SnsCredentials) -> Self {
        let mut config = aws_sdk_sns::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(
                credentials.access_key_id,
                credentials.secret_access_key,
                credentials.session_token,
                None,
                "cognate",
            ));
        if let Some(url) = endpoint {
            config = config.endpoint_url(url);
        }
        Self {
            client: aws_sdk_sns::Client::from_conf(config.build()),
        }
    }

    pub async fn send(&self, m: &OutgoingMessage) -> Result<(), SendError> {
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|e| SendError {
                retryable: false,
                reason: e.to_string(),
            })?;
        let sent = self
            .client
            .publish()
            .phone_number(&m.to)
            .message(&m.body)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) => {
                let status = e.raw().status().as_u16();
                let code = e.err().code().unwrap_or("unknown").to_owned();
                let retryable = status >= 500 || status == 429 || code.contains("Throttl");
                Err(SendError {
                    retryable,
                    reason: format!("SNS Publish: {code}: {}", e.err().message().unwrap_or("")),
                })
            }
            Err(e) => Err(SendError {
                retryable: true,
                reason: format!("SNS Publish: {e}"),
            }),
        }
    }
}
