//! `heitje account`: create, restore, list and back up the local accounts in the keystore.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::context::Context;
use crate::output::{Table, fields, roles, yes_no};
use crate::store::keystore::{self, Secret};

/// `heitje account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account with a new recovery phrase.
    New {
        /// Local name: a-z, 0-9, '-' and '_', at most 32 characters.
        name: String,
        /// Words in the recovery phrase.
        #[arg(long, value_enum, default_value = "24")]
        words: WordCount,
    },

    /// Restore an account from its recovery phrase.
    Restore {
        /// Local name: a-z, 0-9, '-' and '_', at most 32 characters.
        name: String,
        /// Read the phrase from FILE instead of asking for it.
        #[arg(long, value_name = "FILE")]
        phrase_file: Option<PathBuf>,
    },

    /// List local accounts and their addresses.
    List,

    /// Show a local account, and its balance and roles if the node is reachable.
    Show {
        /// Local account name [default: the selected account].
        name: Option<String>,
    },

    /// Show an account's recovery phrase (after confirmation and the password).
    ExportPhrase {
        /// Local account name.
        name: String,
    },
}

/// Words in a new recovery phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WordCount {
    /// 12 words (128 bits).
    #[value(name = "12")]
    Twelve,
    /// 24 words (256 bits).
    #[value(name = "24")]
    TwentyFour,
}

/// Runs `heitje account …`.
pub(crate) fn run(ctx: &Context, command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::New { name, words } => new(ctx, &name, words),
        AccountCommand::Restore { name, phrase_file } => restore(ctx, &name, phrase_file.as_deref()),
        AccountCommand::List => list(ctx),
        AccountCommand::Show { name } => show(ctx, name.as_deref()),
        AccountCommand::ExportPhrase { name } => export_phrase(ctx, &name),
    }
}

const BACKUP_WARNING: &str = "\
Write these words on paper, in this order, and keep them somewhere safe and private.
They are the only way back into this account if you forget the password or lose this
computer. Anyone who has them can spend the account's coins: never type them into a
website, a chat or an e-mail.";

/// `account new NAME [--words 12|24]`.
pub(crate) fn new(ctx: &Context, name: &str, words: WordCount) -> anyhow::Result<()> {
    let keystore = ctx.keystore();
    refuse_existing(&keystore, name)?;
    let password = ctx.new_password(name)?;
    let secret = Secret::generate(match words {
        WordCount::Twelve => 12,
        WordCount::TwentyFour => 24,
    })?;
    let entry = keystore.create(name, &secret, password.as_bytes())?;
    let value = json!({
        "name": entry.name,
        "address": entry.address,
        "phrase": secret.phrase(),
        "path": entry.path,
    });
    ctx.out.result(&value, || {
        let mut text = format!("Created account {}\nAddress: {}\n", entry.name, entry.address);
        let _ = writeln!(text, "\nRecovery phrase ({} words):\n", secret.word_count());
        text.push_str(&numbered_words(secret.phrase()));
        let _ = writeln!(text, "\n{BACKUP_WARNING}");
        let _ = writeln!(text, "\nGive the address (not the words) to the registrar to be enrolled.");
        text
    })?;
    Ok(())
}

/// `account restore NAME [--phrase-file F]`.
pub(crate) fn restore(ctx: &Context, name: &str, phrase_file: Option<&Path>) -> anyhow::Result<()> {
    let keystore = ctx.keystore();
    refuse_existing(&keystore, name)?;
    let phrase = ctx.phrase(phrase_file)?;
    let secret = Secret::from_phrase(&phrase)?;
    drop(phrase);
    let twins = keystore.names_with_address(&secret.address())?;
    if !twins.is_empty() {
        ctx.out.warn(&format!("this phrase is already stored as account {}", twins.join(", ")));
    }
    let password = ctx.new_password(name)?;
    let entry = keystore.create(name, &secret, password.as_bytes())?;
    let value = json!({ "name": entry.name, "address": entry.address, "path": entry.path });
    ctx.out.result(&value, || format!("Restored account {}\nAddress: {}", entry.name, entry.address))?;
    Ok(())
}

