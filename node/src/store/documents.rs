//! Public documents (task descriptions) under their hash.

use contracts::Hash;

use super::db::{CF_DOCUMENTS, Storage, StoreError};

impl Storage {
    /// Stores a public document under its hash.
    pub fn put_document(&self, hash: &Hash, text: &str) -> Result<(), StoreError> {
        self.db.put_cf_opt(self.cf(CF_DOCUMENTS)?, hash.0, text.as_bytes(), &Self::synced())?;
        Ok(())
    }

    /// A public document.
    pub fn document(&self, hash: &Hash) -> Result<Option<String>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_DOCUMENTS)?, hash.0)?.and_then(|bytes| String::from_utf8(bytes).ok()))
    }
}
