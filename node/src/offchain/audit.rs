//! The audit log of staff reads: every read of personal data (evidence, a merchant's bank
//! details) is appended to a hash-chained log, synced before the data is served, and the log can
//! be checked end to end.

use api::AuditEntry;
use contracts::{AccountId, Hash, Timestamp};
use thiserror::Error;

use crate::ledger::Ledger;
use crate::store::StoreError;

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
