//! The shop and settlement endpoints: payments by reference (with a long poll for the counter),
//! merchants and tills, the reconciliation report, the merchant registry and the audit log.
//!
//! Personal data (a merchant's bank details) is served only on a signed request by a holder of
//! the right role, and every such read is appended to the audit log before it is answered.

use std::collections::BTreeSet;
use std::time::Duration;

use api::registry::{MerchantRecord, PublicProfile};
use api::staff::SignedRead;
use api::{
    AuditEntry, MerchantView, OpenPayout, PaymentQuery, PaymentView, ReconciliationView, StatementQuery, TillView,
};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::routing::get;
use axum::{Json, Router};
use contracts::primitives::PaymentRef;
use contracts::state::RedemptionStatus;
use contracts::{AccountId, Height, Role, Timestamp};
use serde::{Deserialize, Serialize};

use crate::engine::Handle;
use crate::http::{ApiError, ApiResult, AppState, body_error, parse_address, query_error};
use crate::ledger::wall_clock_ms;
use crate::shop::{self, RegistryRefusal};

/// The routes of this module, merged into the API router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/payments/{merchant}/{reference}", get(payment))
        .route("/v1/merchants/{merchant}", get(merchant))
        .route("/v1/merchants/{merchant}/payments", get(statement))
        .route("/v1/tills/{till}", get(till))
        .route("/v1/reconciliation", get(reconciliation))
        .route(
            "/v1/registry/merchants",
            axum::routing::post(put_record).layer(DefaultBodyLimit::max(api::registry::MAX_RECORD_BYTES)),
        )
        .route("/v1/registry/merchants/{merchant}", get(profile))
        .route("/v1/registry/merchants/{merchant}/bank", get(bank))
        .route("/v1/settlement/open", get(open_payouts))
        .route("/v1/audit", get(audit))
        .route("/v1/audit/verify", get(audit_verify))
}

fn parse_reference(text: &str) -> Result<PaymentRef, ApiError> {
    PaymentRef::new(text).map_err(|e| ApiError::bad_request("bad_reference", e.to_string()))
}

async fn payment(
    State(handle): State<Handle>,
    Path((merchant, reference)): Path<(String, String)>,
    query: Result<Query<PaymentQuery>, QueryRejection>,
) -> ApiResult<PaymentView> {
    let merchant = parse_address(&merchant)?;
    let reference = parse_reference(&reference)?;
    let wait = Duration::from_millis(query.map_err(query_error)?.wait_ms.unwrap_or(0).min(api::MAX_WAIT_MS));
    let deadline = tokio::time::Instant::now() + wait;
    let mut heads = handle.call(|l| l.heads()).await?;
    loop {
        // Mark the current head seen before looking, so a block committed right after the look
        // wakes the wait below.
        heads.borrow_and_update();
        let (m, r) = (merchant, reference.clone());
        if let Some(view) = handle.call(move |l| shop::payment(l, &m, &r)).await?? {
            return Ok(Json(view));
        }
        match tokio::time::timeout_at(deadline, heads.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) | Err(_) => break,
        }
    }
    Err(ApiError::not_found(
        "not_paid",
        format!("no final payment to {merchant} with reference {reference} (yet); ask again with ?wait_ms=N to wait"),
    ))
}

async fn merchant(State(handle): State<Handle>, Path(merchant): Path<String>) -> ApiResult<MerchantView> {
    let merchant = parse_address(&merchant)?;
    let view = handle
        .call(move |l| -> Result<MerchantView, crate::storage::StoreError> {
            let record = shop::registry_record(l, &merchant)?;
            let registrar_ok =
                record.as_ref().is_some_and(|r| shop::has_role(l, &r.profile.registrar, Role::Registrar));
            Ok(MerchantView {
                merchant,
                registered: shop::has_role(l, &merchant, Role::Merchant),
                profile: record.map(|r| r.profile),
                registrar_ok,
                tills: l.state().tills_of(&merchant).collect(),
            })
        })
        .await??;
    Ok(Json(view))
}

async fn statement(
    State(handle): State<Handle>,
    Path(merchant): Path<String>,
    query: Result<Query<StatementQuery>, QueryRejection>,
) -> ApiResult<Vec<PaymentView>> {
    let merchant = parse_address(&merchant)?;
    let query = query.map_err(query_error)?;
    let from = Timestamp(query.from_ms.unwrap_or(0));
    let to = Timestamp(query.to_ms.unwrap_or(u64::MAX));
    if from > to {
        return Err(ApiError::bad_request("bad_query", "from_ms is after to_ms"));
    }
    Ok(Json(handle.call(move |l| shop::payments(l, &merchant, from, to)).await??))
}

async fn till(State(handle): State<Handle>, Path(till): Path<String>) -> ApiResult<TillView> {
    let till = parse_address(&till)?;
    let link = handle.call(move |l| l.state().till(&till).copied()).await?;
    link.map(|link| Json(TillView { till, merchant: link.merchant })).ok_or_else(|| {
        ApiError::not_found("unknown_till", format!("{till} is not linked to any shop (never linked, or unlinked)"))
    })
}

#[derive(Debug, Deserialize)]
struct HeightQuery {
    height: Option<u64>,
}

