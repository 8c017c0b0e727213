//! Public documents (task descriptions), stored under their hash.
//!
//! A document is the text whose hash a `PostTask` puts on chain, so only an officer (the role
//! that posts tasks) may store one, on a signed request (issue 12); the signature is checked
//! before the body is read. Each officer may store [`Quota::per_signer`] documents per hour and
//! all of them together [`Quota::total`], so that one key cannot fill the node's disk;
//! beyond that the node answers 429 `too_many_documents`. The same text is stored once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use api::Stored;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use contracts::crypto::HashKind;
use contracts::{AccountId, Role};

use super::auth::SignedRequest;
use super::error::{ApiError, ApiResult, parse_hash};
use super::evidence::read_body;
use super::state::AppState;
use crate::ledger::{Handle, wall_clock_ms};

/// Longest public document (task description), in bytes.
pub const MAX_DOCUMENT: usize = 4096;
/// Length of a quota window.
const HOUR_MS: u64 = 3_600_000;

/// How many documents may be stored per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// By one officer.
    pub per_signer: u32,
    /// By all officers together.
    pub total: u32,
}

impl Default for Quota {
    /// 100 an hour per officer (a busy officer posts a few dozen tasks a day), 1,000 in all.
    fn default() -> Self {
        Self { per_signer: 100, total: 1_000 }
    }
}

#[derive(Debug, Default)]
struct Counts {
    hour: u64,
    total: u32,
    per_signer: BTreeMap<AccountId, u32>,
}

/// The documents stored this hour (a fixed window of the wall clock), per officer and in all;
/// cheap to clone. Like the replay guard, one small map behind a mutex held for a few
/// operations, never across an `.await`.
#[derive(Debug, Clone)]
pub struct DocumentQuota {
    quota: Quota,
    counts: Arc<Mutex<Counts>>,
}

impl DocumentQuota {
    /// No documents counted yet.
    pub fn new(quota: Quota) -> Self {
        Self { quota, counts: Arc::new(Mutex::new(Counts::default())) }
    }

    /// Counts one document of `signer` at `now_ms`, or says why not.
    fn take(&self, signer: AccountId, now_ms: u64) -> Result<(), ApiError> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let hour = now_ms / HOUR_MS;
        if hour != counts.hour {
            *counts = Counts { hour, ..Counts::default() };
        }
        let mine = counts.per_signer.get(&signer).copied().unwrap_or(0);
        let retry = HOUR_MS.saturating_sub(now_ms % HOUR_MS).div_ceil(60_000);
        let refuse = |who: String| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_documents",
                format!("{who} stored as many documents as allowed this hour; try again in {retry} minutes"),
            )
        };
        if mine >= self.quota.per_signer {
            return Err(refuse(signer.to_string()));
        }
        if counts.total >= self.quota.total {
            return Err(refuse("the officers together".into()));
        }
        counts.total = counts.total.saturating_add(1);
        counts.per_signer.insert(signer, mine.saturating_add(1));
        Ok(())
    }
}

pub(super) async fn upload_document(
    State(state): State<AppState>,
    signed: SignedRequest,
    request: Request,
) -> ApiResult<Stored> {
    const OFFICER: &[Role] = &[Role::Officer];
    let signer = signed.authorize(&state.handle, OFFICER, None).await?;
    state.documents.take(signer, wall_clock_ms().0)?;
    let body = read_body(request, MAX_DOCUMENT).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("not_utf8", "a document must be UTF-8 text"))?
        .to_owned();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("empty_upload", "the document is empty"));
    }
    let hash = HashKind::Document.hash(text.as_bytes());
    let size = text.len();
    state.handle.call(move |l| l.storage().put_document(&hash, &text)).await??;
    Ok(Json(Stored { commitment: hash, size }))
}

pub(super) async fn document(State(handle): State<Handle>, Path(hash): Path<String>) -> Result<Response, ApiError> {
    let hash = parse_hash(&hash, "document hash")?;
    let text = handle.call(move |l| l.storage().document(&hash)).await??;
    let text = text.ok_or_else(|| ApiError::not_found("unknown_document", format!("no document {hash}")))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_12_documents_are_counted_per_officer_and_in_all_per_hour() {
        let quota = DocumentQuota::new(Quota { per_signer: 2, total: 3 });
        let officer = |b: u8| contracts::crypto::account_of(&ed25519_dalek::SigningKey::from_bytes(&[b; 32]));
        let t = 10 * HOUR_MS;
        assert!(quota.take(officer(1), t).is_ok());
        assert!(quota.take(officer(1), t + 1).is_ok());
        assert_eq!(quota.take(officer(1), t + 2).unwrap_err().0, StatusCode::TOO_MANY_REQUESTS);
        assert!(quota.take(officer(2), t + 3).is_ok(), "another officer has their own share");
        assert_eq!(quota.take(officer(3), t + 4).unwrap_err().1.error, "too_many_documents");
        assert!(quota.take(officer(1), t + HOUR_MS).is_ok(), "a new hour");
    }
}
