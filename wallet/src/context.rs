//! What every command works with: the settings, the output, the keystore and the node, plus
//! the questions asked on the terminal (password, phrase, confirmation).

use std::fs::File;
use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use api::staff::{NONCE_BYTES, Unsigned};
use contracts::{AccountId, ChainId, Timestamp};
use zeroize::Zeroizing;

use crate::client::{self, Client};
use crate::formats::time::now_ms;
use crate::output::Output;
use crate::settings::{PasswordSource, Settings};
use crate::store::contacts::AddressBook;
use crate::store::keystore::{self, Entry, Keystore, Secret};

/// Shortest password accepted for a new keystore file.
const MIN_PASSWORD_CHARS: usize = 8;
/// Tries at the password prompt before giving up.
const PROMPT_TRIES: usize = 3;
/// Largest password or phrase file read.
const MAX_SECRET_FILE: u64 = 4096;

/// The settings and the output of one run.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) settings: Settings,
    pub(crate) out: Output,
}

impl Context {
    pub(crate) fn new(settings: Settings) -> Self {
        let out = Output::new(settings.json);
        Self { settings, out }
    }

    pub(crate) fn client(&self) -> Client {
        Client::new(&self.settings.nodes).allow_plain_http(self.settings.allow_plain_http)
    }

    pub(crate) fn keystore(&self) -> Keystore {
        Keystore::new(&self.settings.home)
    }

    /// The account to act as: `--account`, or the only one in the keystore.
    pub(crate) fn selected(&self) -> anyhow::Result<Entry> {
        Ok(self.keystore().select(self.settings.account.as_deref())?)
    }

    /// An account given as a `heitje1…` address or a local name; `None` is the selected account.
    pub(crate) fn target(&self, text: Option<&str>) -> anyhow::Result<AccountId> {
        match text {
            Some(text) => self.resolve(text),
            None => Ok(self.selected()?.address),
        }
    }

    /// Reads an address, or the address of a local account name.
    pub(crate) fn resolve(&self, text: &str) -> anyhow::Result<AccountId> {
        let trimmed = text.trim();
        let looks_like_address = trimmed.to_ascii_lowercase().starts_with(contracts::primitives::ADDRESS_HRP);
        if looks_like_address || keystore::check_name(trimmed).is_err() {
            return Ok(AccountId::from_address(trimmed)?);
        }
        match self.keystore().load(trimmed) {
            Ok(entry) => Ok(entry.address),
            Err(keystore::Error::NotFound { .. }) => match AddressBook::open(&self.settings.home)?.lookup(trimmed) {
                Some(address) => Ok(address),
                None => bail!(
                    "{trimmed:?} is neither a Heitje address (heitje1…), a local account name nor a contact; \
                     see `heitje account list` and `heitje contacts list`"
                ),
            },
            Err(err) => Err(err.into()),
        }
    }

    /// Fails early, before anything is sent, if a confirmation is due but cannot be asked.
    pub(crate) fn require_confirmable(&self) -> anyhow::Result<()> {
        if !self.settings.yes && !std::io::stdin().is_terminal() {
            bail!("this needs confirmation but stdin is not a terminal; pass --yes to confirm");
        }
        Ok(())
    }

