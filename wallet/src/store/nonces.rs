//! The wallet's own record of the nonces it signed, one file per chain and account in its home,
//! `nonces/<genesis hash>/<address>.json` (issue 18).
//!
//! A node that has just restarted is behind and reports a nonce that was already used. Signing
//! the same action with it gives exactly the bytes, and so the id, of an earlier transaction, and
//! the wallet would report that old transaction as this command's success. So the wallet never
//! takes a nonce from a node alone:
//! - it never signs a nonce at or below the highest one it signed for a transaction that some
//!   node may hold (`highest_signed`), whatever a node says;
//! - it keeps the signed bytes of every transaction whose commit it has not seen yet
//!   (`outstanding`), so that it can send exactly those bytes again, never different ones;
//! - it remembers the highest height at which it saw one of its transactions committed
//!   (`committed_height`) and reads nonces and submits only at nodes that have reached it.
//!
//! A nonce is given back (`release`) only when no node can hold the transaction: the node
//! refused it before admission, or no node could be reached at all.
//!
//! Writes go through [`crate::store::atomic_file`] before anything is sent, and an exclusive lock on a
//! file beside the record keeps two wallet processes of one home from signing at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use contracts::codec::Encode;
use contracts::{AccountId, Hash, Height, Nonce, SignedTx};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Folder of the records in the wallet home.
const DIR: &str = "nonces";
/// Version of the record format.
const VERSION: u32 = 1;

/// The record could not be read or written.
#[derive(Debug, Error)]
pub enum Error {
    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a record this wallet wrote.
    #[error(
        "the nonce record {path} is damaged ({detail}); it protects against sending an old payment again, so \
         it is not replaced silently: move it away only after `heitje history` shows every transaction you sent \
         as committed"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

fn io_error<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Error + use<'a> {
    move |source| Error::Io { action, path: path.to_path_buf(), source }
}

/// A signed transaction whose commit this wallet has not seen yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outstanding {
    /// Its nonce.
    pub nonce: Nonce,
    /// Its id.
    pub tx_id: Hash,
    /// Its canonical signed bytes, hex: what is sent again, unchanged.
    pub tx: String,
}

impl Outstanding {
    /// The signed transaction, decoded again.
    pub fn signed(&self) -> Option<SignedTx> {
        let bytes = hex::decode(&self.tx).ok()?;
        SignedTx::decode_checked(&bytes).ok().filter(|tx| tx.id() == self.tx_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    version: u32,
    account: AccountId,
    /// The highest nonce signed for a transaction that a node may hold.
    highest_signed: Option<Nonce>,
    /// The highest height at which a transaction of this account was seen committed.
    committed_height: Height,
    /// Signed, not yet seen committed, in nonce order.
    outstanding: Vec<Outstanding>,
}

/// One account's record, locked for this process until dropped.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    record: Record,
    _lock: File,
}

impl Journal {
    /// Opens (or starts) the record of `account` on the chain with genesis hash `genesis` in
    /// `home` and locks it. Another wallet process sending from the same account makes this
    /// wait (it says so through `waiting`). Each chain has its own records: a wallet home that
    /// served a test network keeps working against a new one.
    pub fn open(home: &Path, genesis: &Hash, account: &AccountId, waiting: impl FnOnce()) -> Result<Self, Error> {
        let dir = home.join(DIR).join(genesis.to_hex());
        std::fs::create_dir_all(&dir).map_err(io_error("creating", &dir))?;
        let lock_path = dir.join(format!("{account}.lock"));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error("opening", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting();
                lock.lock().map_err(io_error("locking", &lock_path))?;
            }
            Err(TryLockError::Error(err)) => return Err(io_error("locking", &lock_path)(err)),
        }
        let path = dir.join(format!("{account}.json"));
        let record = match std::fs::read(&path) {
            Ok(bytes) => {
                let damaged = |detail: String| Error::Damaged { path: path.clone(), detail };
                let record: Record = serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
                if record.version != VERSION {
                    return Err(damaged(format!("version {} is not {VERSION}", record.version)));
                }
                if record.account != *account {
                    return Err(damaged(format!("it belongs to {}", record.account)));
                }
                if record.outstanding.iter().any(|o| o.signed().is_none()) {
                    return Err(damaged("an outstanding transaction does not decode to its id".into()));
                }
                record
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => Record {
                version: VERSION,
                account: *account,
                highest_signed: None,
                committed_height: Height(0),
                outstanding: Vec::new(),
            },
            Err(err) => return Err(io_error("reading", &path)(err)),
        };
        Ok(Self { path, record, _lock: lock })
    }

