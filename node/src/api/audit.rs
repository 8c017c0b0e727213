//! The audit log of staff reads: residents read who read their data, the council and the
//! registrars the whole log; anyone checks that its hash chain holds.

use api::AuditEntry;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use contracts::Role;
use serde::{Deserialize, Serialize};

use super::auth::SignedRequest;
use super::error::{ApiResult, parse_address, query_error};
use crate::ledger::Handle;
use crate::offchain::audit;

#[derive(Debug, Deserialize)]
pub(super) struct AuditQuery {
    subject: Option<String>,
    limit: Option<usize>,
}

pub(super) async fn audit(
    State(handle): State<Handle>,
    query: Result<Query<AuditQuery>, QueryRejection>,
    signed: SignedRequest,
) -> ApiResult<Vec<AuditEntry>> {
    let query = query.map_err(query_error)?;
    let subject = query.subject.as_deref().map(parse_address).transpose()?;
    // Residents read who read their data; the council and registrars oversee the whole log.
    signed.authorize(&handle, &[Role::Council, Role::Registrar], subject).await?;
    let limit = query.limit.unwrap_or(500).clamp(1, 10_000);
    Ok(Json(handle.call(move |l| audit::audit_entries(l, subject, limit)).await??))
}

/// Answer to `GET /v1/audit/verify`.
#[derive(Debug, Serialize)]
pub(super) struct AuditCheck {
    entries: u64,
    intact: bool,
    problem: Option<String>,
}

pub(super) async fn audit_verify(State(handle): State<Handle>) -> ApiResult<AuditCheck> {
    let result = handle.call(|l| audit::verify_audit(l)).await??;
    Ok(Json(match result {
        Ok(entries) => AuditCheck { entries, intact: true, problem: None },
        Err(broken) => AuditCheck { entries: broken.seq, intact: false, problem: Some(broken.to_string()) },
    }))
}
