//! RocksDB storage: blocks, certificates, receipts, indexes, the state, and the off-chain blob
//! stores (sealed evidence records with their keys apart, and public documents).
//!
//! R-STO-1: a block, its certificate, its receipts, its state changes, its indexes and the new
//! head are written in one synced `WriteBatch`: after a crash either all of it is there or none.
//! R-STO-2: on open, the stored head's state root must equal the root recomputed from the stored
//! state, and the head must be the stored block at its height. Otherwise the node refuses to run.

use std::path::Path;

use contracts::block::Executed;
use contracts::codec::{Decode, DecodeError, Encode};
use contracts::state::{Key, State, Value};
use contracts::{AccountId, Block, BlockHeader, CommitCert, Hash, Height, Receipt};
use rocksdb::{ColumnFamilyDescriptor, DB, Direction, IteratorMode, Options, WriteBatch, WriteOptions};
use thiserror::Error;

const CF_META: &str = "meta";
const CF_BLOCKS: &str = "blocks";
const CF_CERTS: &str = "certs";
const CF_TX_INDEX: &str = "tx_index";
const CF_RECEIPTS: &str = "receipts";
const CF_STATE: &str = "state";
const CF_HISTORY: &str = "history";
/// Sealed evidence records: commitment → `evidence::Sealed` bytes (ciphertext only).
const CF_EVIDENCE: &str = "evidence";
/// The key of each live evidence record, apart from the record: commitment → `RecordKey` bytes.
const CF_EVIDENCE_KEYS: &str = "evidence_keys";
/// The public header of each live record (owner, claim, dates), so sweeps and listings need not
/// read the ciphertext: commitment → header bytes.
const CF_EVIDENCE_META: &str = "evidence_meta";
/// Erased records: commitment → tombstone (JSON: when, why, whose; no salt, no content hash).
const CF_EVIDENCE_ERASED: &str = "evidence_erased";
const CF_DOCUMENTS: &str = "documents";
/// Blocks proposed or received for heights not yet decided (consensus crash recovery).
const CF_UNDECIDED: &str = "undecided";
/// Equivocation evidence reported by consensus.
const CF_MISBEHAVIOR: &str = "misbehavior";
/// The merchant registry: merchant account → signed record (JSON), replicated between nodes.
const CF_REGISTRY: &str = "registry";
/// The hash-chained audit log of staff reads: sequence (u64 BE) → entry (JSON).
const CF_AUDIT: &str = "audit";
/// Supply figures after each height: height (u64 BE) → JSON, for the reconciliation report.
const CF_SUPPLY: &str = "supply";
const COLUMN_FAMILIES: [&str; 17] = [
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

const META_GENESIS: &[u8] = b"genesis_hash";
const META_HEAD: &[u8] = b"head";

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

fn corrupt(what: &str, err: DecodeError) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

fn location(height: Height, index: u32) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&height.0.to_be_bytes());
    key[8..].copy_from_slice(&index.to_be_bytes());
    key
}

fn parse_location(bytes: &[u8]) -> Option<(Height, u32)> {
    let height = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let index = u32::from_be_bytes(bytes.get(8..12)?.try_into().ok()?);
    Some((Height(height), index))
}

/// Raw key and value pairs of one column family, in key order.
pub type RawEntries = Vec<(Vec<u8>, Vec<u8>)>;

/// The node's database.
pub struct Storage {
    db: DB,
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

    fn cf(&self, name: &str) -> Result<&rocksdb::ColumnFamily, StoreError> {
        self.db.cf_handle(name).ok_or_else(|| StoreError::Corrupt(format!("column family {name} is missing")))
    }

    fn synced() -> WriteOptions {
        let mut options = WriteOptions::default();
        options.set_sync(true);
        options
    }

    /// The genesis hash this database was created with, if any.
    pub fn genesis_hash(&self) -> Result<Option<Hash>, StoreError> {
        match self.db.get_cf(self.cf(CF_META)?, META_GENESIS)? {
            None => Ok(None),
            Some(bytes) => Hash::from_bytes(&bytes).map(Some).map_err(|e| corrupt("genesis hash", e)),
        }
    }

    /// The last committed header (the genesis header at height 0).
    pub fn head(&self) -> Result<Option<BlockHeader>, StoreError> {
        match self.db.get_cf(self.cf(CF_META)?, META_HEAD)? {
            None => Ok(None),
            Some(bytes) => BlockHeader::from_bytes(&bytes).map(Some).map_err(|e| corrupt("head", e)),
        }
    }

