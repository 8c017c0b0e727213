//! Merchants and their tills, as the ledger and the registry know them.

use api::{MerchantView, TillView};
use axum::Json;
use axum::extract::{Path, State};
use contracts::Role;

use super::error::{ApiError, ApiResult, parse_address};
use crate::ledger::Reads;
use crate::offchain::registry;
use crate::store::StoreError;

pub(super) async fn merchant(State(reads): State<Reads>, Path(merchant): Path<String>) -> ApiResult<MerchantView> {
    let merchant = parse_address(&merchant)?;
    let view = reads
        .run(move |l| -> Result<MerchantView, StoreError> {
            let record = registry::registry_record(l, &merchant)?;
            let registrar_ok = record.as_ref().is_some_and(|r| l.has_role(&r.profile.registrar, Role::Registrar));
            Ok(MerchantView {
                merchant,
                registered: l.has_role(&merchant, Role::Merchant),
                profile: record.map(|r| r.profile),
                registrar_ok,
                tills: l.state().tills_of(&merchant).collect(),
            })
        })
        .await??;
    Ok(Json(view))
}

pub(super) async fn till(State(reads): State<Reads>, Path(till): Path<String>) -> ApiResult<TillView> {
    let till = parse_address(&till)?;
    let link = reads.run(move |l| l.state().till(&till).copied()).await?;
    link.map(|link| Json(TillView { till, merchant: link.merchant })).ok_or_else(|| {
        ApiError::not_found("unknown_till", format!("{till} is not linked to any shop (never linked, or unlinked)"))
    })
}
