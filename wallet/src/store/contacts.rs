//! The address book: names for the accounts a resident pays, kept in `contacts.json` in the
//! wallet directory (local only; nothing of it goes to the node).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use contracts::AccountId;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::json_file::{self, Damage};

const DAMAGE: Damage = Damage { what: "the address book ", advice: "fix or remove it (it only holds names)" };
/// The file in the wallet directory.
const FILE: &str = "contacts.json";
/// Most contacts kept.
pub const MAX_CONTACTS: usize = 1000;

/// Why the address book could not be read, changed or written.
#[derive(Debug, Error)]
pub enum Error {
    /// The file could not be read or written.
    #[error(transparent)]
    File(#[from] json_file::Error),
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
        let book = json_file::read(&path, DAMAGE)?.unwrap_or(Book { version: 1, ..Book::default() });
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
        Ok(json_file::write(&self.path, &self.book)?)
    }
}