    /// Writes the genesis state and header in one synced batch.
    pub fn init_genesis(&self, genesis_hash: Hash, state: &State, header: &BlockHeader) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        let cf_state = self.cf(CF_STATE)?;
        for (key, value) in state.entries() {
            batch.put_cf(cf_state, key.to_bytes(), value.to_bytes());
        }
        let cf_meta = self.cf(CF_META)?;
        batch.put_cf(cf_meta, META_GENESIS, genesis_hash.to_bytes());
        batch.put_cf(cf_meta, META_HEAD, header.to_bytes());
        self.db.write_opt(batch, &Self::synced())?;
        Ok(())
    }

    /// Loads the whole state and checks it against the head (R-STO-2).
    pub fn load_state(&self, head: &BlockHeader) -> Result<State, StoreError> {
        let mut entries = std::collections::BTreeMap::new();
        for item in self.db.iterator_cf(self.cf(CF_STATE)?, IteratorMode::Start) {
            let (key_bytes, value_bytes) = item?;
            let key = Key::from_bytes(&key_bytes).map_err(|e| corrupt("state key", e))?;
            let value = Value::decode_for(&key, &value_bytes).map_err(|e| corrupt("state value", e))?;
            entries.insert(key, value);
        }
        let state = State::from_entries(entries);
        if state.root() != head.state_root {
            return Err(StoreError::Corrupt(format!(
                "stored state has root {} but the head at height {} says {}; refusing to run on it",
                state.root(),
                head.height,
                head.state_root
            )));
        }
        if head.height.0 > 0 {
            let block = self.block(head.height)?.ok_or_else(|| {
                StoreError::Corrupt(format!("head is at height {} but that block is missing", head.height))
            })?;
            if block.header != *head {
                return Err(StoreError::Corrupt(format!("stored block {} differs from the head", head.height)));
            }
        }
        Ok(state)
    }

    /// Commits a decided block in one synced batch (R-STO-1).
    pub fn commit_block(&self, block: &Block, cert: &CommitCert, executed: &Executed) -> Result<(), StoreError> {
        let height = block.header.height;
        let mut batch = WriteBatch::default();
        let height_key = height.0.to_be_bytes();
        batch.put_cf(self.cf(CF_BLOCKS)?, height_key, block.to_bytes());
        batch.put_cf(self.cf(CF_CERTS)?, height_key, cert.to_bytes());
        let (cf_index, cf_receipts, cf_history) = (self.cf(CF_TX_INDEX)?, self.cf(CF_RECEIPTS)?, self.cf(CF_HISTORY)?);
        for (i, (tx, receipt)) in block.txs.iter().zip(&executed.receipts).enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let at = location(height, index);
            batch.put_cf(cf_index, receipt.tx_id.0, at);
            batch.put_cf(cf_receipts, at, receipt.to_bytes());
            let mut accounts = vec![tx.tx.signer];
            if let contracts::Outcome::Accepted { events } = &receipt.outcome {
                accounts.extend(events.iter().flat_map(contracts::Event::accounts));
            }
            accounts.sort();
            accounts.dedup();
            for account in accounts {
                let mut key = Vec::with_capacity(44);
                key.extend_from_slice(&account.0);
                key.extend_from_slice(&at);
                batch.put_cf(cf_history, key, []);
            }
        }
        let cf_state = self.cf(CF_STATE)?;
        for (key, value) in &executed.changes {
            match value {
                Some(value) => batch.put_cf(cf_state, key.to_bytes(), value.to_bytes()),
                None => batch.delete_cf(cf_state, key.to_bytes()),
            }
        }
        batch.put_cf(self.cf(CF_META)?, META_HEAD, block.header.to_bytes());
        // Undecided blocks of this height and below are settled now.
        batch.delete_range_cf(self.cf(CF_UNDECIDED)?, 0u64.to_be_bytes(), (height.0.saturating_add(1)).to_be_bytes());
        self.db.write_opt(batch, &Self::synced())?;
        Ok(())
    }

    /// The block at `height`.
    pub fn block(&self, height: Height) -> Result<Option<Block>, StoreError> {
        match self.db.get_cf(self.cf(CF_BLOCKS)?, height.0.to_be_bytes())? {
            None => Ok(None),
            Some(bytes) => Block::from_bytes(&bytes).map(Some).map_err(|e| corrupt("block", e)),
        }
    }

    /// The commit certificate of the block at `height`.
    pub fn cert(&self, height: Height) -> Result<Option<CommitCert>, StoreError> {
        match self.db.get_cf(self.cf(CF_CERTS)?, height.0.to_be_bytes())? {
            None => Ok(None),
            Some(bytes) => CommitCert::from_bytes(&bytes).map(Some).map_err(|e| corrupt("certificate", e)),
        }
    }

    /// Where a committed transaction is.
    pub fn tx_location(&self, id: &Hash) -> Result<Option<(Height, u32)>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_TX_INDEX)?, id.0)?.and_then(|bytes| parse_location(&bytes)))
    }

    /// The receipt at a location.
    pub fn receipt(&self, height: Height, index: u32) -> Result<Option<Receipt>, StoreError> {
        match self.db.get_cf(self.cf(CF_RECEIPTS)?, location(height, index))? {
            None => Ok(None),
            Some(bytes) => Receipt::from_bytes(&bytes).map(Some).map_err(|e| corrupt("receipt", e)),
        }
    }

    /// Locations of an account's transactions below `before`, newest first.
    pub fn history(&self, account: &AccountId, before: Height, limit: usize) -> Result<Vec<(Height, u32)>, StoreError> {
        let mut from = Vec::with_capacity(44);
        from.extend_from_slice(&account.0);
        from.extend_from_slice(&location(Height(before.0.saturating_sub(1)), u32::MAX));
        let mut out = Vec::new();
        if before.0 == 0 {
            return Ok(out);
        }
        for item in self.db.iterator_cf(self.cf(CF_HISTORY)?, IteratorMode::From(&from, Direction::Reverse)) {
            let (key, _) = item?;
            if key.get(..32) != Some(&account.0[..]) || out.len() >= limit {
                break;
            }
            if let Some(at) = key.get(32..).and_then(parse_location) {
                out.push(at);
            }
        }
        Ok(out)
    }

    /// Stores a sealed evidence record, its key and its header in one synced batch; the key goes
    /// to its own column family so that erasing it alone makes the record unreadable.
    pub fn put_evidence(&self, commitment: &Hash, sealed: &[u8], key: &[u8], meta: &[u8]) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(CF_EVIDENCE)?, commitment.0, sealed);
        batch.put_cf(self.cf(CF_EVIDENCE_KEYS)?, commitment.0, key);
        batch.put_cf(self.cf(CF_EVIDENCE_META)?, commitment.0, meta);
        self.db.write_opt(batch, &Self::synced())?;
        Ok(())
    }

    /// A sealed evidence record.
    pub fn evidence(&self, commitment: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_EVIDENCE)?, commitment.0)?)
    }

    /// The key of a live evidence record.
    pub fn evidence_key(&self, commitment: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_EVIDENCE_KEYS)?, commitment.0)?)
    }

    /// The header of a live evidence record.
    pub fn evidence_meta(&self, commitment: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_EVIDENCE_META)?, commitment.0)?)
    }

    /// Every live record's header, by commitment.
    pub fn evidence_meta_all(&self) -> Result<RawEntries, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(CF_EVIDENCE_META)?, IteratorMode::Start) {
            let (key, value) = item?;
            out.push((key.to_vec(), value.to_vec()));
        }
        Ok(out)
    }

    /// Erases an evidence record in one synced batch: the key first, then the record and its
    /// header, and the tombstone that answers later requests.
    pub fn erase_evidence(&self, commitment: &Hash, tombstone: &[u8]) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        batch.delete_cf(self.cf(CF_EVIDENCE_KEYS)?, commitment.0);
        batch.delete_cf(self.cf(CF_EVIDENCE)?, commitment.0);
        batch.delete_cf(self.cf(CF_EVIDENCE_META)?, commitment.0);
        batch.put_cf(self.cf(CF_EVIDENCE_ERASED)?, commitment.0, tombstone);
        self.db.write_opt(batch, &Self::synced())?;
        Ok(())
    }

    /// The tombstone of an erased evidence record.
    pub fn evidence_tombstone(&self, commitment: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_EVIDENCE_ERASED)?, commitment.0)?)
    }

    /// Every tombstone, by commitment.
    pub fn evidence_tombstones(&self) -> Result<RawEntries, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(CF_EVIDENCE_ERASED)?, IteratorMode::Start) {
            let (key, value) = item?;
            out.push((key.to_vec(), value.to_vec()));
        }
        Ok(out)
    }

    /// Every stored key of the record and key column families, for tests that prove erasure
    /// leaves nothing behind.
    #[doc(hidden)]
    pub fn evidence_raw_counts(&self) -> Result<(usize, usize), StoreError> {
        let records = self.db.iterator_cf(self.cf(CF_EVIDENCE)?, IteratorMode::Start).count();
        let keys = self.db.iterator_cf(self.cf(CF_EVIDENCE_KEYS)?, IteratorMode::Start).count();
        Ok((records, keys))
    }

    /// Stores a public document under its hash.
    pub fn put_document(&self, hash: &Hash, text: &str) -> Result<(), StoreError> {
        self.db.put_cf_opt(self.cf(CF_DOCUMENTS)?, hash.0, text.as_bytes(), &Self::synced())?;
        Ok(())
    }

    /// A public document.
    pub fn document(&self, hash: &Hash) -> Result<Option<String>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_DOCUMENTS)?, hash.0)?.and_then(|bytes| String::from_utf8(bytes).ok()))
    }

    /// Keeps an undecided block for `height` under `(round, hash)`: `record` is the caller's
    /// encoding of the round, proof-of-lock round, proposer and block.
    pub fn put_undecided(&self, height: Height, round: u32, hash: &Hash, record: &[u8]) -> Result<(), StoreError> {
        let mut key = Vec::with_capacity(44);
        key.extend_from_slice(&height.0.to_be_bytes());
        key.extend_from_slice(&round.to_be_bytes());
        key.extend_from_slice(&hash.0);
        self.db.put_cf_opt(self.cf(CF_UNDECIDED)?, key, record, &Self::synced())?;
        Ok(())
    }

    /// The undecided block records kept for `height`.
    pub fn undecided(&self, height: Height) -> Result<Vec<Vec<u8>>, StoreError> {
        let prefix = height.0.to_be_bytes();
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(self.cf(CF_UNDECIDED)?, IteratorMode::From(&prefix, Direction::Forward));
        for item in iter {
            let (key, value) = item?;
            if !key.starts_with(&prefix) {
                break;
            }
            out.push(value.to_vec());
        }
        Ok(out)
    }

    /// Appends an equivocation record (JSON) under `height ‖ sequence`.
    pub fn put_misbehavior(&self, height: Height, record: &[u8]) -> Result<(), StoreError> {
        let cf = self.cf(CF_MISBEHAVIOR)?;
        let mut prefix = height.0.to_be_bytes().to_vec();
        let mut seq: u32 = 0;
        for item in self.db.iterator_cf(cf, IteratorMode::From(&prefix, Direction::Forward)) {
            let (key, value) = item?;
            if !key.starts_with(&prefix) {
                break;
            }
            if value.as_ref() == record {
                return Ok(()); // the same evidence again
            }
            seq = seq.saturating_add(1);
        }
        prefix.extend_from_slice(&seq.to_be_bytes());
        self.db.put_cf_opt(cf, prefix, record, &Self::synced())?;
        Ok(())
    }

    /// Equivocation records, newest height first, at most `limit`.
    pub fn misbehavior(&self, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(CF_MISBEHAVIOR)?, IteratorMode::End).take(limit) {
            out.push(item?.1.to_vec());
        }
        Ok(out)
    }

    /// Stores a merchant's registry record (JSON), replacing the one before.
    pub fn put_registry(&self, merchant: &AccountId, record: &[u8]) -> Result<(), StoreError> {
        self.db.put_cf_opt(self.cf(CF_REGISTRY)?, merchant.0, record, &Self::synced())?;
        Ok(())
    }

    /// A merchant's registry record (JSON).
    pub fn registry(&self, merchant: &AccountId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_REGISTRY)?, merchant.0)?)
    }

    /// Every registry record (JSON), by merchant.
    pub fn registry_all(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(CF_REGISTRY)?, IteratorMode::Start) {
            out.push(item?.1.to_vec());
        }
        Ok(out)
    }

    /// The last audit entry (JSON), if any.
    pub fn last_audit(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match self.db.iterator_cf(self.cf(CF_AUDIT)?, IteratorMode::End).next() {
            Some(item) => Ok(Some(item?.1.to_vec())),
            None => Ok(None),
        }
    }

    /// Appends an audit entry (JSON) at `seq`, synced before the read it records is answered.
    pub fn put_audit(&self, seq: u64, entry: &[u8]) -> Result<(), StoreError> {
        self.db.put_cf_opt(self.cf(CF_AUDIT)?, seq.to_be_bytes(), entry, &Self::synced())?;
        Ok(())
    }

    /// Every audit entry (JSON) with its key, in order.
    pub fn audit_all(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(CF_AUDIT)?, IteratorMode::Start) {
            let (key, value) = item?;
            out.push((key.to_vec(), value.to_vec()));
        }
        Ok(out)
    }

    /// Overwrites raw audit bytes; only for tests that prove tampering is detected.
    #[doc(hidden)]
    pub fn tamper_audit(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.db.put_cf(self.cf(CF_AUDIT)?, key, value)?;
        Ok(())
    }

    /// Records the supply figures (JSON) after `height`.
    pub fn put_supply(&self, height: Height, figures: &[u8]) -> Result<(), StoreError> {
        self.db.put_cf(self.cf(CF_SUPPLY)?, height.0.to_be_bytes(), figures)?;
        Ok(())
    }

    /// The supply figures (JSON) recorded after `height`.
    pub fn supply(&self, height: Height) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_SUPPLY)?, height.0.to_be_bytes())?)
    }
}
