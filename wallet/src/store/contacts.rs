//! The address book: names for the accounts a resident pays, kept in `contacts.json` in the
//! wallet directory (local only; nothing of it goes to the node).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use contracts::AccountId;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::atomic_file;

/// The file in the wallet directory.
const FILE: &str = "contacts.json";
/// Most contacts kept.
pub const MAX_CONTACTS: usize = 1000;

/// Why the address book could not be read, changed or written.
#[derive(Debug, Error)]
pub enum Error {
    /// The file is not an address book.
    #[error("the address book {} is damaged; fix or remove it (it only holds names)", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the JSON reader found.
        #[source]
        source: serde_json::Error,
    },
    /// Reading, creating or writing a file failed.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done: `reading`, `creating`, `writing`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A name outside the allowed characters or length.
    #[error("contact name {0:?} must be 1 to 32 of a-z, 0-9, '-' and '_'")]
    Name(String),
    /// The book is full.
    #[error("the address book holds {MAX_CONTACTS} contacts already; remove some first")]
    Full,
    /// No contact of that name.
    #[error("there is no contact {0:?}; see `heitje contacts list`")]
    NotFound(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Book {
    version: u32,
    contacts: BTreeMap<String, AccountId>,
}

/// The address book of one wallet directory, as read from its file.
#[derive(Debug)]
pub struct AddressBook {
    path: PathBuf,
    book: Book,
}

/// Checks a contact name: 1 to 32 of a-z, 0-9, '-' and '_'.
pub fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(Error::Name(name.to_owned())) }
}

impl AddressBook {
    /// Reads the address book in `home`; a missing file is an empty book.
    pub fn open(home: &Path) -> Result<Self, Error> {
        let path = home.join(FILE);
        let book = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| Error::Damaged { path: path.clone(), source })?
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => Book { version: 1, ..Book::default() },
            Err(source) => return Err(Error::Io { action: "reading", path, source }),
        };
        Ok(Self { path, book })
    }

    /// The address of a contact, if `name` is one.
    pub fn lookup(&self, name: &str) -> Option<AccountId> {
        self.book.contacts.get(name).copied()
    }

    /// The name of the contact with `address`, if any.
    pub fn name_of(&self, address: &AccountId) -> Option<String> {
        self.book.contacts.iter().find(|(_, a)| *a == address).map(|(n, _)| n.clone())
    }

    /// Every contact, by name.
    pub fn contacts(&self) -> &BTreeMap<String, AccountId> {
        &self.book.contacts
    }

    /// Adds or replaces a contact (not yet saved); returns the address it replaced.
    pub fn insert(&mut self, name: &str, address: AccountId) -> Result<Option<AccountId>, Error> {
        if !self.book.contacts.contains_key(name) && self.book.contacts.len() >= MAX_CONTACTS {
            return Err(Error::Full);
        }
        Ok(self.book.contacts.insert(name.to_owned(), address))
    }

    /// Removes a contact (not yet saved).
    pub fn remove(&mut self, name: &str) -> Result<AccountId, Error> {
        self.book.contacts.remove(name).ok_or_else(|| Error::NotFound(name.to_owned()))
    }

    /// Writes the book to its file, whole and synced.
    pub fn save(&self) -> Result<(), Error> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                action: "creating",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let bytes = serde_json::to_vec_pretty(&self.book).map_err(io::Error::other);
        bytes.and_then(|bytes| atomic_file::write(&self.path, &bytes)).map_err(|source| Error::Io {
            action: "writing",
            path: self.path.clone(),
            source,
        })
    }
}
