//! Keystore: named accounts, one encrypted file each, in `<home>/keystore/<name>.json`.
//!
//! A file holds the account's address in the clear (so listing needs no password) and the
//! BIP39 entropy encrypted with XChaCha20-Poly1305 under a key derived from the password with
//! Argon2id (64 MiB, 3 passes, 1 lane, 16-byte random salt). The associated data binds the
//! file version, the name and the address, so a file cannot be renamed or re-addressed without
//! failing to open. A blake3 checksum over the public fields tells a damaged file apart from a
//! wrong password. Files are written atomically with mode 0600 in a 0700 directory and are
//! never overwritten.
//!
//! The account key is derived exactly as the genesis tooling does it:
//! `contracts::crypto::signing_key_from_seed(Mnemonic::to_seed(""))`.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use bip39::{Language, Mnemonic};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use contracts::crypto::{account_of, signing_key_from_seed};
use contracts::{AccountId, SignedTx, Tx};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use super::atomic_file;

/// The keystore file format version this wallet writes and reads.
pub const FILE_VERSION: u32 = 1;
/// Longest account name.
pub const MAX_NAME_LEN: usize = 32;

const KDF_ALGORITHM: &str = "argon2id";
const KDF_VERSION: u32 = 0x13;
const CIPHER_ALGORITHM: &str = "xchacha20poly1305";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const AAD_DOMAIN: &[u8] = b"heitje keystore v1\0";
const CHECKSUM_CONTEXT: &str = "heitje 2026-11 wallet keystore checksum";
/// Keystore files are small; anything larger is not one of ours.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Why a keystore operation failed.
#[derive(Debug, Error)]
pub enum Error {
    /// The name has characters or a length outside the rules.
    #[error("account name {0:?} is not valid: use 1 to 32 characters a-z, 0-9, '-' and '_'")]
    BadName(String),
    /// An account with this name exists already.
    #[error("account {name} already exists ({path}); choose another name")]
    Exists {
        /// The name.
        name: String,
        /// Its file.
        path: PathBuf,
    },
    /// No account with this name.
    #[error("no account named {name} in {dir}; {}", list_hint(available))]
    NotFound {
        /// The name asked for.
        name: String,
        /// The keystore directory.
        dir: PathBuf,
        /// Names that do exist.
        available: Vec<String>,
    },
    /// No account given and the keystore is empty.
    #[error(
        "no accounts in {0}; create one with `heitje account new NAME` or restore one with \
         `heitje account restore NAME`"
    )]
    NoAccounts(PathBuf),
    /// No account given and there are several.
    #[error(
        "there are several accounts ({}); choose one with --account NAME or HEITJE_ACCOUNT",
        .0.join(", ")
    )]
    Ambiguous(Vec<String>),
    /// The password does not open the file.
    #[error("wrong password for account {0}")]
    WrongPassword(String),
    /// The file is not a valid keystore file, or its public fields were changed.
    #[error(
        "keystore file {path} is damaged or was altered ({detail}); restore the account from \
         its recovery phrase or a backup"
    )]
    Tampered {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A newer file format.
    #[error("keystore file {path} has format version {version}; this wallet reads version 1")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        version: u64,
    },
    /// The phrase does not have a BIP39 word count.
    #[error("the recovery phrase has {0} words; it must have 12, 15, 18, 21 or 24")]
    PhraseWordCount(usize),
    /// A word of the phrase is not in the word list.
    #[error("word {0} of the recovery phrase is not in the BIP39 English word list; check its spelling")]
    PhraseUnknownWord(usize),
    /// The phrase's checksum does not match.
    #[error("the recovery phrase has a bad checksum: a word is wrong or the words are out of order")]
    PhraseChecksum,
    /// Any other phrase problem.
    #[error("the recovery phrase is not valid: {0}")]
    Phrase(String),
    /// A file system operation failed.
    #[error("{action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
    /// Argon2 refused the parameters.
    #[error("key derivation failed: {0}")]
    Kdf(String),
    /// Encryption failed (cannot happen with valid key and nonce sizes).
    #[error("encryption failed")]
    Encrypt,
}