    /// The nonce for a new transaction: the node's, unless this wallet already signed that one
    /// or a later one for a transaction a node may hold.
    pub fn next_nonce(&self, node_next: Nonce) -> Nonce {
        let ours = self.record.highest_signed.map_or(Nonce(0), |n| Nonce(n.0.saturating_add(1)));
        node_next.max(ours)
    }

    /// The least height a node must have committed before its nonces and balances are used:
    /// the highest height at which this wallet saw one of its transactions committed.
    pub fn min_height(&self) -> Height {
        self.record.committed_height
    }

    /// Signed transactions not yet seen committed, in nonce order.
    pub fn outstanding(&self) -> &[Outstanding] {
        &self.record.outstanding
    }

    /// Records a transaction about to be sent. Durable before this returns: call it before the
    /// bytes leave the machine.
    pub fn signed(&mut self, tx: &SignedTx) -> Result<(), Error> {
        let nonce = tx.tx.nonce;
        let tx_id = tx.id();
        if !self.record.outstanding.iter().any(|o| o.tx_id == tx_id) {
            self.record.outstanding.push(Outstanding { nonce, tx_id, tx: hex::encode(tx.to_bytes()) });
            self.record.outstanding.sort_by_key(|o| o.nonce);
        }
        self.record.highest_signed = Some(self.record.highest_signed.map_or(nonce, |h| h.max(nonce)));
        self.save()
    }

    /// `tx_id` was seen committed at `height`.
    pub fn committed(&mut self, tx_id: &Hash, height: Height) -> Result<(), Error> {
        self.record.outstanding.retain(|o| o.tx_id != *tx_id);
        self.record.committed_height = self.record.committed_height.max(height);
        self.save()
    }

    /// `tx_id` is in no node and never will be (refused before admission, or never delivered):
    /// its nonce may be used again if it was the highest signed.
    pub fn release(&mut self, tx_id: &Hash) -> Result<(), Error> {
        let Some(position) = self.record.outstanding.iter().position(|o| o.tx_id == *tx_id) else {
            return Ok(());
        };
        let released = self.record.outstanding.remove(position);
        if self.record.highest_signed == Some(released.nonce) {
            let below = released.nonce.0.checked_sub(1).map(Nonce);
            let still = self.record.outstanding.iter().map(|o| o.nonce).max();
            self.record.highest_signed = below.max(still);
        }
        self.save()
    }

    /// `tx_id` can never commit any more: a different transaction took its nonce (signed by
    /// another wallet holding the same key). Its nonce stays used.
    pub fn superseded(&mut self, tx_id: &Hash) -> Result<(), Error> {
        self.record.outstanding.retain(|o| o.tx_id != *tx_id);
        self.save()
    }

    fn save(&self) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(&self.record)
            .map_err(|e| Error::Damaged { path: self.path.clone(), detail: e.to_string() })?;
        crate::store::atomic_file::write(&self.path, &bytes).map_err(io_error("writing", &self.path))
    }
}

#[cfg(test)]
mod tests {
    use contracts::tx::Transfer;
    use contracts::{Action, ChainId, Tx};
    use ed25519_dalek::SigningKey;

    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn account() -> AccountId {
        contracts::crypto::account_of(&key())
    }

    fn signed(nonce: u64, cents: u64) -> SignedTx {
        let chain_id = ChainId::new("heerlen-test").expect("chain id");
        let tx = Tx {
            chain_id,
            signer: account(),
            nonce: Nonce(nonce),
            action: Action::Transfer(Transfer { recipient: AccountId([1; 32]), amount: contracts::Amount(cents) }),
        };
        tx.sign(&key())
    }

    const GENESIS: Hash = Hash([5; 32]);

    fn open(home: &Path) -> Journal {
        Journal::open(home, &GENESIS, &account(), || panic!("nobody else holds the lock")).expect("open")
    }

    #[test]
    fn issue_18_a_node_that_is_behind_never_gets_a_used_nonce_signed_again() {
        let home = tempfile::tempdir().expect("home");
        let mut journal = open(home.path());
        assert_eq!(journal.next_nonce(Nonce(4)), Nonce(4), "a new record follows the node");
        let first = signed(4, 1);
        journal.signed(&first).expect("record");
        journal.committed(&first.id(), Height(90)).expect("committed");
        // A restarted node reports nonce 4 again: the wallet signs 5, never a copy of `first`.
        assert_eq!(journal.next_nonce(Nonce(4)), Nonce(5));
        assert_eq!(journal.next_nonce(Nonce(9)), Nonce(9), "a node ahead of the record wins");
        assert_eq!(journal.min_height(), Height(90));
        drop(journal);
        // It survives the process.
        let journal = open(home.path());
        assert_eq!(journal.next_nonce(Nonce(0)), Nonce(5));
        assert_eq!(journal.min_height(), Height(90));
        assert!(journal.outstanding().is_empty());
    }

