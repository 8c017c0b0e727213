//! The signed read: staff and owners sign a request with the `api::staff::SignedRead` scheme in
//! its `Authorization` header. [`SignedRequest`] is the one check every signed route uses (the
//! evidence upload, reads, listing and erasure, the registry's bank details, the open payouts and
//! the audit log): the signature over this very method and path with its query, for this chain,
//! made within the time window around this node's clock; [`SignedRequest::authorize`] adds who
//! may sign (a role on chain, or the subject itself).
//!
//! The extractor only takes the request apart and never refuses, so each handler checks its own
//! path and query first and the signature where it did before.

use std::convert::Infallible;

use api::staff::{AuthError, SignedRead};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use contracts::{AccountId, Role};

use super::error::ApiError;
use crate::ledger::{Handle, wall_clock_ms};

/// A request as its signature covers it: the `Authorization` header, the method, and the path
/// with its query.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    authorization: Option<HeaderValue>,
    method: Method,
    path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedRequest {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let uri = &parts.uri;
        Ok(Self {
            authorization: parts.headers.get(header::AUTHORIZATION).cloned(),
            method: parts.method.clone(),
            path: uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned(),
        })
    }
}

fn unauthorized(message: String) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

impl SignedRequest {
    /// The path with its query, as the request named it (and its signature must cover).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Checks the signature: present, ASCII, well formed, and made for this chain over this
    /// method and path at a time within the window around this node's clock. 401
    /// `unauthorized` otherwise.
    pub async fn verify(&self, handle: &Handle) -> Result<SignedRead, ApiError> {
        let value = self.authorization.as_ref().ok_or_else(|| unauthorized(AuthError::Missing.to_string()))?;
        let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not ASCII".into()))?;
        let read = SignedRead::parse(value).map_err(|e| unauthorized(e.to_string()))?;
        let chain = handle.call(|l| l.head().chain_id.clone()).await?;
        read.verify(&chain, self.method.as_str(), &self.path, wall_clock_ms())
            .map_err(|e| unauthorized(e.to_string()))?;
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
