//! The address book: names for the accounts a resident pays, kept in `contacts.json` in the
//! wallet directory (local only; nothing of it goes to the node).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use contracts::AccountId;
use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::output::Table;

const FILE: &str = "contacts.json";
/// Most contacts kept.
const MAX_CONTACTS: usize = 1000;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Book {
    version: u32,
    contacts: BTreeMap<String, AccountId>,
}

fn path(ctx: &Context) -> PathBuf {
    ctx.settings.home.join(FILE)
}

fn load(path: &Path) -> anyhow::Result<Book> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
            format!("the address book {} is damaged; fix or remove it (it only holds names)", path.display())
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Book { version: 1, ..Book::default() }),
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

fn save(path: &Path, book: &Book) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::atomic_file::write(path, &serde_json::to_vec_pretty(book)?)
        .with_context(|| format!("writing {}", path.display()))
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        bail!("contact name {name:?} must be 1 to 32 of a-z, 0-9, '-' and '_'");
    }
    Ok(())
}

/// The address of a contact, if `name` is one.
pub(crate) fn lookup(ctx: &Context, name: &str) -> anyhow::Result<Option<AccountId>> {
    Ok(load(&path(ctx))?.contacts.get(name).copied())
}

/// The name of the contact with `address`, if any.
pub(crate) fn name_of(ctx: &Context, address: &AccountId) -> anyhow::Result<Option<String>> {
    Ok(load(&path(ctx))?.contacts.into_iter().find(|(_, a)| a == address).map(|(n, _)| n))
}

/// `contacts add NAME ADDRESS`.
pub(crate) fn add(ctx: &Context, name: &str, address: &str) -> anyhow::Result<()> {
    check_name(name)?;
    let address = AccountId::from_address(address.trim())?;
    let file = path(ctx);
    let mut book = load(&file)?;
    if !book.contacts.contains_key(name) && book.contacts.len() >= MAX_CONTACTS {
        bail!("the address book holds {MAX_CONTACTS} contacts already; remove some first");
    }
    let replaced = book.contacts.insert(name.to_owned(), address);
    save(&file, &book)?;
    let verb = if replaced.is_some() { "Replaced" } else { "Added" };
    ctx.out.result(&serde_json::json!({ "name": name, "address": address }), || {
        format!("{verb} contact {name}: {address}\n")
    })?;
    Ok(())
}

/// `contacts remove NAME`.
pub(crate) fn remove(ctx: &Context, name: &str) -> anyhow::Result<()> {
    let file = path(ctx);
    let mut book = load(&file)?;
    if book.contacts.remove(name).is_none() {
        bail!("there is no contact {name:?}; see `heitje contacts list`");
    }
    save(&file, &book)?;
    ctx.out.result(&serde_json::json!({ "removed": name }), || format!("Removed contact {name}\n"))?;
    Ok(())
}

/// `contacts list`.
pub(crate) fn list(ctx: &Context) -> anyhow::Result<()> {
    let book = load(&path(ctx))?;
    ctx.out.result(&book.contacts, || {
        if book.contacts.is_empty() {
            return "No contacts yet; add one with `heitje contacts add NAME ADDRESS`.\n".into();
        }
        let mut table = Table::new(&["NAME", "ADDRESS"]);
        for (name, address) in &book.contacts {
            table.row(vec![name.clone(), address.to_string()]);
        }
        table.render()
    })?;
    Ok(())
}
