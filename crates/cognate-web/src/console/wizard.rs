//! The create-pool wizard's pages: `GET /console/pools/new` starts it, every step posts to
//! `POST /console/pools/new` with the sealed draft, the step's fields and where to go (next,
//! back, create). Create makes the calls of `cognate-core/src/console/wizard.rs` through the
//! API; an error brings the step back with the message next to its field, and nothing half
//! made is left behind.

use super::{ConsoleState, render, sign_out_token, signed_in};
use crate::security::{self, CsrfForm, csrf_ok, csrf_token};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use cognate_core::console::ConsoleSession;
use cognate_core::console::wizard::{PROVIDER_TYPES, PoolDraft, REQUIRABLE, STEPS};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

const ACTION: &str = "/console/pools/new";
const ALREADY_CREATED: &str = "This user pool was already created: see the user pools.";

/// A draft's one-time Create token.
fn nonce() -> String {
    use base64::Engine;
    let mut raw = [0u8; 16];
    cognate_core::secrets::fill_random(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

#[derive(Template)]
#[template(path = "console/wizard.html")]
struct WizardPage<'a> {
    signout_csrf: Option<String>,
    csrf: String,
    sealed: String,
    region: String,
    step: usize,
    steps: &'static [&'static str],
    d: &'a PoolDraft,
    requirable: &'static [&'static str],
    provider_types: &'static [&'static str],
    delivery: &'a [String],
    field: Option<&'static str>,
    error: Option<String>,
}

impl WizardPage<'_> {
    /// The error to show next to `name`, if it is the field in error.
    fn error_for(&self, name: &str) -> Option<&str> {
        (self.field == Some(name))
            .then_some(self.error.as_deref())
            .flatten()
    }

    fn required(&self, attribute: &&str) -> bool {
        self.d.required.iter().any(|r| r == attribute)
    }
}

#[derive(Deserialize)]
pub(super) struct NewQuery {
    region: Option<String>,
}

fn form_for(session: &ConsoleSession) -> CsrfForm<'_> {
    CsrfForm {
        action: ACTION,
        query: &session.id,
    }
}

#[allow(clippy::too_many_arguments)]
fn show(
    state: &ConsoleState,
    headers: &HeaderMap,
    jar: CookieJar,
    session: &ConsoleSession,
    region: String,
    step: usize,
    draft: &PoolDraft,
    error: Option<(Option<&'static str>, String)>,
) -> Response {
    let host = security::host(headers);
    let (jar, csrf) = csrf_token(&state.cognito.secrets, jar, &host, form_for(session));
    let (jar, signout) = sign_out_token(state, jar, headers, session);
    let (field, error, status) = match error {
        Some((field, message)) => (field, Some(message), StatusCode::BAD_REQUEST),
        None => (None, None, StatusCode::OK),
    };
    let page = WizardPage {
        signout_csrf: Some(signout),
        csrf,
        sealed: state.cognito.seal_draft(draft),
        region,
        step,
        steps: &STEPS,
        d: draft,
        requirable: &REQUIRABLE,
        provider_types: &PROVIDER_TYPES,
        delivery: &state.delivery,
        field,
        error,
    };
    (jar, render(page, status)).into_response()
}

/// `GET /console/pools/new[?region=]`: step 1 with the AWS console's defaults.
pub(super) async fn start(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<NewQuery>,
) -> Response {
    let session = match signed_in(&state, &jar, &headers).await {
        Ok(s) => s,
        Err(to_sign_in) => return to_sign_in,
    };
    let region = super::pools::region(q.region.as_deref());
    let draft = PoolDraft {
        nonce: nonce(),
        ..PoolDraft::default()
    };
    show(&state, &headers, jar, &session, region, 1, &draft, None)
}

/// Takes the fields of `step` from the form into the draft (an unticked box is absent).
fn apply(step: usize, f: &HashMap<String, String>, d: &mut PoolDraft) {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let ticked = |k: &str| f.contains_key(k);
    match step {
        1 => {
            d.sign_in_username = ticked("sign_in_username");
            d.sign_in_email = ticked("sign_in_email");
            d.sign_in_phone = ticked("sign_in_phone");
            d.federated = ticked("federated");
            d.provider_name = text("provider_name");
            d.provider_type = text("provider_type");
            d.provider_details = text("provider_details");
            d.provider_mapping = text("provider_mapping");
        }
        2 => {
            d.password_policy = text("password_policy");
            d.min_length = text("min_length");
            d.require_numbers = ticked("require_numbers");
            d.require_symbols = ticked("require_symbols");
            d.require_uppercase = ticked("require_uppercase");
            d.require_lowercase = ticked("require_lowercase");
            d.temporary_password_days = text("temporary_password_days");
            d.mfa = text("mfa");
            d.mfa_totp = ticked("mfa_totp");
            d.mfa_sms = ticked("mfa_sms");
            d.self_service_recovery = ticked("self_service_recovery");
        }
        3 => {
            d.self_registration = ticked("self_registration");
            d.verify = text("verify");
            d.required = REQUIRABLE
                .iter()
                .filter(|a| ticked(&format!("required_{a}")))
                .map(|a| (*a).to_owned())
                .collect();
            d.custom_attribute = text("custom_attribute");
            d.custom_type = text("custom_type");
        }
        4 => d.from_email = text("from_email"),
        5 => {
            d.pool_name = text("pool_name");
            d.hosted_ui = ticked("hosted_ui");
            d.domain = text("domain");
            d.client_type = text("client_type");
            d.client_name = text("client_name");
            d.generate_secret = ticked("generate_secret");
            d.callback_urls = text("callback_urls");
            d.sign_out_urls = text("sign_out_urls");
            d.access_token_minutes = text("access_token_minutes");
            d.id_token_minutes = text("id_token_minutes");
            d.refresh_token_days = text("refresh_token_days");
        }
        _ => {}
    }
}

/// `POST /console/pools/new`: a step's answers, and where to go.
pub(super) async fn step(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let session = match signed_in(&state, &jar, &headers).await {
        Ok(s) => s,
        Err(to_sign_in) => return to_sign_in,
    };
    let host = security::host(&headers);
    let presented = f.get("_csrf").map(String::as_str);
    if !csrf_ok(
        &state.cognito.secrets,
        &jar,
        &host,
        form_for(&session),
        presented,
    ) {
        return super::fail(StatusCode::FORBIDDEN, "The form expired. Start again.");
    }
    let Some(mut draft) = f.get("draft").and_then(|d| state.cognito.open_draft(d)) else {
        return super::fail(StatusCode::BAD_REQUEST, "The wizard's state is missing.");
    };
    let region = super::pools::region(f.get("region").map(String::as_str));
    let at = f
        .get("step")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| (1..=STEPS.len()).contains(s))
        .unwrap_or(1);
    apply(at, &f, &mut draft);
    let go = f.get("go").map(String::as_str).unwrap_or("next");
    if let Some(n) = go
        .strip_prefix("edit-")
        .and_then(|n| n.parse::<usize>().ok())
    {
        let n = n.clamp(1, STEPS.len());
        return show(&state, &headers, jar, &session, region, n, &draft, None);
    }
    match go {
        "back" => {
            let to = at.saturating_sub(1).max(1);
            show(&state, &headers, jar, &session, region, to, &draft, None)
        }
        "create" => match create(state.clone(), region.clone(), draft.clone()).await {
            Ok(pool_id) => Redirect::to(&format!("/console/pools/{pool_id}")).into_response(),
            Err((to, field, message)) => {
                // Nothing was made (the pool was removed): the corrected draft may Create
                // again, under a new nonce. Only a draft that did make its pool keeps its own.
                if message != ALREADY_CREATED {
                    draft.nonce = nonce();
                }
                let error = Some((field, message));
                show(&state, &headers, jar, &session, region, to, &draft, error)
            }
        },
        _ => {
            if at == 1
                && let Some(message) = draft.sign_in_error()
            {
                let error = Some((Some("sign_in"), message.to_owned()));
                return show(&state, &headers, jar, &session, region, 1, &draft, error);
            }
            let to = (at + 1).min(STEPS.len());
            show(&state, &headers, jar, &session, region, to, &draft, None)
        }
    }
}

