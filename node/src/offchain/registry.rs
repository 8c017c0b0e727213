//! The merchant registry: each merchant's public profile and bank details, signed by a
//! registrar, kept off chain and replicated between validators. A record is taken only if it
//! verifies, its registrar holds the role on chain and it is newer than the one held.

use api::registry::MerchantRecord;
use contracts::{AccountId, Role};
use thiserror::Error;

use crate::ledger::{Committed, Ledger};
use crate::store::StoreError;

/// Why a registry record was not taken.
#[derive(Debug, Error)]
pub enum RegistryRefusal {
    /// Its form or signature is wrong.
    #[error(transparent)]
    Invalid(#[from] api::registry::RegistryError),
    /// The signer is not a registrar on chain now.
    #[error("{0} does not hold the registrar role on this chain; only the municipality's registrars sign the registry")]
    NotRegistrar(AccountId),
    /// The node already holds this record or a later one.
    #[error("the registry already holds this record or a later one for {0}")]
    Stale(AccountId),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The registry record of `merchant` on this node.
pub fn registry_record(l: &impl Committed, merchant: &AccountId) -> Result<Option<MerchantRecord>, StoreError> {
    match l.storage().registry(merchant)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("registry record of {merchant}: {e}"))),
    }
}

/// Takes a registry record if it verifies, its registrar holds the role and it is newer than
/// the one held. Returns the stored bytes (for gossip).
pub fn accept_record(l: &Ledger, record: &MerchantRecord) -> Result<Vec<u8>, RegistryRefusal> {
    record.verify(&l.head().chain_id)?;
    let registrar = record.profile.registrar;
    if !l.has_role(&registrar, Role::Registrar) {
        return Err(RegistryRefusal::NotRegistrar(registrar));
    }
    let merchant = record.profile.merchant;
    if let Some(held) = registry_record(l, &merchant)?
        && !record.profile.supersedes(&held.profile)
    {
        return Err(RegistryRefusal::Stale(merchant));
    }
    let bytes = serde_json::to_vec(record).map_err(|e| StoreError::Corrupt(format!("registry record: {e}")))?;
    l.storage().put_registry(&merchant, &bytes)?;
    Ok(bytes)
}
