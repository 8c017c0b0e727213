//! Why a benchmark run failed. Every variant names what it was doing, so the message alone tells
//! the operator where to look (a node's log, a file, a port).

use std::path::PathBuf;

use thiserror::Error;

/// A failed benchmark step.
#[derive(Debug, Error)]
pub enum Error {
    /// A file or process operation failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// On which path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A node did something the benchmark cannot work around (did not start, stopped answering).
    #[error("node {node}: {message}")]
    Node {
        /// The node, numbered from 1 as in its config file name.
        node: usize,
        /// What went wrong, with the end of its log where that helps.
        message: String,
    },
    /// The genesis file of the dev network could not be extended with the bench accounts.
    #[error("bench genesis: {0}")]
    Genesis(#[from] genesis::GenesisError),
    /// Anything else, described in full.
    #[error("{0}")]
    Setup(String),
}

impl Error {
    /// An I/O error on `path`.
    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { what, path: path.into(), source }
    }
}

/// The result of a benchmark step.
pub type Result<T> = std::result::Result<T, Error>;
