//! What every handler shares: the ledger thread, the gossip outbox, this node's validator and
//! where the node stands against the network.

use axum::extract::FromRef;
use consensus::Progress;
use contracts::AccountId;
use tokio::sync::watch;

use super::documents::DocumentQuota;
use super::replay::ReplayGuard;
use crate::ledger::chain_check::Verifier;
use crate::ledger::{Handle, Reads};
use crate::network::Outbox;

/// What the handlers share: the ledger thread and the gossip outbox.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The ledger thread.
    pub handle: Handle,
    /// Reads off the ledger thread.
    pub reads: Reads,
    /// The incremental chain verifier.
    pub verifier: Verifier,
    /// Admitted transactions go here to reach the other validators.
    pub outbox: Option<Outbox>,
    /// This node's validator.
    pub validator: AccountId,
    /// Where the node stands against the network (from consensus).
    pub progress: watch::Receiver<Progress>,
    /// The nonces of signed requests this node accepted (one guard for the whole API).
    pub replay: ReplayGuard,
    /// The documents stored this hour.
    pub documents: DocumentQuota,
}

impl FromRef<AppState> for Handle {
    fn from_ref(state: &AppState) -> Self {
        state.handle.clone()
    }
}

impl FromRef<AppState> for Reads {
    fn from_ref(state: &AppState) -> Self {
        state.reads.clone()
    }
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
