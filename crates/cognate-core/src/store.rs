//! The storage interface. One implementation (cognate-store) serves SQLite and PostgreSQL;
//! the domain never sees SQL. Every method is a single atomic statement or transaction, and
//! nothing is cached, so several Cognate nodes may share one database.

use crate::client::AppClient;
pub use crate::device::DeviceStore;
use crate::domain::PoolDomain;
use crate::error::StoreError;
pub use crate::federation::IdentityProviderStore;
use crate::group::Group;
pub use crate::messaging::OutboxStore;
use crate::pool::UserPool;
use crate::resource_server::ResourceServer;
pub use crate::signup::codes::CodeStore;
use crate::ui_customization::StoredUiCustomization;
use crate::user::{User, UserFilter};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// Everything Cognate keeps. Split by resource family so each backend file stays small.
pub trait Store:
    PoolStore
    + ClientStore
    + DomainStore
    + UserStore
    + GroupStore
    + AuthStore
    + OAuthStore
    + ResourceServerStore
    + UiCustomizationStore
    + CodeStore
    + OutboxStore
    + DeviceStore
    + IdentityProviderStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: PoolStore
        + ClientStore
        + DomainStore
        + UserStore
        + GroupStore
        + AuthStore
        + OAuthStore
        + ResourceServerStore
        + UiCustomizationStore
        + CodeStore
        + OutboxStore
        + DeviceStore
        + IdentityProviderStore
        + Send
        + Sync
        + 'static
{
}

