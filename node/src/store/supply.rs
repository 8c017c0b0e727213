//! The supply figures recorded after each height (JSON), for the reconciliation report.

use contracts::Height;

use super::db::{CF_SUPPLY, Storage, StoreError};

impl Storage {
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
