//! Durable whole-file writes, the one file writer of the wallet: a crash leaves the old file or
//! the new one, never half of either, and [`write_new`] never replaces a file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to a temporary file beside `path` (mode 0600), syncs it, renames it over
/// `path` and syncs the directory, so the new content survives a power cut once this returns.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, temp) = temp_beside(path);
    let written = write_synced(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    File::open(dir)?.sync_all()
}

/// Like [`write`], but fails with [`io::ErrorKind::AlreadyExists`] if `path` exists: the temp
/// file is linked to `path` (which never replaces it), then removed.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, temp) = temp_beside(path);
    let written = write_synced(&temp, bytes).and_then(|()| match fs::hard_link(&temp, path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Err(err),
        // File systems without hard links: fall back to a rename after a last check.
        Err(_) if path.exists() => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
        Err(_) => fs::rename(&temp, path),
    });
    // The temp name is gone after a rename; after a link or a failure it must go.
    let _ = fs::remove_file(&temp);
    written?;
    File::open(dir)?.sync_all()
}

/// The directory of `path` and a temporary name in it.
fn temp_beside(path: &Path) -> (&Path, PathBuf) {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut tag = [0u8; 6];
    // A clash only makes the write fail (create_new), so the process id is a fallback.
    let tag = match getrandom::getrandom(&mut tag) {
        Ok(()) => hex::encode(tag),
        Err(_) => std::process::id().to_string(),
    };
    (dir, dir.join(format!(".{name}.{tag}.tmp")))
}

/// Creates `path` (mode 0600; it must not exist), writes `bytes` and syncs.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("record.json");
        write(&path, b"first, longer content").expect("first write");
        write(&path, b"second").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, ["record.json"]);
    }

    #[test]
    fn write_new_never_replaces_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("batch.xml");
        write_new(&path, b"first").expect("first write");
        let err = write_new(&path, b"second").expect_err("second write");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).expect("read"), b"first");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(write(&dir.path().join("absent/record.json"), b"x").is_err());
    }
}
