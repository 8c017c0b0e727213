//! What the node serves to shops and the treasurer beyond the raw state: payments by reference,
//! the reconciliation report per height, the off-chain merchant registry and the audit log of
//! staff reads. All of it runs on the ledger thread.

use api::registry::MerchantRecord;
use api::{AuditEntry, PaymentView, ReconciliationView};
use contracts::primitives::PaymentRef;
use contracts::{AccountId, Action, Hash, Height, Role, Timestamp};
use thiserror::Error;

use crate::ledger::Ledger;
use crate::reconciliation;
use crate::storage::StoreError;

/// The reconciliation recorded at `height`, or at the head when `None`.
pub fn reconciliation_at(l: &Ledger, height: Option<Height>) -> Result<Option<ReconciliationView>, StoreError> {
    let head = l.head().height;
    match height {
        None => Ok(Some(reconciliation::view(&l.state().supply(), head))),
        Some(h) if h == head => Ok(Some(reconciliation::view(&l.state().supply(), head))),
        Some(h) => match l.storage().supply(h)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("reconciliation at {h}: {e}"))),
        },
    }
}

/// A paid request of `merchant` under `reference`, with the transaction that paid it.
pub fn payment(l: &Ledger, merchant: &AccountId, reference: &PaymentRef) -> Result<Option<PaymentView>, StoreError> {
    let Some(record) = l.state().payment(merchant, reference) else { return Ok(None) };
    let block = l
        .storage()
        .block(record.height)?
        .ok_or_else(|| StoreError::Corrupt(format!("block {} of a payment is missing", record.height)))?;
    let tx = block
        .txs
        .iter()
        .find(|tx| matches!(&tx.tx.action, Action::Pay(p) if p.merchant == *merchant && p.reference == *reference));
    let tx = tx.ok_or_else(|| StoreError::Corrupt(format!("payment {reference} not in block {}", record.height)))?;
    Ok(Some(PaymentView {
        merchant: *merchant,
        reference: reference.clone(),
        payer: record.payer,
        amount: record.amount,
        till: record.till,
        height: record.height,
        time: record.time,
        tx_id: tx.id(),
        block_hash: block.hash(),
    }))
}

/// A merchant's payments with block time in `[from, to)`, oldest first.
pub fn payments(
    l: &Ledger,
    merchant: &AccountId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<PaymentView>, StoreError> {
    let mut refs: Vec<(Height, PaymentRef)> = l
        .state()
        .payments_of(merchant)
        .filter(|(_, p)| p.time >= from && p.time < to)
        .map(|(r, p)| (p.height, r.clone()))
        .collect();
    refs.sort();
    let mut out = Vec::with_capacity(refs.len());
    for (_, reference) in refs {
        if let Some(view) = payment(l, merchant, &reference)? {
            out.push(view);
        }
    }
    Ok(out)
}

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
pub fn registry_record(l: &Ledger, merchant: &AccountId) -> Result<Option<MerchantRecord>, StoreError> {
    match l.storage().registry(merchant)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("registry record of {merchant}: {e}"))),
    }
}

/// Whether `account` holds `role` in the committed state.
pub fn has_role(l: &Ledger, account: &AccountId, role: Role) -> bool {
    l.state().account(account).is_some_and(|a| a.roles.has(role))
}

/// Takes a registry record if it verifies, its registrar holds the role and it is newer than
/// the one held. Returns the stored bytes (for gossip).
pub fn accept_record(l: &Ledger, record: &MerchantRecord) -> Result<Vec<u8>, RegistryRefusal> {
    record.verify(&l.head().chain_id)?;
    let registrar = record.profile.registrar;
    if !has_role(l, &registrar, Role::Registrar) {
        return Err(RegistryRefusal::NotRegistrar(registrar));
    }
    let merchant = record.profile.merchant;
    if let Some(held) = registry_record(l, &merchant)? {
        if !record.profile.supersedes(&held.profile) {
            return Err(RegistryRefusal::Stale(merchant));
        }
    }
    let bytes = serde_json::to_vec(record).map_err(|e| StoreError::Corrupt(format!("registry record: {e}")))?;
    l.storage().put_registry(&merchant, &bytes)?;
    Ok(bytes)
}

/// Appends a read to the hash-chained audit log; the entry is synced before the data is served.
pub fn audit(l: &Ledger, time: Timestamp, reader: AccountId, subject: AccountId, what: &str) -> Result<(), StoreError> {
    let (seq, prev) = match l.storage().last_audit()? {
        None => (0, Hash([0; 32])),
        Some(bytes) => {
            let last: AuditEntry =
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(format!("audit log: {e}")))?;
            (last.seq.saturating_add(1), last.hash)
        }
    };
    let mut entry = AuditEntry { seq, time, reader, subject, what: what.to_owned(), prev, hash: Hash([0; 32]) };
    entry.hash = entry.compute_hash();
    let bytes = serde_json::to_vec(&entry).map_err(|e| StoreError::Corrupt(format!("audit entry: {e}")))?;
    l.storage().put_audit(seq, &bytes)
}

/// Where the audit log breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the audit log is broken at entry {seq}: {reason}")]
pub struct AuditBroken {
    /// The first bad entry.
    pub seq: u64,
    /// What is wrong with it.
    pub reason: String,
}

/// Checks the whole audit log: each entry decodes, sits under its own sequence number, links to
/// the previous entry's hash and hashes to its stored hash. Returns the number of entries.
pub fn verify_audit(l: &Ledger) -> Result<Result<u64, AuditBroken>, StoreError> {
    let mut prev = Hash([0; 32]);
    let mut count = 0u64;
    for (key, bytes) in l.storage().audit_all()? {
        let broken = |reason: &str| Ok(Err(AuditBroken { seq: count, reason: reason.to_owned() }));
        let Ok(entry) = serde_json::from_slice::<AuditEntry>(&bytes) else { return broken("does not decode") };
        if key != count.to_be_bytes() || entry.seq != count {
            return broken("an entry is missing or out of order");
        }
        if entry.prev != prev {
            return broken("does not link to the previous entry");
        }
        if entry.compute_hash() != entry.hash {
            return broken("its content does not match its hash");
        }
        prev = entry.hash;
        count += 1;
    }
    Ok(Ok(count))
}

/// The audit entries about `subject` (or all, for `None`), newest last, at most `limit`.
pub fn audit_entries(l: &Ledger, subject: Option<AccountId>, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let mut out = Vec::new();
    for (_, bytes) in l.storage().audit_all()? {
        let entry: AuditEntry =
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(format!("audit log: {e}")))?;
        if subject.is_none_or(|s| s == entry.subject) {
            out.push(entry);
        }
    }
    let skip = out.len().saturating_sub(limit);
    Ok(out.split_off(skip))
}
