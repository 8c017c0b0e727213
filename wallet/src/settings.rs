//! Settings: the global options checked once, before any command runs.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::store::keystore;

/// Environment variable holding the keystore password, for scripts and tests.
pub const PASSWORD_ENV: &str = "HEITJE_PASSWORD";

/// Why the global options are not usable.
#[derive(Debug, Error)]
pub enum Error {
    /// The node URL is not an http URL.
    #[error("node URL {0:?} is not usable: {1}")]
    NodeUrl(String, &'static str),
    /// No home directory given and `$HOME` is unset.
    #[error("no wallet directory: set --home or HEITJE_HOME (HOME is not set)")]
    NoHome,
    /// The account name is not a valid name.
    #[error(transparent)]
    AccountName(#[from] keystore::Error),
}

/// Where the keystore password comes from.
pub enum PasswordSource {
    /// The first line of a file (`--password-file`).
    File(PathBuf),
    /// The `HEITJE_PASSWORD` environment variable.
    Env(Zeroizing<String>),
    /// A prompt on the terminal.
    Prompt,
}

impl std::fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Env(_) => f.write_str("Env(<hidden>)"),
            Self::Prompt => f.write_str("Prompt"),
        }
    }
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Node API URL, or several separated by commas: a node that is down, catching up or behind
    /// this wallet's last transaction is skipped for the next. `host:port` means `http://host:port`.
    #[arg(
        long,
        global = true,
        env = "HEITJE_NODE",
        default_value = "http://127.0.0.1:7700",
        value_name = "URL[,URL…]"
    )]
    pub node: String,

    /// Wallet directory; the keystore is DIR/keystore [default: $HOME/.heitje].
    #[arg(long, global = true, env = "HEITJE_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Local account to sign with or look at [default: the only account, if there is one].
    #[arg(short = 'a', long, global = true, env = "HEITJE_ACCOUNT", value_name = "NAME")]
    pub account: Option<String>,

    /// Print exactly one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Read the keystore password from the first line of FILE.
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Seconds to wait for a submitted transaction to be final.
    #[arg(
        long,
        global = true,
        env = "HEITJE_WAIT_SECS",
        default_value_t = 30,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub wait_secs: u64,

    /// Send signed requests (evidence, bank details, shop statements, the audit log) over plain
    /// http to a node on another machine. Without it the wallet refuses: the answer holds
    /// personal data and plain http lets anyone on the network path read it. Nodes on this
    /// machine (127.0.0.1, localhost) need no flag; use an SSH tunnel to reach a remote one.
    #[arg(long, global = true, env = "HEITJE_ALLOW_PLAIN_HTTP")]
    pub allow_plain_http: bool,
}

/// The checked global options.
#[derive(Debug)]
pub struct Settings {
    /// Node base URLs, `http://host:port`, no trailing slash, in the order they are tried.
    pub nodes: Vec<String>,
    /// Wallet directory.
    pub home: PathBuf,
    /// The account chosen with `--account` or `HEITJE_ACCOUNT`, if any.
    pub account: Option<String>,
    /// JSON output.
    pub json: bool,
    /// Skip confirmations.
    pub yes: bool,
    /// Where the password comes from.
    pub password: PasswordSource,
    /// How long to wait for a submitted transaction to be final.
    pub wait: Duration,
    /// Signed requests may go over plain http to another machine (`--allow-plain-http`).
    pub allow_plain_http: bool,
}

impl Settings {
    /// Checks the global options and reads `HOME` and `HEITJE_PASSWORD` from the environment.
    pub fn from_global(global: &Global) -> Result<Self, Error> {
        let nodes = node_urls(&global.node)?;
        let home = match &global.home {
            Some(home) => home.clone(),
            None => match std::env::var_os("HOME") {
                Some(home) if !home.is_empty() => PathBuf::from(home).join(".heitje"),
                _ => return Err(Error::NoHome),
            },
        };
        let account = match &global.account {
            Some(name) if !name.is_empty() => {
                keystore::check_name(name)?;
                Some(name.clone())
            }
            _ => None,
        };
        let password = match (&global.password_file, std::env::var(PASSWORD_ENV)) {
            (Some(path), _) => PasswordSource::File(path.clone()),
            (None, Ok(password)) if !password.is_empty() => PasswordSource::Env(Zeroizing::new(password)),
            _ => PasswordSource::Prompt,
        };
        Ok(Self {
            nodes,
            home,
            account,
            json: global.json,
            yes: global.yes,
            password,
            wait: Duration::from_secs(global.wait_secs),
            allow_plain_http: global.allow_plain_http,
        })
    }
}

/// Reads a comma-separated list of node URLs (each normalised by [`node_url`]), tried in order.
fn node_urls(text: &str) -> Result<Vec<String>, Error> {
    let mut nodes = Vec::new();
    for part in text.split(',') {
        let url = node_url(part)?;
        if !nodes.contains(&url) {
            nodes.push(url);
        }
    }
    Ok(nodes)
}

/// Normalises the node URL: `host:port` gets `http://`, trailing slashes go.
fn node_url(text: &str) -> Result<String, Error> {
    let text = text.trim();
    let bad = |why| Error::NodeUrl(text.to_owned(), why);
    let url = if text.starts_with("https://") {
        return Err(bad("https is not supported by this wallet; use http:// to a node on this machine"));
    } else if text.starts_with("http://") {
        text.to_owned()
    } else if text.contains("://") {
        return Err(bad("only http:// URLs are supported"));
    } else {
        format!("http://{text}")
    };
    let url = url.trim_end_matches('/').to_owned();
    let rest = url.get("http://".len()..).unwrap_or_default();
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("it names no host; write it like http://127.0.0.1:7700"));
    }
    if rest.chars().any(|c| c.is_whitespace() || c == '?' || c == '#') {
        return Err(bad("it holds spaces, '?' or '#'; write it like http://127.0.0.1:7700"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_urls_are_normalised_and_https_is_refused() {
        assert_eq!(node_url("127.0.0.1:1").ok().as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(node_url("http://localhost:7700/").ok().as_deref(), Some("http://localhost:7700"));
        assert_eq!(node_url(" http://node.example/heitje ").ok().as_deref(), Some("http://node.example/heitje"));
        assert_eq!(
            node_urls("127.0.0.1:1, http://127.0.0.1:2/,127.0.0.1:1").ok(),
            Some(vec!["http://127.0.0.1:1".to_owned(), "http://127.0.0.1:2".to_owned()]),
            "a list, in order, without repeats"
        );
        assert!(node_urls("127.0.0.1:1,,127.0.0.1:2").is_err(), "an empty entry");
        for bad in ["https://node", "ftp://node", "http://", "", "http:///x", "http://a b"] {
            assert!(node_url(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
