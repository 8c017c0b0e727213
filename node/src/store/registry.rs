//! The merchant registry: each merchant's signed record (JSON), replicated between nodes.

use contracts::AccountId;

use super::db::{CF_REGISTRY, Storage, StoreError};

impl Storage {
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
        Ok(self.all(CF_REGISTRY)?.into_iter().map(|(_, value)| value).collect())
    }
}