type Failed = (usize, Option<&'static str>, String);

/// Makes the pool, its MFA settings, app client and domain — on a task of its own, so a
/// browser that goes away cannot stop it halfway; on an error, removes what was made and says
/// which field it is about.
async fn create(
    state: Arc<ConsoleState>,
    region: String,
    draft: PoolDraft,
) -> Result<String, Failed> {
    if let Some(message) = draft.sign_in_error() {
        return Err((1, Some("sign_in"), message.to_owned()));
    }
    match state.cognito.claim_draft(&draft).await {
        Ok(true) => {}
        Ok(false) => {
            return Err((6, None, ALREADY_CREATED.to_owned()));
        }
        Err(e) => return Err((6, None, e.message)),
    }
    tokio::spawn(async move { make(&state, &region, &draft).await })
        .await
        .unwrap_or_else(|_| Err((6, None, "The user pool could not be created.".to_owned())))
}

async fn make(state: &ConsoleState, region: &str, draft: &PoolDraft) -> Result<String, Failed> {
    let requests = draft.requests();
    let fail = |op: &str, message: String| {
        let (step, field) = draft.field_of(op, &message);
        (step, field, message)
    };
    let made = state
        .api
        .call(region, "CreateUserPool", requests.create_user_pool)
        .await
        .map_err(|e| fail("CreateUserPool", e.message))?;
    let pool_id = made["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let with_pool = |mut input: Value| {
        input["UserPoolId"] = json!(pool_id);
        input
    };
    let mut calls = Vec::new();
    if let Some(mfa) = requests.mfa_config {
        calls.push(("SetUserPoolMfaConfig", with_pool(mfa)));
    }
    if let Some(provider) = requests.create_provider {
        calls.push(("CreateIdentityProvider", with_pool(provider)));
    }
    calls.push(("CreateUserPoolClient", with_pool(requests.create_client)));
    if let Some(domain) = requests.create_domain {
        calls.push(("CreateUserPoolDomain", with_pool(domain)));
    }
    for (op, input) in calls {
        if let Err(e) = state.api.call(region, op, input).await {
            // Nothing half made: the pool goes, and its client and domain with it.
            let removed = state
                .api
                .call(region, "DeleteUserPool", json!({"UserPoolId": pool_id}))
                .await;
            let mut failed = fail(op, e.message);
            if let Err(left) = removed {
                tracing::error!(%pool_id, error = %left.message, "a half-made pool was not removed");
                failed.2 = format!(
                    "{} (The user pool {pool_id} was made and could not be removed: delete it from the user pools.)",
                    failed.2
                );
            }
            return Err(failed);
        }
    }
    tracing::info!(%pool_id, "user pool created in the console");
    Ok(pool_id)
}