fn list_hint(names: &[String]) -> String {
    if names.is_empty() {
        "there are no accounts yet; create one with `heitje account new NAME`".to_owned()
    } else {
        format!("accounts here: {}", names.join(", "))
    }
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { action, path, source }
}

/// Checks an account name: 1 to 32 characters from a-z, 0-9, '-' and '_'.
pub fn check_name(name: &str) -> Result<(), Error> {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.bytes().all(allowed) {
        return Err(Error::BadName(name.to_owned()));
    }
    Ok(())
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// What new files use: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: Self = Self { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };

    /// Refuses parameters a damaged or hostile file could use to exhaust memory or time.
    fn check(self) -> Result<(), &'static str> {
        if self.memory_kib > 4 * 1024 * 1024 || self.iterations > 64 || self.parallelism > 16 {
            return Err("key derivation parameters are out of range");
        }
        if self.memory_kib < 8 * self.parallelism.max(1) || self.iterations == 0 || self.parallelism == 0 {
            return Err("key derivation parameters are too small");
        }
        Ok(())
    }

    fn derive(self, password: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|err| Error::Kdf(err.to_string()))?;
        let mut key = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(password, salt, key.as_mut())
            .map_err(|err| Error::Kdf(err.to_string()))?;
        Ok(key)
    }
}

/// An unlocked account secret: the BIP39 entropy, its phrase and seed. Zeroized on drop.
pub struct Secret {
    entropy: Zeroizing<Vec<u8>>,
    phrase: Zeroizing<String>,
    seed: Zeroizing<[u8; 64]>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

impl Secret {
    /// A fresh secret with `words` words (12 or 24) from the operating system's generator.
    pub fn generate(words: usize) -> Result<Self, Error> {
        let len = match words {
            12 => 16,
            24 => 32,
            other => return Err(Error::PhraseWordCount(other)),
        };
        let mut entropy = Zeroizing::new(vec![0u8; len]);
        getrandom::getrandom(entropy.as_mut_slice()).map_err(|err| Error::Random(err.to_string()))?;
        Self::from_entropy(entropy)
    }

    /// Reads a recovery phrase. Case and extra whitespace are ignored; the checksum is checked.
    pub fn from_phrase(phrase: &str) -> Result<Self, Error> {
        // Built in place so no unzeroized copy of the words is left behind.
        let mut normalized = Zeroizing::new(String::with_capacity(phrase.len()));
        for word in phrase.split_whitespace() {
            if !normalized.is_empty() {
                normalized.push(' ');
            }
            normalized.extend(word.chars().flat_map(char::to_lowercase));
        }
        let mnemonic = Mnemonic::parse_in_normalized(Language::English, &normalized).map_err(|err| match err {
            bip39::Error::BadWordCount(count) => Error::PhraseWordCount(count),
            bip39::Error::UnknownWord(index) => Error::PhraseUnknownWord(index.saturating_add(1)),
            bip39::Error::InvalidChecksum => Error::PhraseChecksum,
            other => Error::Phrase(other.to_string()),
        })?;
        Self::from_entropy(Zeroizing::new(mnemonic.to_entropy()))
    }

    fn from_entropy(entropy: Zeroizing<Vec<u8>>) -> Result<Self, Error> {
        let mnemonic =
            Mnemonic::from_entropy_in(Language::English, &entropy).map_err(|err| Error::Phrase(err.to_string()))?;
        let mut phrase = Zeroizing::new(String::with_capacity(24 * 9));
        for word in mnemonic.words() {
            if !phrase.is_empty() {
                phrase.push(' ');
            }
            phrase.push_str(word);
        }
        let seed = Zeroizing::new(mnemonic.to_seed_normalized(""));
        Ok(Self { entropy, phrase, seed })
    }

    /// The recovery phrase, words separated by single spaces.
    pub fn phrase(&self) -> &str {
        &self.phrase
    }

