//! The small JSON files of the wallet directory (address book, pending redemptions): read whole,
//! a missing file read as `None`, and written whole through [`super::atomic_file`].

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::atomic_file;

/// Why a JSON file could not be read or written.
#[derive(Debug, Error)]
pub enum Error {
    /// The file is not what it should hold.
    #[error("{what}{} is damaged; {advice}", path.display())]
    Damaged {
        /// What the file is, with a trailing space (or empty).
        what: &'static str,
        /// What the user should do about it.
        advice: &'static str,
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
}

/// What a damaged file is called and what to do about it, for [`Error::Damaged`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Damage {
    /// What the file is, with a trailing space (or empty).
    pub(crate) what: &'static str,
    /// What the user should do about it.
    pub(crate) advice: &'static str,
}

/// Reads and decodes `path`; `None` if it does not exist.
pub(crate) fn read<T: DeserializeOwned>(path: &Path, damage: Damage) -> Result<Option<T>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|source| Error::Damaged {
            what: damage.what,
            advice: damage.advice,
            path: path.to_path_buf(),
            source,
        }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io { action: "reading", path: path.to_path_buf(), source }),
    }
}

/// Writes `value` to `path` as pretty JSON, whole and synced, creating its directory.
pub(crate) fn write<T: Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            action: "creating",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other);
    bytes.and_then(|bytes| atomic_file::write(path, &bytes)).map_err(|source| Error::Io {
        action: "writing",
        path: path.to_path_buf(),
        source,
    })
}
