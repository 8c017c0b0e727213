//! The evidence endpoints (AVG/GDPR): the worker's signed upload, sealed here with a fresh key
//! and replicated to the other validators; signed, access-checked and audited reads; the
//! owner's erasure request; the owner's listing; and the retention sweep.
//!
//! Every request is signed with the staff-read scheme (`api::staff::SignedRead`); an upload's
//! signed query carries the hash of its body. The rules (who reads, when erasure is allowed,
//! the retention sweep by block time) are in `evidence::policy`, applied by
//! [`crate::offchain::evidence`]; the request and answer
//! types in `api::evidence`.
//!
//! | method | path | answer |
//! |---|---|---|
//! | POST | `/v1/evidence?claim=N&retain_until=MS&content=HEX` | 201 `Uploaded`; 400 `bad_bundle`, `bad_retention`, `content_mismatch`; 401; 403 `not_your_claim`; 404 `unknown_claim`; 409 `claim_not_open`, `too_many_records`; 413 |
//! | GET | `/v1/evidence/{commitment}` | 200 `EvidenceView`; 401; 403 `forbidden`; 404 `unknown_evidence`; 410 `erased` |
//! | DELETE | `/v1/evidence/{commitment}` | 200 `Erased`; 401; 403 `not_owner`; 404; 409 `still_needed` |
//! | GET | `/v1/evidence?owner=ADDR` | 200 `OwnerListing`; 401; 403 `not_owner` |

use api::evidence::{
    AuditWhat, EvidenceView, ListQuery, OwnerListing, PhotoInfo, RecordRead, RecordView, UploadQuery, Uploaded,
    content_hash,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use contracts::primitives::ClaimId;
use contracts::{Hash, Timestamp};
use evidence::{Bundle, Summary};
use rand_core::OsRng;

use super::auth::SignedRequest;
use super::error::{ApiError, ApiResult, body_error, parse_address, query_error};
use super::state::AppState;
use crate::ledger::{Handle, wall_clock_ms};
use crate::offchain::audit;
use crate::offchain::evidence::{
    self as store, EraseNotice, Erasure, MAX_RETENTION_MS, Meta, Record, Refusal, Tombstone,
};
use crate::store::StoreError;

fn parse_commitment(text: &str) -> Result<Hash, ApiError> {
    Hash::from_hex(text).map_err(|e| ApiError::bad_request("bad_hash", format!("commitment {text:?}: {e}")))
}

fn internal(what: &str) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("the node failed while {what}"))
}

fn gone(commitment: &Hash, tombstone: &Tombstone) -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "erased",
        format!(
            "{}: evidence {commitment} and its key were destroyed; the commitment on chain is linked to nothing now",
            tombstone.describe()
        ),
    )
}

fn unknown(commitment: &Hash) -> ApiError {
    ApiError::not_found("unknown_evidence", format!("this node holds no evidence with commitment {commitment}"))
}

/// Reads a request's body, at most `limit` bytes (the route's `DefaultBodyLimit`); a declared
/// length over the limit is refused before a byte is read.
pub(super) async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {limit} bytes"),
        ));
    }
    Bytes::from_request(request, &()).await.map_err(|r| body_error(r, limit))
}

