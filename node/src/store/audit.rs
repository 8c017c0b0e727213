//! The hash-chained audit log of staff reads: sequence number (u64 big-endian) → entry (JSON).
//! Each entry is synced before the read it records is answered.

use rocksdb::IteratorMode;

use super::db::{CF_AUDIT, RawEntries, Storage, StoreError};

impl Storage {
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
    pub fn audit_all(&self) -> Result<RawEntries, StoreError> {
        self.all(CF_AUDIT)
    }

    /// Overwrites raw audit bytes; only for tests that prove tampering is detected.
    #[doc(hidden)]
    pub fn tamper_audit(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.db.put_cf(self.cf(CF_AUDIT)?, key, value)?;
        Ok(())
    }
}