    /// Shows `summary` on stderr and asks `Confirm? [y/N]` unless `--yes` was given.
    pub(crate) fn confirm(&self, summary: &str) -> anyhow::Result<()> {
        self.out.note(summary);
        if self.settings.yes {
            return Ok(());
        }
        self.require_confirmable()?;
        eprint!("Confirm? [y/N] ");
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).context("reading the answer from stdin")?;
        match answer.trim().to_lowercase().as_str() {
            "y" | "yes" => Ok(()),
            _ => bail!("cancelled; nothing was done"),
        }
    }

    /// Unlocks an account with the password from the file, the environment or the prompt.
    pub(crate) fn unlock(&self, entry: &Entry) -> anyhow::Result<Secret> {
        match &self.settings.password {
            PasswordSource::File(path) => Ok(entry.unlock(read_secret_file(path, "password")?.as_bytes())?),
            PasswordSource::Env(password) => Ok(entry.unlock(password.as_bytes())?),
            PasswordSource::Prompt => {
                for attempt in 1..=PROMPT_TRIES {
                    let password = prompt_hidden(&format!("Password for account {}: ", entry.name))?;
                    match entry.unlock(password.as_bytes()) {
                        Err(keystore::Error::WrongPassword(_)) if attempt < PROMPT_TRIES => {
                            self.out.note("Wrong password, try again.");
                        }
                        result => return Ok(result?),
                    }
                }
                Err(keystore::Error::WrongPassword(entry.name.clone()).into())
            }
        }
    }

    /// A password for a new keystore file: from the file or environment, or asked twice.
    pub(crate) fn new_password(&self, name: &str) -> anyhow::Result<Zeroizing<String>> {
        let password = match &self.settings.password {
            PasswordSource::File(path) => read_secret_file(path, "password")?,
            PasswordSource::Env(password) => password.clone(),
            PasswordSource::Prompt => {
                let first = prompt_hidden(&format!("New password for account {name}: "))?;
                let second = prompt_hidden("Repeat the password: ")?;
                if *first != *second {
                    bail!("the two passwords differ; nothing was stored");
                }
                first
            }
        };
        if password.chars().count() < MIN_PASSWORD_CHARS {
            bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
        }
        Ok(password)
    }

    /// A recovery phrase from a file, or asked on the terminal without echo.
    pub(crate) fn phrase(&self, file: Option<&Path>) -> anyhow::Result<Zeroizing<String>> {
        match file {
            Some(path) => {
                let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
                let mut text = Zeroizing::new(String::new());
                file.by_ref()
                    .take(MAX_SECRET_FILE + 1)
                    .read_to_string(&mut text)
                    .with_context(|| format!("reading {}", path.display()))?;
                if text.len() as u64 > MAX_SECRET_FILE {
                    bail!("{} is too large for a recovery phrase", path.display());
                }
                Ok(text)
            }
            None => prompt_hidden("Recovery phrase (words separated by spaces; not shown): "),
        }
    }
}

/// Asks on the terminal without echo.
fn prompt_hidden(prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    rpassword::prompt_password(prompt).map(Zeroizing::new).map_err(|err| {
        anyhow!(
            "cannot ask on the terminal ({err}); set HEITJE_PASSWORD or pass --password-file \
             (and --phrase-file for a recovery phrase)"
        )
    })
}

/// The first line of a small file holding a password.
fn read_secret_file(path: &Path, what: &str) -> anyhow::Result<Zeroizing<String>> {
    let file = File::open(path).with_context(|| format!("opening {what} file {}", path.display()))?;
    let mut text = Zeroizing::new(String::new());
    file.take(MAX_SECRET_FILE)
        .read_to_string(&mut text)
        .with_context(|| format!("reading {what} file {}", path.display()))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!("{what} file {} is empty", path.display());
    }
    Ok(Zeroizing::new(line.to_owned()))
}

/// Turns "unknown account" answers into the advice residents need.
pub(crate) fn not_on_chain(address: &AccountId, err: client::Error) -> anyhow::Error {
    if err.code() == Some("unknown_account") || err.status() == Some(404) {
        anyhow!("account {address} is not on chain yet; ask the registrar to enroll it")
    } else {
        err.into()
    }
}

/// The node's chain id.
pub(crate) fn chain_id(client: &Client) -> anyhow::Result<ChainId> {
    let status = client.status()?;
    ChainId::new(&status.chain_id).map_err(|err| anyhow!("the node reports chain id {:?}: {err}", status.chain_id))
}

/// Signs one signed request (`api::staff::SignedRead`) with `secret`, for the client to send:
/// the client names the chain and the node it sends to, this adds the time and a fresh random
/// nonce. Fails only if the system's random source does.
pub(crate) fn signer(secret: &Secret) -> anyhow::Result<impl FnOnce(&Unsigned<'_>) -> String + '_> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::getrandom(&mut nonce).map_err(|err| anyhow!("no random nonce for the signed request: {err}"))?;
    Ok(move |request: &Unsigned<'_>| secret.with_key(|key| request.sign(key, Timestamp(now_ms()), nonce).header()))
}
