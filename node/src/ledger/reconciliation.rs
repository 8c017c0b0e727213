//! The reconciliation report (R-SUP-1): the supply figures at a height, recorded after every
//! commit so that the report can be asked for any height later. Derived data: the ledger
//! records it, the API reads it; it takes the storage and the state, not the ledger.

use api::ReconciliationView;
use contracts::state::{State, Supply};
use contracts::{Amount, Height};

use crate::store::{Storage, StoreError};

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

/// The reconciliation recorded at `height`, or at the head `head` (whose state is `state`) when
/// `None`.
pub fn at(
    storage: &Storage,
    state: &State,
    head: Height,
    height: Option<Height>,
) -> Result<Option<ReconciliationView>, StoreError> {
    match height {
        None => Ok(Some(view(&state.supply(), head))),
        Some(h) if h == head => Ok(Some(view(&state.supply(), head))),
        Some(h) => match storage.supply(h)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("reconciliation at {h}: {e}"))),
        },
    }
}
