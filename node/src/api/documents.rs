//! Public documents (task descriptions), stored under their hash.

use api::Stored;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use contracts::crypto::HashKind;

use super::error::{ApiError, ApiResult, body_error, parse_hash};
use crate::ledger::Handle;

/// Longest public document (task description), in bytes.
pub const MAX_DOCUMENT: usize = 4096;

pub(super) async fn upload_document(
    State(handle): State<Handle>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Stored> {
    let body = body.map_err(|r| body_error(r, MAX_DOCUMENT))?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("not_utf8", "a document must be UTF-8 text"))?
        .to_owned();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("empty_upload", "the document is empty"));
    }
    let hash = HashKind::Document.hash(text.as_bytes());
    let size = text.len();
    handle.call(move |l| l.storage().put_document(&hash, &text)).await??;
    Ok(Json(Stored { commitment: hash, size }))
}

pub(super) async fn document(State(handle): State<Handle>, Path(hash): Path<String>) -> Result<Response, ApiError> {
    let hash = parse_hash(&hash, "document hash")?;
    let text = handle.call(move |l| l.storage().document(&hash)).await??;
    let text = text.ok_or_else(|| ApiError::not_found("unknown_document", format!("no document {hash}")))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