#[async_trait]
pub trait PoolStore {
    /// Fails with `Conflict` if the ID exists.
    async fn insert_pool(&self, pool: &UserPool) -> StoreResult<()>;
    /// Shared and read-only: a change is a copy (`UserPool::clone`) passed to `update_pool`.
    async fn get_pool(&self, pool_id: &str) -> StoreResult<Option<Arc<UserPool>>>;
    async fn update_pool(&self, pool: &UserPool) -> StoreResult<()>;
    /// Deletes the pool and everything in it (clients, domains, users, groups).
    async fn delete_pool(&self, pool_id: &str) -> StoreResult<()>;
    /// Pools of a region ordered by ID, after the given ID.
    async fn list_pools(
        &self,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserPool>>;
    /// Pools of every region ordered by ID, after the given ID (start-up checks).
    async fn list_pools_everywhere(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserPool>>;
}

#[async_trait]
pub trait ClientStore {
    async fn insert_client(&self, client: &AppClient) -> StoreResult<()>;
    async fn get_client(&self, client_id: &str) -> StoreResult<Option<AppClient>>;
    async fn update_client(&self, client: &AppClient) -> StoreResult<()>;
    async fn delete_client(&self, client_id: &str) -> StoreResult<()>;
    /// Clients of a pool ordered by client ID, after the given ID.
    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<AppClient>>;
}

#[async_trait]
pub trait DomainStore {
    /// Fails with `Conflict` if the domain name is taken (by any pool).
    async fn insert_domain(&self, domain: &PoolDomain) -> StoreResult<()>;
    async fn get_domain(&self, domain: &str) -> StoreResult<Option<PoolDomain>>;
    async fn list_domains_of_pool(&self, pool_id: &str) -> StoreResult<Vec<PoolDomain>>;
    async fn update_domain(&self, domain: &PoolDomain) -> StoreResult<()>;
    async fn delete_domain(&self, domain: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait UserStore {
    async fn count_users(&self, pool_id: &str) -> StoreResult<i64>;
    /// Fails with `Conflict` if the username key or the sub is taken in the pool.
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, pool_id: &str, username_key: &str) -> StoreResult<Option<User>>;
    /// Users whose attribute (one of the searchable ones) equals `value`, compared
    /// case-insensitively when `fold_case`.
    async fn find_users_by_attribute(
        &self,
        pool_id: &str,
        attribute: &str,
        value: &str,
        fold_case: bool,
    ) -> StoreResult<Vec<User>>;
    async fn update_user(&self, user: &User) -> StoreResult<()>;
    /// Deletes the user and their group memberships.
    async fn delete_user(&self, pool_id: &str, username_key: &str) -> StoreResult<()>;
    /// Users ordered by username key, after the given key, matching the filter.
    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<User>>;
}

#[async_trait]
pub trait GroupStore {
    /// Fails with `Conflict` if the group exists.
    async fn insert_group(&self, group: &Group) -> StoreResult<()>;
    async fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<Group>>;
    async fn update_group(&self, group: &Group) -> StoreResult<()>;
    /// Deletes the group and its memberships.
    async fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<()>;
    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Group>>;
    /// Idempotent.
    async fn add_user_to_group(
        &self,
        pool_id: &str,
        group: &str,
        username_key: &str,
    ) -> StoreResult<()>;
    async fn remove_user_from_group(
        &self,
        pool_id: &str,
        group: &str,
        username_key: &str,
    ) -> StoreResult<()>;
    /// Groups of a user ordered by name, after the given name.
    async fn list_groups_of_user(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Group>>;
    /// Members of a group ordered by username key, after the given key.
    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<User>>;
}

#[async_trait]
pub trait ResourceServerStore {
    /// Fails with `Conflict` if the pool has a resource server with that identifier.
    async fn insert_resource_server(&self, server: &ResourceServer) -> StoreResult<()>;
    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> StoreResult<Option<ResourceServer>>;
    async fn update_resource_server(&self, server: &ResourceServer) -> StoreResult<()>;
    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<()>;
    /// Resource servers of a pool ordered by identifier, after the given identifier.
    async fn list_resource_servers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<ResourceServer>>;
}

/// Hosted UI branding, per pool (client ID `ALL`) and per app client.
#[async_trait]
pub trait UiCustomizationStore {
    /// Creates or replaces the customization of its (pool, client ID).
    async fn put_ui_customization(&self, custom: &StoredUiCustomization) -> StoreResult<()>;
    async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<StoredUiCustomization>>;
    async fn delete_ui_customization(&self, pool_id: &str, client_id: &str) -> StoreResult<()>;
}

/// An RS256 signing key of a pool. The private key is sealed with the master key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub pool_id: String,
    /// `id` or `access`: Cognito signs the two kinds of token with different keys.
    pub purpose: String,
    pub created_ms: i64,
    /// When a rotation replaced it; it stays published until its tokens have expired.
    pub retired_ms: Option<i64>,
    pub sealed_pkcs8: String,
    /// The public key as JWK members (base64url).
    pub n: String,
    pub e: String,
}

/// One sign-in: the tokens it produced share its `origin_jti`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSession {
    pub origin_jti: String,
    pub pool_id: String,
    pub username_key: String,
    pub client_id: String,
    pub auth_time_ms: i64,
    /// When its refresh tokens stop working.
    pub expires_ms: i64,
    pub revoked_ms: Option<i64>,
    /// Scopes granted by an OAuth sign-in (refreshes keep them); `None` for API sign-ins.
    pub scope: Option<String>,
    /// The device the sign-in was made from (device tracking): refreshing needs its key.
    pub device_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    /// SHA-256 of the token, hex: the token itself is never stored.
    pub token_hash: String,
    pub origin_jti: String,
    pub pool_id: String,
    pub created_ms: i64,
    /// Set when rotation issued a successor.
    pub replaced_ms: Option<i64>,
}

/// Signing keys, sign-in sessions, refresh tokens, single-use challenges and lockout counters.
#[async_trait]
pub trait AuthStore {
    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> StoreResult<()>;
    /// Every key of the pool, oldest first.
    async fn list_signing_keys(&self, pool_id: &str) -> StoreResult<Vec<SigningKeyRecord>>;
    async fn get_signing_key(&self, kid: &str) -> StoreResult<Option<SigningKeyRecord>>;
    /// Marks every current key of the pool retired at `at_ms`.
    async fn retire_signing_keys(&self, pool_id: &str, at_ms: i64) -> StoreResult<()>;

    /// Records a sign-in, then its first refresh token (a failure in between leaves a session
    /// no token names: harmless, as nothing can present it).
    async fn insert_auth_session(
        &self,
        session: &AuthSession,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()>;
    async fn get_auth_session(&self, origin_jti: &str) -> StoreResult<Option<AuthSession>>;
    /// A session and its user (`None` when the user is gone), in one read: what every
    /// request with an access token needs.
    async fn get_auth_session_with_user(
        &self,
        origin_jti: &str,
    ) -> StoreResult<Option<(AuthSession, Option<User>)>>;
    async fn find_refresh_token(&self, token_hash: &str)
    -> StoreResult<Option<RefreshTokenRecord>>;
    /// Marks `old_hash` replaced at `at_ms` and stores its successor, atomically. `false` when
    /// the old token had already been replaced (a concurrent rotation won).
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        at_ms: i64,
        new: &RefreshTokenRecord,
    ) -> StoreResult<bool>;
    /// Adds another refresh token to a session (a retry within the rotation grace period).
    async fn add_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()>;
    async fn revoke_auth_session(&self, origin_jti: &str, at_ms: i64) -> StoreResult<()>;
    /// Revokes every session of a user (global sign-out, disabling).
    async fn revoke_user_sessions(
        &self,
        pool_id: &str,
        username_key: &str,
        at_ms: i64,
    ) -> StoreResult<()>;

    /// Marks a challenge session used. `false` when it already was.
    async fn consume_challenge(&self, id: &str, expires_ms: i64, now_ms: i64) -> StoreResult<bool>;
    /// Whether `id` was marked used (by [`AuthStore::consume_challenge`]) and has not expired.
    async fn challenge_used(&self, id: &str, now_ms: i64) -> StoreResult<bool>;

    /// (failures, last failure) of a user, if any.
    async fn sign_in_failures(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> StoreResult<Option<(i64, i64)>>;
    /// Starts a sign-in attempt, atomically: `None` (nothing written) while the user is locked
    /// out under `rule`; otherwise the attempt is counted as a failure before the proof is
    /// checked (a count older than `rule.reset_after_ms` starts again from one) and the new
    /// count is returned. Counting first means parallel guesses cannot all pass one check;
    /// a success clears the count with [`AuthStore::clear_sign_in_failures`].
    async fn begin_sign_in_attempt(
        &self,
        pool_id: &str,
        username_key: &str,
        now_ms: i64,
        rule: &LockoutRule,
    ) -> StoreResult<Option<i64>>;
    async fn clear_sign_in_failures(&self, pool_id: &str, username_key: &str) -> StoreResult<()>;
    /// Takes back one counted attempt (one whose proof was never judged).
    async fn forgive_sign_in_attempt(&self, pool_id: &str, username_key: &str) -> StoreResult<()>;
    /// Forgets what has expired, in one transaction (one connection, so an idle node keeps
    /// one open): failure counts whose last failure was before `cutoffs.failures_before_ms`
    /// (they count from one again anyway; unknown usernames would otherwise pile up rows),
    /// codes and used challenges expired at `cutoffs.now_ms`, caps whose hour has passed, and messages delivered or
    /// failed before `cutoffs.messages_before_ms`. Returns the rows removed.
    async fn prune_expired(&self, cutoffs: PruneCutoffs) -> StoreResult<u64>;
}

/// The lockout rule a store applies in [`AuthStore::begin_sign_in_attempt`]: after
/// `free_failures` failures the user is locked for `2^(failures - free_failures)` seconds,
/// `max_lock_ms` from `cap_exponent` on; a count quiet for `reset_after_ms` no longer locks.
#[derive(Debug, Clone, Copy)]
pub struct LockoutRule {
    pub free_failures: i64,
    pub cap_exponent: i64,
    pub max_lock_ms: i64,
    pub reset_after_ms: i64,
}

/// What [`AuthStore::prune_expired`] removes, by time (milliseconds since the epoch).
#[derive(Debug, Clone, Copy)]
pub struct PruneCutoffs {
    pub now_ms: i64,
    pub failures_before_ms: i64,
    pub messages_before_ms: i64,
}

/// An authorization code of the OAuth code flow, as stored (under the code's hash).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuthCode {
    pub code_hash: String,
    pub pool_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub username_key: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub auth_time_ms: i64,
    pub expires_ms: i64,
}

/// An authorization code as found, with whether it was spent and the session it produced.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCode {
    pub code: AuthCode,
    pub used: bool,
    pub origin_jti: Option<String>,
}

#[async_trait]
pub trait OAuthStore {
    async fn insert_auth_code(&self, code: &AuthCode, now_ms: i64) -> StoreResult<()>;
    /// Reads a code without spending it (the request is checked first, so a wrong client or
    /// verifier leaves it usable by its own).
    async fn find_auth_code(&self, code_hash: &str) -> StoreResult<Option<FoundCode>>;
    /// Spends a code atomically: `true` for the one caller that spent it.
    async fn spend_auth_code(&self, code_hash: &str, now_ms: i64) -> StoreResult<bool>;
    /// Records the session a redeemed code produced.
    async fn set_auth_code_session(&self, code_hash: &str, origin_jti: &str) -> StoreResult<()>;
}
