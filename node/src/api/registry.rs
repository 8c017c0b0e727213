//! The merchant registry: registrars publish signed records; anyone reads a public profile; the
//! bank details go only to the merchant and to staff, on a signed and audited read.

use api::registry::{MerchantRecord, PublicProfile};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use contracts::Role;

use super::auth::SignedRequest;
use super::error::{ApiError, ApiResult, body_error, parse_address};
use super::state::AppState;
use crate::ledger::{Handle, Reads, wall_clock_ms};
use crate::offchain::audit;
use crate::offchain::registry::{self, RegistryRefusal};
use crate::store::StoreError;

pub(super) async fn put_record(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PublicProfile>), ApiError> {
    let body = body.map_err(|r| body_error(r, api::registry::MAX_RECORD_BYTES))?;
    let record: MerchantRecord = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("malformed_record", format!("the body is not a registry record: {e}")))?;
    let stored = record.clone();
    let bytes = state.handle.call(move |l| registry::accept_record(l, &stored)).await?.map_err(|err| match err {
        RegistryRefusal::Invalid(e) => ApiError::bad_request("bad_record", e.to_string()),
        RegistryRefusal::NotRegistrar(_) => ApiError::new(StatusCode::FORBIDDEN, "not_registrar", err.to_string()),
        RegistryRefusal::Stale(_) => ApiError::new(StatusCode::CONFLICT, "stale_record", err.to_string()),
        RegistryRefusal::Store(e) => e.into(),
    })?;
    if let Some(outbox) = &state.outbox {
        outbox.push_records(vec![bytes]);
    }
    Ok((StatusCode::CREATED, Json(record.profile)))
}

pub(super) async fn profile(State(reads): State<Reads>, Path(merchant): Path<String>) -> ApiResult<PublicProfile> {
    let merchant = parse_address(&merchant)?;
    let record = reads.run(move |l| registry::registry_record(l, &merchant)).await??;
    record.map(|r| Json(r.profile)).ok_or_else(|| {
        ApiError::not_found("not_in_registry", format!("the merchant registry has no record for {merchant}"))
    })
}

pub(super) async fn bank(
    State(handle): State<Handle>,
    Path(merchant): Path<String>,
    signed: SignedRequest,
) -> ApiResult<MerchantRecord> {
    let merchant = parse_address(&merchant)?;
    let reader = signed.authorize(&handle, &[Role::Treasurer, Role::Registrar], Some(merchant)).await?;
    let record = handle
        .call(move |l| -> Result<_, StoreError> {
            let record = registry::registry_record(l, &merchant)?;
            if record.as_ref().is_some_and(|r| r.bank.is_some()) {
                audit::audit(l, wall_clock_ms(), reader, merchant, "registry.bank")?;
            }
            Ok(record)
        })
        .await??;
    record.map(Json).ok_or_else(|| {
        ApiError::not_found("not_in_registry", format!("the merchant registry has no record for {merchant}"))
    })
}
