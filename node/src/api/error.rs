//! The API's error answer and the input parsers every handler shares. Bad input gets a 4xx with
//! a JSON [`ErrorBody`] and never changes state; a ledger, storage or evidence refusal becomes
//! its status and stable error code here.

use api::ErrorBody;
use axum::Json;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use contracts::{AccountId, Hash, Invalid};

use crate::ledger::{AdmitError, ReadError, SubmitError, Unavailable};
use crate::offchain::evidence::Refusal;
use crate::store::StoreError;

/// An API error: status and body.
#[derive(Debug)]
pub struct ApiError(pub(crate) StatusCode, pub(crate) ErrorBody);

impl ApiError {
    pub(crate) fn new(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        Self(status, ErrorBody { error: error.into(), message: message.into() })
    }
    pub(crate) fn bad_request(error: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, message)
    }
    pub(crate) fn not_found(error: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, error, message)
    }
}

/// Seconds a client should wait before retrying a 429 or 503.
pub(crate) const RETRY_AFTER_SECS: &str = "1";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = matches!(self.0, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE);
        let mut response = (self.0, Json(self.1)).into_response();
        if retry {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        response
    }
}

impl From<ReadError> for ApiError {
    fn from(err: ReadError) -> Self {
        let message = err.to_string();
        match err {
            ReadError::TooMany => Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_reads", message),
            ReadError::Overloaded => Self::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", message),
            ReadError::Stopped => Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message),
        }
    }
}

impl From<Unavailable> for ApiError {
    fn from(err: Unavailable) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", err.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        tracing::error!(%err, "storage error while serving a request");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the node could not read its storage")
    }
}

impl From<SubmitError> for ApiError {
    fn from(err: SubmitError) -> Self {
        let message = err.to_string();
        match err {
            SubmitError::Invalid(Invalid::WrongChain { .. }) => Self::bad_request("wrong_chain", message),
            SubmitError::Invalid(Invalid::BadSignature(_)) => {
                Self::new(StatusCode::UNAUTHORIZED, "bad_signature", message)
            }
            SubmitError::Invalid(Invalid::UnknownSigner(_)) => Self::not_found("unknown_account", message),
            SubmitError::Invalid(Invalid::BadNonce { .. }) | SubmitError::Admit(AdmitError::Nonce { .. }) => {
                Self::new(StatusCode::CONFLICT, "bad_nonce", message)
            }
            SubmitError::Admit(AdmitError::Duplicate(_)) => Self::new(StatusCode::CONFLICT, "duplicate", message),
            SubmitError::Admit(AdmitError::AccountFull(_)) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "account_queue_full", message)
            }
            SubmitError::Admit(AdmitError::Full(_)) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "mempool_full", message)
            }
            SubmitError::AlreadyCommitted { .. } => Self::new(StatusCode::CONFLICT, "already_committed", message),
            SubmitError::PendingWouldFail { .. } => Self::new(StatusCode::CONFLICT, "pending_would_fail", message),
            SubmitError::Rejected { reason, message } => Self::new(StatusCode::UNPROCESSABLE_ENTITY, &reason, message),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let message = refusal.to_string();
        match refusal {
            Refusal::UnknownClaim(_) => Self::not_found("unknown_claim", message),
            Refusal::NotYourClaim { .. } => Self::new(StatusCode::FORBIDDEN, "not_your_claim", message),
            Refusal::ClaimClosed { .. } => Self::new(StatusCode::CONFLICT, "claim_not_open", message),
            Refusal::TooManyRecords { .. } => Self::new(StatusCode::CONFLICT, "too_many_records", message),
            Refusal::Forbidden { .. } => Self::new(StatusCode::FORBIDDEN, "forbidden", message),
            Refusal::NotOwner(_) => Self::new(StatusCode::FORBIDDEN, "not_owner", message),
            Refusal::StillNeeded(_) => Self::new(StatusCode::CONFLICT, "still_needed", message),
            Refusal::BadNotice(_) | Refusal::OutOfRetention(_) | Refusal::Forged { .. } => {
                Self::bad_request("bad_replica", message)
            }
            Refusal::Store(err) => err.into(),
        }
    }
}

/// A body that could not be read: too large for `limit`, or cut off.
pub(crate) fn body_error(rejection: BytesRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is larger than {limit} bytes"))
    } else {
        ApiError::bad_request("bad_body", rejection.body_text())
    }
}

/// A query string that does not parse.
pub(crate) fn query_error(rejection: QueryRejection) -> ApiError {
    ApiError::bad_request("bad_query", rejection.body_text())
}

/// A hash in hex; `what` names it in the message.
pub(crate) fn parse_hash(text: &str, what: &str) -> Result<Hash, ApiError> {
    Hash::from_hex(text).map_err(|e| ApiError::bad_request("bad_hash", format!("{what} {text:?}: {e}")))
}

/// An account address.
pub(crate) fn parse_address(text: &str) -> Result<AccountId, ApiError> {
    AccountId::from_address(text).map_err(|e| ApiError::bad_request("bad_address", e.to_string()))
}

/// A whole number in a path; `what` names it in the message.
pub(crate) fn parse_number(text: &str, what: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::bad_request("bad_id", format!("{what} {text:?} is not a whole number")))
}

/// What a JSON handler answers.
pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;
