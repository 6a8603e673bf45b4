//! The browser- and relying-party-facing side of Cognate, at the paths Cognito uses:
//! - `/<poolId>/.well-known/{jwks.json,openid-configuration}` (wellknown.rs);
//! - `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke` (endpoints.rs);
//! - `/oauth2/authorize`, `/login`, `/logout`, `/error`: the hosted pages (pages.rs), with
//!   federated sign-in through `/oauth2/idpresponse` (federation_pages.rs) and SAML's
//!   `/saml2/idpresponse`, `/saml2/logout`, `/saml2/metadata/<poolId>` (saml_pages.rs), and
//!   the second factor's pages under `/login/mfa` (mfa_pages.rs) and sign-up and recovery
//!   (signup_pages);
//! - `/console`: the web console for administrators (console/).
//!
//! Everything is served at the server root, where the pool comes from `client_id` or the
//! token, and under any pool domain (prefix or custom) routed here, found by the `Host`
//! header, where only that pool's clients are accepted.

pub mod console;
mod endpoints;
mod federation_pages;
mod mfa_pages;
mod pages;
mod saml_pages;
mod security;
mod signup_pages;
mod wellknown;

use axum::Router;
use axum::routing::{get, post};
use cognate_core::Cognito;
use std::sync::Arc;

pub fn router(cognito: Arc<Cognito>) -> Router {
    Router::new()
        .route("/{pool_id}/.well-known/jwks.json", get(wellknown::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(wellknown::discovery),
        )
        .route("/oauth2/token", post(endpoints::token))
        .route(
            "/oauth2/userInfo",
            get(endpoints::user_info).post(endpoints::user_info),
        )
        .route("/oauth2/revoke", post(endpoints::revoke))
        .route("/oauth2/authorize", get(pages::authorize))
        .route(
            "/oauth2/idpresponse",
            get(federation_pages::idp_response).post(federation_pages::idp_response_post),
        )
        .route("/saml2/idpresponse", post(saml_pages::idp_response))
        .route("/saml2/logout", post(saml_pages::logout_response))
        .route("/saml2/metadata/{pool_id}", get(saml_pages::metadata))
        .route("/login", get(pages::login_form).post(pages::login_submit))
        .route("/login/new-password", post(pages::new_password_submit))
        .route("/login/mfa", post(mfa_pages::code_submit))
        .route("/login/mfa/select", post(mfa_pages::select_submit))
        .route("/login/mfa/setup", post(mfa_pages::setup_submit))
        .route("/logout", get(pages::logout))
        .route("/error", get(pages::error))
        .route("/ui-images/{pool_id}/{client_id}", get(pages::ui_image))
        .route("/confirmUser", get(signup_pages::confirm_user))
        .route(
            "/signup",
            get(signup_pages::sign_up_form).post(signup_pages::sign_up_submit),
        )
        .route(
            "/confirm",
            get(signup_pages::confirm_form).post(signup_pages::confirm_submit),
        )
        .route("/resendcode", get(signup_pages::resend_code))
        .route(
            "/forgotPassword",
            get(signup_pages::forgot_password_form).post(signup_pages::forgot_password_submit),
        )
        .route(
            "/confirmForgotPassword",
            get(signup_pages::confirm_forgot_password_form)
                .post(signup_pages::confirm_forgot_password_submit),
        )
        .route_layer(axum::middleware::from_fn(security::refuse_nul))
        .with_state(cognito)
}