/// The worker's upload. Everything that the headers and the signed query decide (the
/// signature, the claim is the signer's and open, the retention date) is checked before the
/// body is read (issue 12): a client that cannot sign for an open claim of its own never makes
/// the node read up to 8 MiB. The body's hash, which the signature covers, is checked after.
pub(super) async fn upload(
    State(state): State<AppState>,
    signed: SignedRequest,
    query: Result<Query<UploadQuery>, QueryRejection>,
    request: Request,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let query = query.map_err(query_error)?.0;
    let read = signed.verify(&state.handle).await?;
    let (owner, upload) = (read.reader, read.header());
    let claim = ClaimId(query.claim);
    let now = wall_clock_ms();
    let retain_until = Timestamp(query.retain_until);
    if !evidence::policy::retention_allowed(retain_until, now) {
        return Err(ApiError::bad_request(
            "bad_retention",
            format!(
                "retain_until {} must be after now ({} ms) and at most {} days ahead",
                retain_until.0,
                now.0,
                MAX_RETENTION_MS / 86_400_000
            ),
        ));
    }
    state.handle.call(move |l| store::check_upload(l, owner, claim)).await??;
    let body = read_body(request, api::MAX_UPLOAD).await?;
    if Hash::from_hex(&query.content).ok() != Some(content_hash(&body)) {
        return Err(ApiError::bad_request(
            "content_mismatch",
            "the body does not match the signed content hash; it was changed or cut off on the way",
        ));
    }
    let size = body.len();
    // Parsing strips every photo again (defence in depth) before the bundle is sealed; the
    // plaintext stays in memory.
    let sealing = tokio::task::spawn_blocking(move || {
        let bundle = Bundle::from_canonical_bytes(&body)
            .map_err(|e| ApiError::bad_request("bad_bundle", format!("the body is not an evidence bundle: {e}")))?;
        // The other validators check the worker's signature over the content they receive, so
        // the sealed content must be the signed body: stripped and canonical already.
        if bundle.to_canonical_bytes() != body {
            return Err(ApiError::bad_request(
                "bad_bundle",
                "the bundle is not in canonical form with its photos stripped; build it with the wallet \
                 (`heitje task submit --photo …`), which strips photos before it signs",
            ));
        }
        evidence::seal(&bundle, owner, claim, retain_until, now, &mut OsRng)
            .map_err(|e| ApiError::bad_request("bad_bundle", e.to_string()))
    });
    let (sealed, key) = sealing.await.map_err(|_| internal("sealing the evidence"))??;
    let (sealed_bytes, key_bytes) = (sealed.to_bytes(), key.to_bytes());
    let commitment = sealed.header.commitment;
    let kept = upload.clone();
    state.handle.call(move |l| store::store(l.storage(), &sealed, &key, &kept)).await??;
    if let Some(outbox) = &state.outbox {
        outbox.push_evidence(&sealed_bytes, &key_bytes, &upload);
    }
    tracing::info!(%commitment, %claim, "evidence sealed and stored");
    let uploaded = Uploaded { commitment, claim, owner, sealed_at: now, retain_until, size };
    Ok((StatusCode::CREATED, Json(uploaded)))
}

pub(super) async fn read(
    State(handle): State<Handle>,
    Path(commitment): Path<String>,
    signed: SignedRequest,
) -> ApiResult<EvidenceView<Bundle>> {
    let commitment = parse_commitment(&commitment)?;
    let reader = signed.verify(&handle).await?.reader;
    let found = handle
        .call(move |l| -> Result<_, ApiError> {
            let storage = l.storage();
            let Some(meta) = store::meta(storage, &commitment)? else {
                return match store::tombstone(storage, &commitment)? {
                    Some(tombstone) => Err(gone(&commitment, &tombstone)),
                    None => Err(unknown(&commitment)),
                };
            };
            let purpose = store::access(l, reader, &meta)?;
            // R-EVI-3: the read is in the audit log (synced) before anything is answered.
            let what = AuditWhat::read(commitment, meta.claim, purpose);
            store::audit(l, wall_clock_ms(), reader, meta.owner, &what)?;
            match store::lookup(storage, &commitment)? {
                Record::Live(sealed, key) => Ok((meta, purpose, sealed, key)),
                Record::Erased(tombstone) => Err(gone(&commitment, &tombstone)),
                Record::Unknown => Err(unknown(&commitment)),
            }
        })
        .await??;
    let (meta, purpose, sealed, key) = found;
    let bundle = tokio::task::spawn_blocking(move || evidence::open(&sealed, &key))
        .await
        .map_err(|_| internal("opening the evidence"))?
        .map_err(|err| {
            tracing::error!(%err, %commitment, "a stored evidence record does not open");
            internal("opening the evidence record")
        })?;
    Ok(Json(EvidenceView {
        commitment,
        claim: meta.claim,
        owner: meta.owner,
        sealed_at: meta.sealed_at,
        retain_until: meta.retain_until,
        purpose,
        bundle,
    }))
}