    /// Number of words in the phrase.
    pub fn word_count(&self) -> usize {
        self.phrase.split(' ').count()
    }

    /// The account this secret controls.
    pub fn address(&self) -> AccountId {
        account_of(&signing_key_from_seed(&self.seed))
    }

    /// Signs a transaction body. The key lives only for this call and is zeroized on drop.
    pub fn sign(&self, tx: Tx) -> SignedTx {
        tx.sign(&signing_key_from_seed(&self.seed))
    }

    /// Runs `f` with the signing key (to sign a payment request, a registry record or a staff
    /// read). The key lives only for this call and is zeroized on drop.
    pub fn with_key<R>(&self, f: impl FnOnce(&ed25519_dalek::SigningKey) -> R) -> R {
        f(&signing_key_from_seed(&self.seed))
    }
}

/// The JSON file on disk.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    version: u32,
    name: String,
    address: String,
    kdf: KdfField,
    cipher: CipherField,
    checksum: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfField {
    algorithm: String,
    version: u32,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CipherField {
    algorithm: String,
    nonce: String,
    ciphertext: String,
}

/// The decoded, checked contents of a keystore file.
#[derive(Debug, Clone)]
struct Sealed {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

/// Bytes bound into the encryption: version, name and address.
fn associated_data(name: &str, address: &AccountId) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_DOMAIN.len() + 4 + 1 + name.len() + 32);
    aad.extend_from_slice(AAD_DOMAIN);
    aad.extend_from_slice(&FILE_VERSION.to_be_bytes());
    // Names are at most MAX_NAME_LEN bytes, so the length fits one byte.
    aad.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
    aad.extend_from_slice(name.as_bytes());
    aad.extend_from_slice(&address.0);
    aad
}

/// A checksum over every field, to tell a damaged file from a wrong password.
fn checksum(name: &str, address: &AccountId, sealed: &Sealed) -> String {
    let mut hasher = blake3::Hasher::new_derive_key(CHECKSUM_CONTEXT);
    hasher.update(&associated_data(name, address));
    hasher.update(KDF_ALGORITHM.as_bytes());
    hasher.update(&KDF_VERSION.to_be_bytes());
    hasher.update(&sealed.params.memory_kib.to_be_bytes());
    hasher.update(&sealed.params.iterations.to_be_bytes());
    hasher.update(&sealed.params.parallelism.to_be_bytes());
    hasher.update(&sealed.salt);
    hasher.update(CIPHER_ALGORITHM.as_bytes());
    hasher.update(&sealed.nonce);
    hasher.update(&u64::try_from(sealed.ciphertext.len()).unwrap_or(u64::MAX).to_be_bytes());
    hasher.update(&sealed.ciphertext);
    hasher.finalize().to_hex().to_string()
}

/// A stored account: its name and address, readable without the password.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The local name.
    pub name: String,
    /// The account's address.
    pub address: AccountId,
    /// The file.
    pub path: PathBuf,
    sealed: Sealed,
}

impl Entry {
    /// Decrypts the secret with the password.
    pub fn unlock(&self, password: &[u8]) -> Result<Secret, Error> {
        let key = self.sealed.params.derive(password, &self.sealed.salt)?;
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let aad = associated_data(&self.name, &self.address);
        let plain = cipher
            .decrypt(XNonce::from_slice(&self.sealed.nonce), Payload { msg: &self.sealed.ciphertext, aad: &aad })
            .map_err(|_| Error::WrongPassword(self.name.clone()))?;
        let plain = Zeroizing::new(plain);
        let tampered = |detail: &str| Error::Tampered { path: self.path.clone(), detail: detail.to_owned() };
        let secret = Secret::from_entropy(plain).map_err(|_| tampered("the decrypted secret is not BIP39 entropy"))?;
        if secret.address() != self.address {
            return Err(tampered("the decrypted key does not belong to the address in the file"));
        }
        Ok(secret)
    }

