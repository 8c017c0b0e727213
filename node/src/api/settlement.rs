//! Settlement: the treasurer's list of open payouts with the payees' bank details, on a signed
//! and audited read.

use std::collections::BTreeSet;

use api::OpenPayout;
use axum::Json;
use axum::extract::State;
use contracts::Role;
use contracts::state::RedemptionStatus;

use super::auth::SignedRequest;
use super::error::ApiResult;
use super::redemptions::redemption_view;
use crate::ledger::{Handle, wall_clock_ms};
use crate::offchain::{audit, registry};
use crate::store::StoreError;

pub(super) async fn open_payouts(State(handle): State<Handle>, signed: SignedRequest) -> ApiResult<Vec<OpenPayout>> {
    let reader = signed.authorize(&handle, &[Role::Treasurer], None).await?;
    let payouts = handle
        .call(move |l| -> Result<_, StoreError> {
            let now = wall_clock_ms();
            let mut out = Vec::new();
            let mut read = BTreeSet::new();
            for (id, r) in l.state().redemptions().filter(|(_, r)| r.status == RedemptionStatus::Pending) {
                let record = registry::registry_record(l, &r.merchant)?.filter(|rec| !rec.profile.revoked);
                if record.is_some() && read.insert(r.merchant) {
                    audit::audit(l, now, reader, r.merchant, "registry.bank (settlement)")?;
                }
                out.push(OpenPayout {
                    redemption: redemption_view(id, r),
                    creditor_name: record.as_ref().map(|rec| rec.profile.display_name.clone()),
                    bank: record.and_then(|rec| rec.bank),
                });
            }
            Ok(out)
        })
        .await??;
    Ok(Json(payouts))
}
