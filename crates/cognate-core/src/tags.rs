//! Tags on user pools (the only taggable Cognito resource here).

use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use std::collections::BTreeMap;
use std::sync::Arc;

const MAX_TAGS: usize = 50;

impl Cognito {
    /// The pool an ARN names, in this region and account.
    async fn pool_by_arn(&self, region: &str, arn: &str) -> Result<Arc<UserPool>> {
        let prefix = format!("arn:aws:cognito-idp:{region}:{}:userpool/", self.account_id);
        let Some(pool_id) = arn.strip_prefix(&prefix) else {
            if arn.starts_with("arn:") {
                return Err(CognitoError::new(
                    ErrorKind::ResourceNotFound,
                    format!("Resource {arn} does not exist."),
                ));
            }
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid ARN: {arn}"
            )));
        };
        self.pool(region, pool_id).await
    }

    pub async fn tag_resource(
        &self,
        region: &str,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<()> {
        let mut pool = Arc::unwrap_or_clone(self.pool_by_arn(region, arn).await?);
        pool.user_pool_tags.extend(tags);
        if pool.user_pool_tags.len() > MAX_TAGS {
            return Err(CognitoError::new(
                ErrorKind::UserPoolTagging,
                format!("A user pool can have at most {MAX_TAGS} tags."),
            ));
        }
        self.store.update_pool(&pool).await?;
        Ok(())
    }

    pub async fn untag_resource(&self, region: &str, arn: &str, keys: &[String]) -> Result<()> {
        let mut pool = Arc::unwrap_or_clone(self.pool_by_arn(region, arn).await?);
        for k in keys {
            pool.user_pool_tags.remove(k);
        }
        self.store.update_pool(&pool).await?;
        Ok(())
    }

    pub async fn list_tags_for_resource(
        &self,
        region: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>> {
        Ok(self.pool_by_arn(region, arn).await?.user_pool_tags.clone())
    }
}
