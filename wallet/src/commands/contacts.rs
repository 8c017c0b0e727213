//! `heitje contacts`: the address book, names for the accounts you pay (kept locally in
//! [`crate::store::contacts`]).

use clap::Subcommand;
use contracts::AccountId;

use crate::context::Context;
use crate::output::Table;
use crate::store::contacts::{self, AddressBook};

/// `heitje contacts …`.
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Add or replace a contact.
    Add {
        /// A short name: a-z, 0-9, '-' and '_'.
        name: String,
        /// The address (heitje1…).
        address: String,
    },
    /// Remove a contact.
    Remove {
        /// The name.
        name: String,
    },
    /// List the contacts.
    List,
}

/// Runs `heitje contacts …`.
pub(crate) fn run(ctx: &Context, command: ContactsCommand) -> anyhow::Result<()> {
    match command {
        ContactsCommand::Add { name, address } => add(ctx, &name, &address),
        ContactsCommand::Remove { name } => remove(ctx, &name),
        ContactsCommand::List => list(ctx),
    }
}

/// `contacts add NAME ADDRESS`.
pub(crate) fn add(ctx: &Context, name: &str, address: &str) -> anyhow::Result<()> {
    contacts::check_name(name)?;
    let address = AccountId::from_address(address.trim())?;
    let mut book = AddressBook::open(&ctx.settings.home)?;
    let replaced = book.insert(name, address)?;
    book.save()?;
    let verb = if replaced.is_some() { "Replaced" } else { "Added" };
    ctx.out.result(&serde_json::json!({ "name": name, "address": address }), || {
        format!("{verb} contact {name}: {address}\n")
    })?;
    Ok(())
}

/// `contacts remove NAME`.
pub(crate) fn remove(ctx: &Context, name: &str) -> anyhow::Result<()> {
    let mut book = AddressBook::open(&ctx.settings.home)?;
    book.remove(name)?;
    book.save()?;
    ctx.out.result(&serde_json::json!({ "removed": name }), || format!("Removed contact {name}\n"))?;
    Ok(())
}

/// `contacts list`.
pub(crate) fn list(ctx: &Context) -> anyhow::Result<()> {
    let book = AddressBook::open(&ctx.settings.home)?;
    let contacts = book.contacts();
    ctx.out.result(contacts, || {
        if contacts.is_empty() {
            return "No contacts yet; add one with `heitje contacts add NAME ADDRESS`.\n".into();
        }
        let mut table = Table::new(&["NAME", "ADDRESS"]);
        for (name, address) in contacts {
            table.row(vec![name.clone(), address.to_string()]);
        }
        table.render()
    })?;
    Ok(())
}
