//! The signed read: staff and owners sign a request with the `api::staff::SignedRead` scheme in
//! its `Authorization` header. [`SignedRequest`] is the one check every signed route uses (the
//! evidence upload, reads, listing and erasure, the registry's bank details, the open payouts,
//! the audit log, documents, shop statements and the review draw): the signature over this
//! very method and path with its query, for this chain and this node, made within the time
//! window around this node's clock, by an account on chain, with a nonce this node has not
//! accepted before (`replay`); [`SignedRequest::authorize`] adds who may sign (a role on
//! chain, or the subject itself).
//!
//! The extractor only takes the request apart and never refuses (nor reads the body), so each
//! handler checks its own path and query first and the signature before anything else, and a
//! handler with a body checks the signature before it reads the body.

use std::convert::Infallible;

use api::staff::{AuthError, SignedRead};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use contracts::{AccountId, Role};

use super::error::ApiError;
use super::replay::{self, ReplayGuard};
use super::state::AppState;
use crate::ledger::{Handle, wall_clock_ms};

/// A request as its signature covers it: the `Authorization` header, the method, and the path
/// with its query; with this node's address and replay guard to check it against.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    authorization: Option<HeaderValue>,
    method: Method,
    path: String,
    node: AccountId,
    replay: ReplayGuard,
}

impl FromRequestParts<AppState> for SignedRequest {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let uri = &parts.uri;
        Ok(Self {
            authorization: parts.headers.get(header::AUTHORIZATION).cloned(),
            method: parts.method.clone(),
            path: uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned(),
            node: state.validator,
            replay: state.replay.clone(),
        })
    }
}

fn unauthorized(message: String) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

fn auth_error(err: &AuthError) -> ApiError {
    match err {
        AuthError::WrongNode { .. } => ApiError::new(StatusCode::UNAUTHORIZED, "wrong_node", err.to_string()),
        _ => unauthorized(err.to_string()),
    }
}

fn replay_error(refusal: replay::Refusal, read: &SignedRead) -> ApiError {
    let window = api::staff::MAX_SKEW_MS / 1000;
    match refusal {
        replay::Refusal::Replayed => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "replayed",
            format!(
                "this node already accepted a request of {} with nonce {}: a signed request is used once; sign a new \
                 one (the wallet does this for every request)",
                read.reader,
                hex::encode(read.nonce)
            ),
        ),
        replay::Refusal::Stale => unauthorized(format!(
            "the request was signed at {} ms, more than {window} s ago by this node's clock; sign it again",
            read.time.0
        )),
        replay::Refusal::ReaderFull => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_signed_requests",
            format!("{} sent too many signed requests in the last {window} s; try again in {window} s", read.reader),
        ),
        replay::Refusal::Full => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "replay_guard_full",
            format!(
                "this node holds as many signed requests as it can check for replays; try again in {window} s or at \
                 another node"
            ),
        ),
    }
}

impl SignedRequest {
    /// The path with its query, as the request named it (and its signature must cover).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the request carries an `Authorization` header at all (routes that answer more
    /// to a signed reader than to the public check the signature only then).
    pub fn is_signed(&self) -> bool {
        self.authorization.is_some()
    }

    /// Checks the signature: present, ASCII, well formed, made for this chain and this node over
    /// this method and path at a time within the window around this node's clock, by an account
    /// on chain; then takes its nonce, refusing one this node accepted before. 401
    /// `unauthorized`, `wrong_node` or `replayed`; 403 `unknown_signer`; 429 or 503 when the
    /// replay guard is full.
    pub async fn verify(&self, handle: &Handle) -> Result<SignedRead, ApiError> {
        let value = self.authorization.as_ref().ok_or_else(|| unauthorized(AuthError::Missing.to_string()))?;
        let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not ASCII".into()))?;
        let read = SignedRead::parse(value).map_err(|e| auth_error(&e))?;
        let reader = read.reader;
        let (chain, on_chain) = handle
            .call(move |l| {
                let state = l.state();
                (l.head().chain_id.clone(), state.account(&reader).is_some() || state.till(&reader).is_some())
            })
            .await?;
        let now = wall_clock_ms();
        read.verify(&chain, &self.node, self.method.as_str(), &self.path, now).map_err(|e| auth_error(&e))?;
        // Only accounts on chain (and linked tills) may take room in the replay guard.
        if !on_chain {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "unknown_signer",
                format!("{reader} has no account on this chain; only accounts on chain and linked tills sign requests"),
            ));
        }
        self.replay.admit(reader, read.nonce, read.time, now).map_err(|refusal| replay_error(refusal, &read))?;
        Ok(read)
    }

    /// Checks the signature ([`Self::verify`]) and that the signer is `subject` or holds one of
    /// `roles` in the committed state; 403 `forbidden` otherwise. Returns the signer.
    pub async fn authorize(
        &self,
        handle: &Handle,
        roles: &'static [Role],
        subject: Option<AccountId>,
    ) -> Result<AccountId, ApiError> {
        let reader = self.verify(handle).await?.reader;
        let allowed = handle
            .call(move |l| subject == Some(reader) || roles.iter().any(|role| l.has_role(&reader, *role)))
            .await?;
        if !allowed {
            let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("{reader} may not read this: it needs the role {}", names.join(" or ")),
            ));
        }
        Ok(reader)
    }
}