pub(super) async fn erase(
    State(state): State<AppState>,
    Path(commitment): Path<String>,
    signed: SignedRequest,
) -> ApiResult<api::evidence::Erased> {
    let commitment = parse_commitment(&commitment)?;
    let read = signed.verify(&state.handle).await?;
    // Other validators check the same signature over the canonical path.
    if signed.path() != EraseNotice::path(&commitment) {
        return Err(ApiError::bad_request(
            "bad_path",
            format!("sign and send exactly DELETE {} (lower-case hex, no query)", EraseNotice::path(&commitment)),
        ));
    }
    let authorization = read.header();
    let (signer, signed_at) = (read.reader, read.time);
    let outcome = state
        .handle
        .call(move |l| -> Result<_, Refusal> {
            let Some(meta) = store::meta(l.storage(), &commitment)? else {
                return Ok((
                    store::erase(
                        l.storage(),
                        &commitment,
                        signed_at,
                        api::evidence::ErasureReason::OwnerRequest,
                        None,
                    )?,
                    None,
                ));
            };
            let notice = EraseNotice { commitment, claim: meta.claim, authorization };
            let erased = store::erase_on_request(l, signer, signed_at, notice.clone(), wall_clock_ms())?;
            Ok((erased, Some(notice)))
        })
        .await??;
    let view = |t: Tombstone, already: bool| api::evidence::Erased {
        commitment,
        claim: t.claim,
        owner: t.owner,
        erased_at: t.erased_at,
        reason: t.reason,
        already,
    };
    match outcome {
        (Erasure::Erased(tombstone), notice) => {
            if let (Some(outbox), Some(notice)) = (&state.outbox, notice) {
                outbox.push_erasures(&[notice]);
            }
            tracing::info!(%commitment, "evidence erased on the owner's request");
            Ok(Json(view(tombstone, false)))
        }
        (Erasure::Already(tombstone), _) => {
            if tombstone.owner != signer {
                return Err(Refusal::NotOwner(signer).into());
            }
            Ok(Json(view(tombstone, true)))
        }
        (Erasure::Unknown, _) => Err(unknown(&commitment)),
    }
}

pub(super) async fn list(
    State(handle): State<Handle>,
    query: Result<Query<ListQuery>, QueryRejection>,
    signed: SignedRequest,
) -> ApiResult<OwnerListing> {
    let owner = parse_address(&query.map_err(query_error)?.owner)?;
    let reader = signed.verify(&handle).await?.reader;
    if reader != owner {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_owner",
            format!("only {owner} may list their evidence records; {reader} signed this request"),
        ));
    }
    type Loaded = (Vec<(Meta, Option<Record>)>, Vec<(Hash, Tombstone)>, Vec<api::AuditEntry>);
    let (live, erased, entries) = handle
        .call(move |l| -> Result<Loaded, StoreError> {
            let storage = l.storage();
            let mut live = Vec::new();
            for meta in store::live(storage)?.into_iter().filter(|m| m.owner == owner) {
                let record = store::lookup(storage, &meta.commitment)?;
                live.push((meta, Some(record)));
            }
            let erased = store::tombstones(storage)?.into_iter().filter(|(_, t)| t.owner == owner).collect();
            let entries = audit::audit_entries(l, Some(owner), usize::MAX)?;
            Ok((live, erased, entries))
        })
        .await??;
    let reads_of = move |commitment: &Hash| -> Vec<RecordRead> {
        entries
            .iter()
            .filter_map(|entry| {
                let what = AuditWhat::parse(&entry.what)?;
                let purpose = what.read_purpose()?;
                (what.commitment == *commitment).then(|| RecordRead {
                    seq: entry.seq,
                    time: entry.time,
                    reader: entry.reader,
                    purpose: purpose.to_owned(),
                })
            })
            .collect()
    };
    let summaries = tokio::task::spawn_blocking(move || {
        live.into_iter()
            .map(|(meta, record)| {
                let summary = match record {
                    Some(Record::Live(sealed, key)) => evidence::summarize(&sealed, &key).ok(),
                    _ => None,
                };
                (meta, summary)
            })
            .collect::<Vec<(Meta, Option<Summary>)>>()
    })
    .await
    .map_err(|_| internal("describing the evidence records"))?;
    let mut records: Vec<RecordView> = summaries
        .into_iter()
        .map(|(meta, summary)| RecordView {
            commitment: meta.commitment,
            claim: meta.claim,
            sealed_at: meta.sealed_at,
            retain_until: meta.retain_until,
            photos: summary
                .as_ref()
                .map(|s| {
                    s.photos
                        .iter()
                        .map(|p| PhotoInfo {
                            format: p.format.name().to_lowercase(),
                            bytes: u64::try_from(p.bytes).unwrap_or(u64::MAX),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            has_note: summary.as_ref().is_some_and(|s| s.has_note),
            has_location: summary.as_ref().is_some_and(|s| s.has_location),
            erased_at: None,
            erased_reason: None,
            reads: reads_of(&meta.commitment),
        })
        .collect();
    records.extend(erased.into_iter().map(|(commitment, t)| RecordView {
        commitment,
        claim: t.claim,
        sealed_at: t.sealed_at.unwrap_or_default(),
        retain_until: t.retain_until.unwrap_or_default(),
        photos: Vec::new(),
        has_note: false,
        has_location: false,
        erased_at: Some(t.erased_at),
        erased_reason: Some(t.reason),
        reads: reads_of(&commitment),
    }));
    records.sort_by_key(|r| (r.sealed_at, r.commitment));
    Ok(Json(OwnerListing { owner, records }))
}
