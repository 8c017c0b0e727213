//! What the wallet keeps in its directory: the encrypted keystore, the address book, the keys of
//! unfinished redemptions and the nonce journal, all written through one atomic file writer.

pub(crate) mod atomic_file;
pub mod contacts;
pub mod json_file;
pub mod keystore;
pub mod nonces;
pub mod pending;