async fn reconciliation(
    State(handle): State<Handle>,
    query: Result<Query<HeightQuery>, QueryRejection>,
) -> ApiResult<ReconciliationView> {
    let height = query.map_err(query_error)?.height.map(Height);
    let view = handle.call(move |l| shop::reconciliation_at(l, height)).await??;
    view.map(Json).ok_or_else(|| {
        ApiError::not_found(
            "no_report",
            format!(
                "no reconciliation recorded at height {}: it is above the head, or this node did not commit it",
                height.map_or(0, |h| h.0)
            ),
        )
    })
}

async fn put_record(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PublicProfile>), ApiError> {
    let body = body.map_err(|r| body_error(r, api::registry::MAX_RECORD_BYTES))?;
    let record: MerchantRecord = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("malformed_record", format!("the body is not a registry record: {e}")))?;
    let stored = record.clone();
    let bytes = state.handle.call(move |l| shop::accept_record(l, &stored)).await?.map_err(|err| match err {
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

async fn profile(State(handle): State<Handle>, Path(merchant): Path<String>) -> ApiResult<PublicProfile> {
    let merchant = parse_address(&merchant)?;
    let record = handle.call(move |l| shop::registry_record(l, &merchant)).await??;
    record.map(|r| Json(r.profile)).ok_or_else(|| {
        ApiError::not_found("not_in_registry", format!("the merchant registry has no record for {merchant}"))
    })
}

/// Checks a signed read and the reader's role; `None` in `roles` lets only `subject` read.
async fn authorize(
    handle: &Handle,
    headers: &HeaderMap,
    method: &Method,
    uri: &Uri,
    roles: &'static [Role],
    subject: Option<AccountId>,
) -> Result<AccountId, ApiError> {
    let unauthorized = |m: String| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m);
    let header =
        headers.get(header::AUTHORIZATION).ok_or_else(|| unauthorized(api::staff::AuthError::Missing.to_string()))?;
    let header = header.to_str().map_err(|_| unauthorized("the Authorization header is not ASCII".into()))?;
    let read = SignedRead::parse(header).map_err(|e| unauthorized(e.to_string()))?;
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned();
    let chain = handle.call(|l| l.head().chain_id.clone()).await?;
    read.verify(&chain, method.as_str(), &path, wall_clock_ms()).map_err(|e| unauthorized(e.to_string()))?;
    let reader = read.reader;
    let allowed = handle
        .call(move |l| subject == Some(reader) || roles.iter().any(|role| shop::has_role(l, &reader, *role)))
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

async fn bank(
    State(handle): State<Handle>,
    Path(merchant): Path<String>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> ApiResult<MerchantRecord> {
    let merchant = parse_address(&merchant)?;
    let reader =
        authorize(&handle, &headers, &method, &uri, &[Role::Treasurer, Role::Registrar], Some(merchant)).await?;
    let record = handle
        .call(move |l| -> Result<_, crate::storage::StoreError> {
            let record = shop::registry_record(l, &merchant)?;
            if record.as_ref().is_some_and(|r| r.bank.is_some()) {
                shop::audit(l, wall_clock_ms(), reader, merchant, "registry.bank")?;
            }
            Ok(record)
        })
        .await??;
    record.map(Json).ok_or_else(|| {
        ApiError::not_found("not_in_registry", format!("the merchant registry has no record for {merchant}"))
    })
}

async fn open_payouts(
    State(handle): State<Handle>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> ApiResult<Vec<OpenPayout>> {
    let reader = authorize(&handle, &headers, &method, &uri, &[Role::Treasurer], None).await?;
    let payouts = handle
        .call(move |l| -> Result<_, crate::storage::StoreError> {
            let now = wall_clock_ms();
            let mut out = Vec::new();
            let mut read = BTreeSet::new();
            for (id, r) in l.state().redemptions().filter(|(_, r)| r.status == RedemptionStatus::Pending) {
                let record = shop::registry_record(l, &r.merchant)?.filter(|rec| !rec.profile.revoked);
                if record.is_some() && read.insert(r.merchant) {
                    shop::audit(l, now, reader, r.merchant, "registry.bank (settlement)")?;
                }
                out.push(OpenPayout {
                    redemption: crate::http::redemption_view(id, r),
                    creditor_name: record.as_ref().map(|rec| rec.profile.display_name.clone()),
                    bank: record.and_then(|rec| rec.bank),
                });
            }
            Ok(out)
        })
        .await??;
    Ok(Json(payouts))
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    subject: Option<String>,
    limit: Option<usize>,
}

async fn audit(
    State(handle): State<Handle>,
    query: Result<Query<AuditQuery>, QueryRejection>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> ApiResult<Vec<AuditEntry>> {
    let query = query.map_err(query_error)?;
    let subject = query.subject.as_deref().map(parse_address).transpose()?;
    // Residents read who read their data; the council and registrars oversee the whole log.
    authorize(&handle, &headers, &method, &uri, &[Role::Council, Role::Registrar], subject).await?;
    let limit = query.limit.unwrap_or(500).clamp(1, 10_000);
    Ok(Json(handle.call(move |l| shop::audit_entries(l, subject, limit)).await??))
}

/// Answer to `GET /v1/audit/verify`.
#[derive(Debug, Serialize)]
struct AuditCheck {
    entries: u64,
    intact: bool,
    problem: Option<String>,
}

async fn audit_verify(State(handle): State<Handle>) -> ApiResult<AuditCheck> {
    let result = handle.call(|l| shop::verify_audit(l)).await??;
    Ok(Json(match result {
        Ok(entries) => AuditCheck { entries, intact: true, problem: None },
        Err(broken) => AuditCheck { entries: broken.seq, intact: false, problem: Some(broken.to_string()) },
    }))
}
