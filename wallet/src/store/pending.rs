//! The keys of unfinished redemptions, kept in `pending-redemptions.json` in the wallet
//! directory.
//!
//! R-RED-3: every redemption carries an idempotency key. The wallet writes the key here before
//! it sends anything, and removes it only when the outcome is final, so that a retry after a
//! crash reuses the key and the ledger never burns twice.

use std::path::{Path, PathBuf};

use contracts::primitives::IdempotencyKey;
use contracts::{AccountId, Amount};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::json_file::{self, Damage};

const DAMAGE: Damage = Damage {
    what: "",
    advice: "it holds the keys of unfinished redemptions. Check `heitje redemptions` before removing it",
};
/// The file in the wallet directory.
const FILE: &str = "pending-redemptions.json";

/// Why the file of pending redemptions could not be read or written.
#[derive(Debug, Error)]
pub enum Error {
    /// The file could not be read or written.
    #[error(transparent)]
    File(#[from] json_file::Error),
    /// A stored key that is not hex.
    #[error("a pending redemption key is not hex: {0}")]
    KeyHex(hex::FromHexError),
    /// A stored key of the wrong length.
    #[error("a pending redemption key is not 16 bytes")]
    KeyLength,
}

/// A redemption sent but not yet known to be final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The shop that redeems.
    pub merchant: AccountId,
    /// The coins to burn.
    pub amount: Amount,
    /// The idempotency key, hex.
    pub key: String,
    /// When the first attempt started, in milliseconds since the Unix epoch.
    pub started_ms: u64,
}

impl Pending {
    /// The idempotency key as the ledger takes it.
    pub fn key(&self) -> Result<IdempotencyKey, Error> {
        let bytes = hex::decode(&self.key).map_err(Error::KeyHex)?;
        let key: [u8; 16] = bytes.try_into().map_err(|_| Error::KeyLength)?;
        Ok(IdempotencyKey(key))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PendingFile {
    version: u32,
    pending: Vec<Pending>,
}

/// The pending redemptions of one wallet directory, as read from its file.
#[derive(Debug)]
pub struct PendingRedemptions {
    path: PathBuf,
    file: PendingFile,
}

impl PendingRedemptions {
    /// Reads the file in `home`; a missing file holds nothing pending.
    pub fn open(home: &Path) -> Result<Self, Error> {
        Self::read(home.join(FILE))
    }

    fn read(path: PathBuf) -> Result<Self, Error> {
        let file = json_file::read(&path, DAMAGE)?.unwrap_or(PendingFile { version: 1, pending: vec![] });
        Ok(Self { path, file })
    }

    /// Every pending redemption.
    pub fn pending(&self) -> &[Pending] {
        &self.file.pending
    }

    /// Records `entry` and syncs the file to disk, unless it is recorded already. Call it before
    /// the redemption is sent.
    pub fn record(&mut self, entry: &Pending) -> Result<(), Error> {
        if !self.file.pending.contains(entry) {
            self.file.pending.push(entry.clone());
            self.save()?;
        }
        Ok(())
    }

    /// Removes `entry` once its outcome is known, re-reading the file first.
    pub fn forget(&mut self, entry: &Pending) -> Result<(), Error> {
        *self = Self::read(self.path.clone())?;
        self.file.pending.retain(|p| p != entry);
        self.save()
    }

    fn save(&self) -> Result<(), Error> {
        Ok(json_file::write(&self.path, &self.file)?)
    }
}