    /// Reads the bytes of account `expected_name`'s file at `path` as [`Keystore::load`] does,
    /// without touching the disk: the entry point of the keystore fuzz target (`fuzzing`).
    #[doc(hidden)]
    pub fn from_file_bytes(path: &Path, expected_name: &str, bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(path, expected_name, bytes)
    }

    fn parse(path: &Path, expected_name: &str, bytes: &[u8]) -> Result<Self, Error> {
        let tampered = |detail: String| Error::Tampered { path: path.to_path_buf(), detail };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|err| tampered(format!("not JSON: {err}")))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if version == u64::from(FILE_VERSION) => {}
            Some(version) => return Err(Error::UnsupportedVersion { path: path.to_path_buf(), version }),
            None => return Err(tampered("no format version".to_owned())),
        }
        let file: KeyFile = serde_json::from_value(value).map_err(|err| tampered(err.to_string()))?;
        if file.name != expected_name {
            return Err(tampered(format!("it holds account {:?}; keystore files must not be renamed", file.name)));
        }
        let address = AccountId::from_address(&file.address).map_err(|err| tampered(err.to_string()))?;
        if file.kdf.algorithm != KDF_ALGORITHM || file.kdf.version != KDF_VERSION {
            return Err(tampered(format!("unknown key derivation {:?}", file.kdf.algorithm)));
        }
        if file.cipher.algorithm != CIPHER_ALGORITHM {
            return Err(tampered(format!("unknown cipher {:?}", file.cipher.algorithm)));
        }
        let params = KdfParams {
            memory_kib: file.kdf.memory_kib,
            iterations: file.kdf.iterations,
            parallelism: file.kdf.parallelism,
        };
        params.check().map_err(|why| tampered(why.to_owned()))?;
        let hex_array = |text: &str, what: &str| -> Result<Vec<u8>, Error> {
            hex::decode(text).map_err(|_| tampered(format!("{what} is not hex")))
        };
        let salt: [u8; SALT_LEN] = hex_array(&file.kdf.salt, "salt")?
            .try_into()
            .map_err(|_| tampered("salt has the wrong length".to_owned()))?;
        let nonce: [u8; NONCE_LEN] = hex_array(&file.cipher.nonce, "nonce")?
            .try_into()
            .map_err(|_| tampered("nonce has the wrong length".to_owned()))?;
        let ciphertext = hex_array(&file.cipher.ciphertext, "ciphertext")?;
        if ![16 + TAG_LEN, 20 + TAG_LEN, 24 + TAG_LEN, 28 + TAG_LEN, 32 + TAG_LEN].contains(&ciphertext.len()) {
            return Err(tampered("ciphertext has the wrong length".to_owned()));
        }
        let sealed = Sealed { params, salt, nonce, ciphertext };
        if checksum(&file.name, &address, &sealed) != file.checksum {
            return Err(tampered("checksum mismatch".to_owned()));
        }
        Ok(Self { name: file.name, address, path: path.to_path_buf(), sealed })
    }
}

/// The keystore directory.
#[derive(Debug, Clone)]
pub struct Keystore {
    dir: PathBuf,
}

