//! What the node keeps beside the chain and never feeds into it: the sealed evidence records
//! (with their access and retention rules applied), the merchant registry and the audit log of
//! staff reads. All of it runs on the ledger thread, reading the committed state for roles and
//! claims; `evidence::policy` holds the pure rules.

pub mod audit;
pub mod evidence;
pub mod registry;
