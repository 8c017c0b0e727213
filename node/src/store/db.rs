//! The database itself: opening it with every column family, looking one up, the synced write
//! options, and the storage error. Each other file of `store` adds the methods of one group of
//! column families to [`Storage`].

use std::path::Path;

use contracts::codec::DecodeError;
use rocksdb::{ColumnFamily, ColumnFamilyDescriptor, DB, IteratorMode, Options, WriteOptions};
use thiserror::Error;

pub(super) const CF_META: &str = "meta";
pub(super) const CF_BLOCKS: &str = "blocks";
pub(super) const CF_CERTS: &str = "certs";
pub(super) const CF_TX_INDEX: &str = "tx_index";
pub(super) const CF_RECEIPTS: &str = "receipts";
pub(super) const CF_STATE: &str = "state";
pub(super) const CF_HISTORY: &str = "history";
/// Sealed evidence records: commitment → `evidence::Sealed` bytes (ciphertext only).
pub(super) const CF_EVIDENCE: &str = "evidence";
/// The key of each live evidence record, apart from the record: commitment → `RecordKey` bytes.
pub(super) const CF_EVIDENCE_KEYS: &str = "evidence_keys";
/// The public header of each live record (owner, claim, dates), so sweeps and listings need not
/// read the ciphertext: commitment → header bytes.
pub(super) const CF_EVIDENCE_META: &str = "evidence_meta";
/// Erased records: commitment → tombstone (JSON: when, why, whose; no salt, no content hash).
pub(super) const CF_EVIDENCE_ERASED: &str = "evidence_erased";
pub(super) const CF_DOCUMENTS: &str = "documents";
/// Blocks proposed or received for heights not yet decided (consensus crash recovery).
pub(super) const CF_UNDECIDED: &str = "undecided";
/// Equivocation evidence reported by consensus.
pub(super) const CF_MISBEHAVIOR: &str = "misbehavior";
/// The merchant registry: merchant account → signed record (JSON), replicated between nodes.
pub(super) const CF_REGISTRY: &str = "registry";
/// The hash-chained audit log of staff reads: sequence (u64 BE) → entry (JSON).
pub(super) const CF_AUDIT: &str = "audit";
/// Supply figures after each height: height (u64 BE) → JSON, for the reconciliation report.
pub(super) const CF_SUPPLY: &str = "supply";
pub(super) const COLUMN_FAMILIES: [&str; 17] = [
    CF_META,
    CF_BLOCKS,
    CF_CERTS,
    CF_TX_INDEX,
    CF_RECEIPTS,
    CF_STATE,
    CF_HISTORY,
    CF_EVIDENCE,
    CF_EVIDENCE_KEYS,
    CF_EVIDENCE_META,
    CF_EVIDENCE_ERASED,
    CF_DOCUMENTS,
    CF_UNDECIDED,
    CF_MISBEHAVIOR,
    CF_REGISTRY,
    CF_AUDIT,
    CF_SUPPLY,
];

/// A storage fault. The node stops rather than vote or serve on a state it cannot trust.
#[derive(Debug, Error)]
pub enum StoreError {
    /// RocksDB reported an error.
    #[error("database error: {0}")]
    Db(#[from] rocksdb::Error),
    /// Stored bytes do not decode or do not agree with each other.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

pub(super) fn corrupt(what: &str, err: DecodeError) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

/// Raw key and value pairs of one column family, in key order.
pub type RawEntries = Vec<(Vec<u8>, Vec<u8>)>;

/// The node's database.
pub struct Storage {
    pub(super) db: DB,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").finish_non_exhaustive()
    }
}

impl Storage {
    /// Opens (or creates) the database in `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        let cfs = COLUMN_FAMILIES.iter().map(|name| ColumnFamilyDescriptor::new(*name, Options::default()));
        let db = DB::open_cf_descriptors(&options, path, cfs)?;
        Ok(Self { db })
    }

    pub(super) fn cf(&self, name: &str) -> Result<&ColumnFamily, StoreError> {
        self.db.cf_handle(name).ok_or_else(|| StoreError::Corrupt(format!("column family {name} is missing")))
    }

    pub(super) fn synced() -> WriteOptions {
        let mut options = WriteOptions::default();
        options.set_sync(true);
        options
    }

    /// Every key and value of column family `name`, in key order.
    pub(super) fn all(&self, name: &str) -> Result<RawEntries, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(name)?, IteratorMode::Start) {
            let (key, value) = item?;
            out.push((key.to_vec(), value.to_vec()));
        }
        Ok(out)
    }
}