    #[test]
    fn issue_18_outstanding_transactions_keep_their_exact_bytes() {
        let home = tempfile::tempdir().expect("home");
        let mut journal = open(home.path());
        let tx = signed(0, 3);
        journal.signed(&tx).expect("record");
        drop(journal);
        let journal = open(home.path());
        let kept = journal.outstanding().first().expect("one outstanding").signed().expect("decodes");
        assert_eq!(kept.to_bytes(), tx.to_bytes());
        assert_eq!(journal.next_nonce(Nonce(0)), Nonce(1), "nonce 0 is taken");
    }

    #[test]
    fn issue_18_only_a_transaction_no_node_holds_gives_its_nonce_back() {
        let home = tempfile::tempdir().expect("home");
        let mut journal = open(home.path());
        let (a, b) = (signed(0, 1), signed(1, 2));
        journal.signed(&a).expect("a");
        journal.signed(&b).expect("b");
        journal.release(&b.id()).expect("release b");
        assert_eq!(journal.next_nonce(Nonce(0)), Nonce(1), "b's nonce is free again, a's is not");
        journal.superseded(&a.id()).expect("a superseded");
        assert_eq!(journal.next_nonce(Nonce(0)), Nonce(1), "a superseded nonce stays used");
        journal.release(&Hash([9; 32])).expect("releasing an unknown id changes nothing");
        assert_eq!(journal.next_nonce(Nonce(0)), Nonce(1), "still only nonce 0 taken");
    }

    #[test]
    fn issue_18_each_chain_has_its_own_record() {
        let home = tempfile::tempdir().expect("home");
        let mut journal = open(home.path());
        journal.signed(&signed(3, 1)).expect("record");
        drop(journal);
        let other = Journal::open(home.path(), &Hash([6; 32]), &account(), || {}).expect("another chain");
        assert_eq!(other.next_nonce(Nonce(0)), Nonce(0), "a new chain starts from the node's nonce");
        assert!(other.outstanding().is_empty());
    }

    #[test]
    fn issue_18_a_damaged_record_is_refused_with_a_way_out() {
        let home = tempfile::tempdir().expect("home");
        drop(open(home.path()));
        let path = home.path().join(DIR).join(GENESIS.to_hex()).join(format!("{}.json", account()));
        std::fs::write(&path, b"{not json").expect("damage");
        let err = Journal::open(home.path(), &GENESIS, &account(), || {}).expect_err("damaged");
        assert!(err.to_string().contains("damaged") && err.to_string().contains("move it away"), "{err}");
        let mut other = serde_json::to_value(Record {
            version: VERSION,
            account: AccountId([3; 32]),
            highest_signed: None,
            committed_height: Height(0),
            outstanding: Vec::new(),
        })
        .expect("json");
        std::fs::write(&path, serde_json::to_vec(&other).expect("bytes")).expect("write");
        assert!(Journal::open(home.path(), &GENESIS, &account(), || {}).is_err(), "another account's record");
        other["account"] = serde_json::to_value(account()).expect("json");
        other["outstanding"] = serde_json::json!([{ "nonce": 0, "tx_id": Hash([1; 32]), "tx": "00" }]);
        std::fs::write(&path, serde_json::to_vec(&other).expect("bytes")).expect("write");
        assert!(Journal::open(home.path(), &GENESIS, &account(), || {}).is_err(), "bytes that are not the id's");
    }

    #[test]
    fn issue_18_a_second_process_waits_for_the_lock() {
        let home = tempfile::tempdir().expect("home");
        let journal = open(home.path());
        let (told, wait) = std::sync::mpsc::channel();
        let path = home.path().to_path_buf();
        let second = std::thread::spawn(move || {
            Journal::open(&path, &GENESIS, &account(), move || told.send(()).expect("tell"))
                .map(|j| j.next_nonce(Nonce(0)))
        });
        wait.recv().expect("the second opener says it waits");
        drop(journal);
        assert_eq!(second.join().expect("thread").expect("opened after the first let go"), Nonce(0));
    }
}