impl Keystore {
    /// The keystore of a wallet home: `<home>/keystore`. Nothing is created until needed.
    pub fn new(home: &Path) -> Self {
        Self { dir: home.join("keystore") }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of an account name.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// Names of the stored accounts, sorted. A missing directory means none.
    pub fn names(&self) -> Result<Vec<String>, Error> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(io_error("reading", &self.dir)(err)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error("reading", &self.dir))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            if check_name(name).is_ok() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Reads one account's public part.
    pub fn load(&self, name: &str) -> Result<Entry, Error> {
        check_name(name)?;
        let path = self.path(name);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(Error::NotFound {
                    name: name.to_owned(),
                    dir: self.dir.clone(),
                    available: self.names().unwrap_or_default(),
                });
            }
            Err(err) => return Err(io_error("opening", &path)(err)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_error("reading", &path))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::Tampered { path, detail: "far too large for a keystore file".to_owned() });
        }
        Entry::parse(&path, name, &bytes)
    }

    /// The account to use: the named one, or the only one when no name is given.
    pub fn select(&self, name: Option<&str>) -> Result<Entry, Error> {
        if let Some(name) = name {
            return self.load(name);
        }
        let names = self.names()?;
        match names.as_slice() {
            [] => Err(Error::NoAccounts(self.dir.clone())),
            [only] => self.load(only),
            _ => Err(Error::Ambiguous(names)),
        }
    }

    /// Names of stored accounts with this address.
    pub fn names_with_address(&self, address: &AccountId) -> Result<Vec<String>, Error> {
        Ok(self
            .names()?
            .into_iter()
            .filter(|name| self.load(name).is_ok_and(|entry| entry.address == *address))
            .collect())
    }

    /// Stores a new account with the default key derivation parameters.
    pub fn create(&self, name: &str, secret: &Secret, password: &[u8]) -> Result<Entry, Error> {
        self.create_with(name, secret, password, KdfParams::DEFAULT)
    }

    /// Stores a new account. Refuses an existing name; the write is atomic.
    pub fn create_with(&self, name: &str, secret: &Secret, password: &[u8], params: KdfParams) -> Result<Entry, Error> {
        check_name(name)?;
        params.check().map_err(|why| Error::Kdf(why.to_owned()))?;
        let path = self.path(name);
        if path.exists() {
            return Err(Error::Exists { name: name.to_owned(), path });
        }
        self.make_dir()?;

        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut salt).map_err(|err| Error::Random(err.to_string()))?;
        getrandom::getrandom(&mut nonce).map_err(|err| Error::Random(err.to_string()))?;
        let address = secret.address();
        let key = params.derive(password, &salt)?;
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let aad = associated_data(name, &address);
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: &secret.entropy, aad: &aad })
            .map_err(|_| Error::Encrypt)?;
        let sealed = Sealed { params, salt, nonce, ciphertext };
        let file = KeyFile {
            version: FILE_VERSION,
            name: name.to_owned(),
            address: address.to_address(),
            kdf: KdfField {
                algorithm: KDF_ALGORITHM.to_owned(),
                version: KDF_VERSION,
                memory_kib: params.memory_kib,
                iterations: params.iterations,
                parallelism: params.parallelism,
                salt: hex::encode(salt),
            },
            cipher: CipherField {
                algorithm: CIPHER_ALGORITHM.to_owned(),
                nonce: hex::encode(nonce),
                ciphertext: hex::encode(&sealed.ciphertext),
            },
            checksum: checksum(name, &address, &sealed),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).map_err(|err| Error::Io {
            action: "encoding",
            path: path.clone(),
            source: io::Error::other(err),
        })?;
        bytes.push(b'\n');
        Self::write_new(name, &path, &bytes)?;
        Ok(Entry { name: name.to_owned(), address, path, sealed })
    }

    fn make_dir(&self) -> Result<(), Error> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir).map_err(io_error("creating", &self.dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
                .map_err(io_error("setting permissions of", &self.dir))?;
        }
        Ok(())
    }

    /// Writes the file through [`atomic_file::write_new`], which never replaces one.
    fn write_new(name: &str, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        atomic_file::write_new(path, bytes).map_err(|err| match err.kind() {
            io::ErrorKind::AlreadyExists => Error::Exists { name: name.to_owned(), path: path.to_path_buf() },
            _ => io_error("writing", path)(err),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard BIP39 test phrase (entropy of sixteen zero bytes).
    const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon \
                           abandon about";
    const PASSWORD: &[u8] = b"correct horse battery staple";

    fn store() -> (tempfile::TempDir, Keystore) {
        let home = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
        let keystore = Keystore::new(home.path());
        (home, keystore)
    }

    fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
        result.unwrap_or_else(|err| panic!("unexpected error: {err}"))
    }

    #[test]
    fn a_stored_account_unlocks_to_the_same_secret() {
        let (_home, keystore) = store();
        let secret = ok(Secret::generate(24));
        assert_eq!(secret.word_count(), 24);
        let entry = ok(keystore.create("alice", &secret, PASSWORD));
        let loaded = ok(keystore.load("alice"));
        assert_eq!(loaded.address, secret.address());
        assert_eq!(loaded.address, entry.address);
        let unlocked = ok(loaded.unlock(PASSWORD));
        assert_eq!(unlocked.phrase(), secret.phrase());
        assert_eq!(unlocked.address(), secret.address());
        assert_eq!(ok(keystore.names()), vec!["alice".to_owned()]);
        assert_eq!(ok(keystore.select(None)).name, "alice");
    }

    #[test]
    fn a_wrong_password_is_refused_by_name() {
        let (_home, keystore) = store();
        ok(keystore.create("alice", &ok(Secret::generate(12)), PASSWORD));
        let err = ok(keystore.load("alice")).unlock(b"correct horse battery stapler");
        assert!(matches!(&err, Err(Error::WrongPassword(name)) if name == "alice"));
        assert_eq!(err.map(|_| ()).unwrap_err().to_string(), "wrong password for account alice");
    }

    fn rewrite(path: &Path, change: impl FnOnce(&mut serde_json::Value)) {
        let mut value: serde_json::Value = ok(serde_json::from_slice(&ok(fs::read(path))));
        change(&mut value);
        ok(fs::write(path, ok(serde_json::to_vec(&value))));
    }

    #[test]
    fn a_tampered_file_is_reported_as_damaged_not_as_a_wrong_password() {
        let (_home, keystore) = store();
        ok(keystore.create("alice", &ok(Secret::generate(12)), PASSWORD));
        let path = keystore.path("alice");
        let original = ok(fs::read(&path));

        // Flip one bit of the ciphertext.
        rewrite(&path, |value| {
            let text = value["cipher"]["ciphertext"].as_str().unwrap_or_default().to_owned();
            let mut bytes = ok(hex::decode(text));
            bytes[0] ^= 1;
            value["cipher"]["ciphertext"] = serde_json::Value::String(hex::encode(bytes));
        });
        assert!(matches!(keystore.load("alice"), Err(Error::Tampered { .. })));

        // Swap in another address.
        ok(fs::write(&path, &original));
        let other = ok(Secret::generate(12)).address().to_address();
        rewrite(&path, |value| value["address"] = serde_json::Value::String(other));
        assert!(matches!(keystore.load("alice"), Err(Error::Tampered { .. })));

        // Rename the file.
        ok(fs::write(&path, &original));
        ok(fs::rename(&path, keystore.path("bob")));
        assert!(matches!(keystore.load("bob"), Err(Error::Tampered { .. })));

        // Not JSON at all.
        ok(fs::write(keystore.path("carol"), b"\x00garbage"));
        assert!(matches!(keystore.load("carol"), Err(Error::Tampered { .. })));
    }

    #[test]
    fn a_tampered_ciphertext_with_a_fixed_checksum_still_does_not_open() {
        let (_home, keystore) = store();
        let entry = ok(keystore.create("alice", &ok(Secret::generate(12)), PASSWORD));
        let mut sealed = entry.sealed.clone();
        sealed.ciphertext[3] ^= 0x80;
        let forged = Entry { sealed, ..entry };
        assert!(matches!(forged.unlock(PASSWORD), Err(Error::WrongPassword(_))));
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let (_home, keystore) = store();
        ok(keystore.create("alice", &ok(Secret::generate(12)), PASSWORD));
        let file_mode = ok(fs::metadata(keystore.path("alice"))).permissions().mode();
        assert_eq!(file_mode & 0o777, 0o600);
        let dir_mode = ok(fs::metadata(keystore.dir())).permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        // No temp files are left behind.
        assert_eq!(ok(fs::read_dir(keystore.dir())).count(), 1);
    }

    #[test]
    fn an_existing_name_is_never_overwritten() {
        let (_home, keystore) = store();
        let first = ok(keystore.create("alice", &ok(Secret::generate(12)), PASSWORD));
        let again = keystore.create("alice", &ok(Secret::generate(12)), PASSWORD);
        assert!(matches!(again, Err(Error::Exists { .. })));
        assert_eq!(ok(keystore.load("alice")).address, first.address);
    }

    #[test]
    fn names_follow_the_rules() {
        for good in ["alice", "shop-7", "a_b", "x", &"n".repeat(32)] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
        for bad in ["", "Alice", "al ice", "../x", "a.json", "ä", &"n".repeat(33)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let (_home, keystore) = store();
        assert!(matches!(keystore.create("../evil", &ok(Secret::generate(12)), PASSWORD), Err(Error::BadName(_))));
    }

    #[test]
    fn a_known_phrase_restores_to_the_address_of_the_shared_key_derivation() {
        let secret = ok(Secret::from_phrase(ABANDON));
        let seed = ok(Mnemonic::parse_in_normalized(Language::English, ABANDON)).to_seed("");
        let expected = account_of(&signing_key_from_seed(&seed));
        assert_eq!(secret.address(), expected);
        // Pinned, so a change in the derivation is noticed: it would lose residents' coins.
        assert_eq!(secret.address().to_address(), EXPECTED_ABANDON_ADDRESS);
        // Case and spacing do not matter.
        let messy = format!("  {}\n", ABANDON.to_uppercase().replace(' ', "   "));
        assert_eq!(ok(Secret::from_phrase(&messy)).address(), expected);

        let (_home, keystore) = store();
        let entry = ok(keystore.create("restored", &secret, PASSWORD));
        assert_eq!(entry.address, expected);
        assert_eq!(ok(ok(keystore.load("restored")).unlock(PASSWORD)).phrase(), ABANDON);
    }

    const EXPECTED_ABANDON_ADDRESS: &str = "heitje1j29xha65c7mffdqwpc3gfcyr2nw0c70zqt72l9cg08nu92ys5uds87y78x";

    #[test]
    fn bad_phrases_are_explained() {
        let wrong_checksum = ABANDON.replace("about", "abandon");
        assert!(matches!(Secret::from_phrase(&wrong_checksum), Err(Error::PhraseChecksum)));
        assert!(matches!(Secret::from_phrase("abandon abandon"), Err(Error::PhraseWordCount(2))));
        let unknown = ABANDON.replacen("abandon", "abandom", 1);
        assert!(matches!(Secret::from_phrase(&unknown), Err(Error::PhraseUnknownWord(1))));
    }

    #[test]
    fn selecting_without_a_name_needs_exactly_one_account() {
        let (_home, keystore) = store();
        assert!(matches!(keystore.select(None), Err(Error::NoAccounts(_))));
        ok(keystore.create("bob", &ok(Secret::generate(12)), PASSWORD));
        ok(keystore.create("alice", &ok(Secret::generate(12)), PASSWORD));
        match keystore.select(None) {
            Err(Error::Ambiguous(names)) => assert_eq!(names, vec!["alice", "bob"]),
            other => panic!("expected Ambiguous, got {other:?}"),
        }
        assert!(matches!(keystore.select(Some("carol")), Err(Error::NotFound { .. })));
        assert_eq!(ok(keystore.select(Some("bob"))).name, "bob");
    }

    #[test]
    fn signatures_verify_under_the_account() {
        let secret = ok(Secret::from_phrase(ABANDON));
        let tx = Tx {
            chain_id: ok(contracts::ChainId::new("heerlen-test")),
            signer: secret.address(),
            nonce: contracts::Nonce(0),
            action: contracts::Action::Redeem(contracts::tx::Redeem {
                amount: contracts::Amount(450),
                key: contracts::primitives::IdempotencyKey([7; 16]),
            }),
        };
        assert_eq!(secret.sign(tx).verify_signature(), Ok(()));
    }
}
