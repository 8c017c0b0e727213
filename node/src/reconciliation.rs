//! The reconciliation report (R-SUP-1): the supply figures at a height, recorded after every
//! commit so that the report can be asked for any height later. Derived data, kept apart from
//! the ledger and the shop views so that both use it without depending on each other.

use api::ReconciliationView;
use contracts::state::Supply;
use contracts::{Amount, Height};

use crate::storage::{Storage, StoreError};

/// The reconciliation figures from the supply `s` at `height`.
pub fn view(s: &Supply, height: Height) -> ReconciliationView {
    let coins = |cents: u128| Amount(u64::try_from(cents).unwrap_or(u64::MAX));
    ReconciliationView {
        height,
        minted: coins(s.minted),
        burned: coins(s.burned),
        outstanding: coins(s.outstanding()),
        supply_holds: s.minted.checked_sub(s.burned) == Some(s.outstanding()),
        settled: coins(s.settled),
        pending: coins(s.pending_redemptions),
        redemptions_hold: s.burned == s.settled + s.pending_redemptions,
        redemption_fees: coins(s.redemption_fees),
    }
}

/// Records the reconciliation of the supply `s` at `height` (the head).
pub fn record(storage: &Storage, height: Height, s: &Supply) -> Result<(), StoreError> {
    let report = view(s, height);
    let bytes = serde_json::to_vec(&report).map_err(|e| StoreError::Corrupt(format!("reconciliation: {e}")))?;
    storage.put_supply(report.height, &bytes)
}
