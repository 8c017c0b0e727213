//! The double-sign guard: the highest height this validator key has signed at, kept in a small
//! file beside the key and outside the data directory.
//!
//! Malachite's write-ahead log keeps a validator consistent within a height across restarts. It
//! lives in the data directory, so an operator who wipes that directory (a corrupted disk, a
//! re-sync) also wipes the log, and the restarted node could sign a second, different vote at a
//! height it already voted on. The guard closes that hole:
//!
//! - before the signer signs at a height above the recorded one, the new height is written and
//!   synced to disk (one small write per height);
//! - at start, a node whose recorded height is above its stored chain (or equal to it without a
//!   write-ahead log) joins as a follower that signs nothing, syncs, and becomes a validator
//!   again only once the chain is past the recorded height;
//! - as a last line, the signer refuses to sign at any height below the recorded one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const MAGIC: &str = "heitje-sign-state v1";

/// The recorded high-water mark of signing, shared by the signer and the node.
#[derive(Debug, Clone)]
pub struct SignGuard {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    chain_id: String,
    highest: Mutex<u64>,
}

/// Why the guard could not be opened or refused to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The file exists but does not hold a sign state.
    #[error(
        "sign-state file {path} is not a Heitje sign state ({reason}); restore it from a backup or, only if this key has never signed on this chain, delete it"
    )]
    Malformed {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The file belongs to another chain.
    #[error(
        "sign-state file {path} belongs to chain {found:?}, not {expected:?}; use one key and sign-state file per chain"
    )]
    OtherChain {
        /// The file.
        path: String,
        /// The chain in the file.
        found: String,
        /// This node's chain.
        expected: String,
    },
    /// Reading or writing the file failed.
    #[error("sign-state file {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// Signing at this height could equivocate.
    #[error(
        "refusing to sign at height {height}: this key already signed at height {highest} (sign-state file {path})"
    )]
    Behind {
        /// The height asked for.
        height: u64,
        /// The recorded height.
        highest: u64,
        /// The file.
        path: String,
    },
}

impl SignGuard {
    /// Opens the guard at `path` for `chain_id`. A missing file means this key never signed.
    pub fn open(path: &Path, chain_id: &str) -> Result<Self, GuardError> {
        let shown = path.display().to_string();
        let highest = match std::fs::read_to_string(path) {
            Ok(text) => parse(&text, chain_id, &shown)?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => 0,
            Err(err) => return Err(GuardError::Io { path: shown, reason: err.to_string() }),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                chain_id: chain_id.to_string(),
                highest: Mutex::new(highest),
            }),
        })
    }

    /// The highest height signed at (0: never signed).
    pub fn highest(&self) -> u64 {
        *self.inner.highest.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Whether a node whose next height to decide is `next`, with or without a write-ahead log
    /// for it, must follow without signing until the chain passes [`Self::highest`].
    pub fn must_follow(&self, next: u64, has_wal: bool) -> bool {
        let highest = self.highest();
        highest > next || (highest == next && !has_wal)
    }

    /// Called before signing anything at `height`: refuses heights below the recorded one, and
    /// durably records a higher one before returning.
    pub fn before_signing(&self, height: u64) -> Result<(), GuardError> {
        let mut highest = self.inner.highest.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if height < *highest {
            return Err(GuardError::Behind { height, highest: *highest, path: self.inner.path.display().to_string() });
        }
        if height > *highest {
            self.write(height)?;
            *highest = height;
        }
        Ok(())
    }

    /// Writes `height` atomically: a temporary file, synced, renamed over the old one, and the
    /// directory synced.
    fn write(&self, height: u64) -> Result<(), GuardError> {
        let path = &self.inner.path;
        let io = |err: std::io::Error| GuardError::Io { path: path.display().to_string(), reason: err.to_string() };
        let tmp = path.with_extension("tmp");
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        writeln!(file, "{MAGIC}\nchain {}\nheight {height}", self.inner.chain_id).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(io)?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        Ok(())
    }
}

/// A guard in a fresh scratch file, for unit tests.
#[cfg(test)]
pub(crate) fn scratch(name: &str) -> SignGuard {
    let dir = std::env::temp_dir().join(format!("heitje-guard-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    SignGuard::open(&dir.join("validator.sign-state"), "test").expect("open a scratch guard")
}

fn parse(text: &str, chain_id: &str, path: &str) -> Result<u64, GuardError> {
    let malformed = |reason: &str| GuardError::Malformed { path: path.to_string(), reason: reason.to_string() };
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err(malformed(&format!("the first line must be {MAGIC:?}")));
    }
    let chain = lines.next().and_then(|l| l.strip_prefix("chain ")).ok_or_else(|| malformed("no chain line"))?;
    if chain != chain_id {
        return Err(GuardError::OtherChain {
            path: path.to_string(),
            found: chain.to_string(),
            expected: chain_id.to_string(),
        });
    }
    let height = lines
        .next()
        .and_then(|l| l.strip_prefix("height "))
        .and_then(|h| h.parse::<u64>().ok())
        .ok_or_else(|| malformed("no valid height line"))?;
    if lines.any(|l| !l.trim().is_empty()) {
        return Err(malformed("unexpected lines after the height"));
    }
    Ok(height)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("heitje-guard-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("validator.sign-state")
    }

    #[test]
    fn the_high_water_mark_survives_a_reopen_and_lower_heights_are_refused() {
        let path = temp("reopen");
        let guard = SignGuard::open(&path, "heerlen").expect("open");
        assert_eq!(guard.highest(), 0);
        guard.before_signing(5).expect("sign at 5");
        guard.before_signing(5).expect("again at 5: other rounds and steps of the same height");
        let reopened = SignGuard::open(&path, "heerlen").expect("reopen");
        assert_eq!(reopened.highest(), 5);
        let refused = reopened.before_signing(4).expect_err("below the mark");
        assert!(matches!(refused, GuardError::Behind { height: 4, highest: 5, .. }), "{refused}");
        reopened.before_signing(6).expect("above the mark");
        assert_eq!(SignGuard::open(&path, "heerlen").expect("reopen").highest(), 6);
    }

    #[test]
    fn a_node_follows_when_the_mark_is_ahead_of_its_chain_or_equal_without_a_log() {
        let path = temp("follow");
        let guard = SignGuard::open(&path, "heerlen").expect("open");
        guard.before_signing(10).expect("sign");
        assert!(guard.must_follow(1, true), "wiped database, kept log");
        assert!(guard.must_follow(10, false), "same height, log wiped");
        assert!(!guard.must_follow(10, true), "ordinary restart mid-height: the log replays");
        assert!(!guard.must_follow(11, false), "past the mark");
    }

    #[test]
    fn malformed_and_foreign_files_are_refused_with_the_file_named() {
        let path = temp("bad");
        std::fs::write(&path, "garbage").expect("write");
        let err = SignGuard::open(&path, "heerlen").expect_err("garbage");
        assert!(err.to_string().contains("validator.sign-state"), "{err}");
        std::fs::write(&path, format!("{MAGIC}\nchain other\nheight 3\n")).expect("write");
        assert!(matches!(SignGuard::open(&path, "heerlen"), Err(GuardError::OtherChain { .. })));
        std::fs::write(&path, format!("{MAGIC}\nchain heerlen\nheight x\n")).expect("write");
        assert!(matches!(SignGuard::open(&path, "heerlen"), Err(GuardError::Malformed { .. })));
    }
}
