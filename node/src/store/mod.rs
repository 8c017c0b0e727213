//! RocksDB storage: one database with a column family per kind of record, and one file per
//! group of them. `db` opens it and holds what every group shares; `chain` commits blocks and
//! loads the state; the other files keep what the node holds beside the chain.
//!
//! R-STO-1: a block, its certificate, its receipts, its state changes, its indexes and the new
//! head are written in one synced `WriteBatch`: after a crash either all of it is there or none.
//! R-STO-2: on open, the stored head's state root must equal the root recomputed from the stored
//! state, and the head must be the stored block at its height. Otherwise the node refuses to run.

mod audit;
mod chain;
mod consensus;
mod db;
mod documents;
mod evidence;
mod registry;
mod supply;

pub use db::{RawEntries, Storage, StoreError};
