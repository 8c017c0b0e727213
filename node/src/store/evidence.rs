//! Sealed evidence records, their keys apart, their public headers and the tombstones of erased
//! ones. The key has its own column family so that erasing it alone makes the record unreadable.

use contracts::Hash;
use rocksdb::{BottommostLevelCompaction, CompactOptions, FlushOptions, IteratorMode, WriteBatch};

use super::db::{
    CF_EVIDENCE, CF_EVIDENCE_ERASED, CF_EVIDENCE_KEYS, CF_EVIDENCE_META, COLUMN_FAMILIES, RawEntries, Storage,
    StoreError,
};

impl Storage {
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
        self.all(CF_EVIDENCE_META)
    }

    /// Erases an evidence record in one synced batch: the key first, then the record and its
    /// header, and the tombstone that answers later requests; then [`Self::scrub_evidence`]
    /// removes the erased bytes from the files on disk.
    pub fn erase_evidence(&self, commitment: &Hash, tombstone: &[u8]) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        batch.delete_cf(self.cf(CF_EVIDENCE_KEYS)?, commitment.0);
        batch.delete_cf(self.cf(CF_EVIDENCE)?, commitment.0);
        batch.delete_cf(self.cf(CF_EVIDENCE_META)?, commitment.0);
        batch.put_cf(self.cf(CF_EVIDENCE_ERASED)?, commitment.0, tombstone);
        self.db.write_opt(batch, &Self::synced())?;
        self.scrub_evidence(commitment)
    }

    /// A delete only hides a value: its bytes stay in the write-ahead log and in the table
    /// files until RocksDB rewrites them. Erasure must leave no key behind, so this flushes
    /// every column family (a log file is dropped only once all of them are flushed past it)
    /// and then compacts the record's key range in the evidence column families down to the
    /// last level, where the delete and the value it hid are both dropped.
    fn scrub_evidence(&self, commitment: &Hash) -> Result<(), StoreError> {
        let cfs = COLUMN_FAMILIES.iter().map(|name| self.cf(name)).collect::<Result<Vec<_>, _>>()?;
        let mut flush = FlushOptions::default();
        flush.set_wait(true);
        self.db.flush_cfs_opt(&cfs, &flush)?;
        let mut compact = CompactOptions::default();
        compact.set_exclusive_manual_compaction(true);
        compact.set_bottommost_level_compaction(BottommostLevelCompaction::Force);
        let mut end = commitment.0.to_vec();
        end.push(0);
        for name in [CF_EVIDENCE_KEYS, CF_EVIDENCE, CF_EVIDENCE_META] {
            self.db.compact_range_cf_opt(self.cf(name)?, Some(commitment.0), Some(&end), &compact);
        }
        Ok(())
    }

    /// The tombstone of an erased evidence record.
    pub fn evidence_tombstone(&self, commitment: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_EVIDENCE_ERASED)?, commitment.0)?)
    }

    /// Every tombstone, by commitment.
    pub fn evidence_tombstones(&self) -> Result<RawEntries, StoreError> {
        self.all(CF_EVIDENCE_ERASED)
    }

    /// Every stored key of the record and key column families, for tests that prove erasure
    /// leaves nothing behind.
    #[doc(hidden)]
    pub fn evidence_raw_counts(&self) -> Result<(usize, usize), StoreError> {
        let records = self.db.iterator_cf(self.cf(CF_EVIDENCE)?, IteratorMode::Start).count();
        let keys = self.db.iterator_cf(self.cf(CF_EVIDENCE_KEYS)?, IteratorMode::Start).count();
        Ok((records, keys))
    }
}
