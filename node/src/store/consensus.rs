//! What consensus keeps beside the chain: blocks of heights not yet decided (for crash
//! recovery; `chain` deletes them when their height commits) and the equivocation records it
//! reports.

use contracts::{Hash, Height};
use rocksdb::{Direction, IteratorMode};

use super::db::{CF_MISBEHAVIOR, CF_UNDECIDED, Storage, StoreError};

impl Storage {
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
}