/// `account list`.
pub(crate) fn list(ctx: &Context) -> anyhow::Result<()> {
    let keystore = ctx.keystore();
    let mut rows = Vec::new();
    let mut table = Table::new(&["NAME", "ADDRESS"]);
    for name in keystore.names()? {
        match keystore.load(&name) {
            Ok(entry) => {
                table.row(vec![entry.name.clone(), entry.address.to_string()]);
                rows.push(json!({ "name": entry.name, "address": entry.address }));
            }
            Err(err) => {
                table.row(vec![name.clone(), format!("(unreadable: {err})")]);
                rows.push(json!({ "name": name, "error": err.to_string() }));
            }
        }
    }
    let value = json!({ "keystore": keystore.dir(), "accounts": rows });
    ctx.out.result(&value, || {
        if table.is_empty() {
            format!(
                "No accounts in {}.\nCreate one with `heitje account new NAME` or restore one with \
                 `heitje account restore NAME`.",
                keystore.dir().display()
            )
        } else {
            table.render()
        }
    })?;
    Ok(())
}

/// `account show [NAME]`: the local account, and its on-chain view if the node answers.
pub(crate) fn show(ctx: &Context, name: Option<&str>) -> anyhow::Result<()> {
    let keystore = ctx.keystore();
    let entry = match name {
        Some(name) => keystore.load(name)?,
        None => ctx.selected()?,
    };
    let (view, problem) = match ctx.client().account(&entry.address) {
        Ok(view) => (Some(view), None),
        Err(err) if err.code() == Some("unknown_account") || err.status() == Some(404) => {
            (None, Some("not on chain yet; ask the registrar to enroll it".to_owned()))
        }
        Err(err) => (None, Some(format!("node not reachable: {err}"))),
    };
    let value = json!({
        "name": entry.name,
        "address": entry.address,
        "path": entry.path,
        "on_chain": view,
        "note": problem,
    });
    ctx.out.result(&value, || {
        let mut pairs = vec![
            ("Account", entry.name.clone()),
            ("Address", entry.address.to_string()),
            ("File", entry.path.display().to_string()),
        ];
        match &view {
            Some(view) => {
                pairs.push(("Balance", view.balance.to_string()));
                pairs.push(("Roles", roles(&view.roles)));
                pairs.push(("Enrolled", yes_no(view.enrolled)));
                pairs.push(("Nonce", view.nonce.to_string()));
                pairs.push(("At height", view.height.to_string()));
            }
            None => pairs.push(("On chain", problem.clone().unwrap_or_default())),
        }
        fields(&pairs)
    })?;
    Ok(())
}

/// `account export-phrase NAME`: after confirmation and the password.
pub(crate) fn export_phrase(ctx: &Context, name: &str) -> anyhow::Result<()> {
    let entry = ctx.keystore().load(name)?;
    ctx.require_confirmable()?;
    ctx.confirm(&format!(
        "This shows the recovery phrase of account {name} on the screen. Anyone who sees it \
         can spend the account's coins."
    ))?;
    let secret = ctx.unlock(&entry)?;
    let value: Value = json!({ "name": entry.name, "address": entry.address, "phrase": secret.phrase() });
    ctx.out.result(&value, || {
        let mut text = format!("Recovery phrase of account {} ({}):\n\n", entry.name, entry.address);
        text.push_str(&numbered_words(secret.phrase()));
        let _ = writeln!(text, "\n{BACKUP_WARNING}");
        text
    })?;
    Ok(())
}

fn refuse_existing(keystore: &keystore::Keystore, name: &str) -> anyhow::Result<()> {
    keystore::check_name(name)?;
    let path = keystore.path(name);
    if path.exists() {
        bail!(keystore::Error::Exists { name: name.to_owned(), path });
    }
    Ok(())
}

/// Words numbered in rows of four, easy to copy onto paper.
fn numbered_words(phrase: &str) -> String {
    let mut text = String::new();
    for (i, word) in phrase.split(' ').enumerate() {
        let _ = write!(text, "{:>4}. {word:<10}", i + 1);
        if i % 4 == 3 {
            text.truncate(text.trim_end().len());
            text.push('\n');
        }
    }
    if !text.ends_with('\n') {
        text.truncate(text.trim_end().len());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_numbered_four_to_a_row() {
        let text = numbered_words("a b c d e");
        assert_eq!(text, "   1. a            2. b            3. c            4. d\n   5. e\n");
    }
}
