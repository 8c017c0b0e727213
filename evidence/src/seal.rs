//! Sealing: per-record XChaCha20-Poly1305 encryption under a salted commitment, and the byte
//! encodings of sealed records and their keys.
//!
//! The commitment that goes on chain is
//! `blake3 derive_key("heitje 2026-11 evidence commitment") (salt ‖ blake3(canonical bundle))`
//! ([`HashKind::Evidence`]). The 32-byte salt is random per record and kept only in the
//! [`RecordKey`], next to the encryption key: once the key is destroyed, the record cannot be
//! read and nobody can test a guess against the on-chain commitment (crypto-shredding).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use contracts::codec::{Decode, DecodeError, Encode, Reader, put_bytes};
use contracts::crypto::HashKind;
use contracts::primitives::{AccountId, ClaimId, Hash, Timestamp};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::bundle::{Bundle, MAX_PHOTO_BYTES};
use crate::error::EvidenceError;

/// The sealed record format this build writes and reads.
pub const RECORD_VERSION: u8 = 1;
/// Opens the bytes of a [`Sealed`] record.
const RECORD_MAGIC: [u8; 4] = *b"HEVR";
/// Opens the bytes of a [`RecordKey`].
const KEY_MAGIC: [u8; 4] = *b"HEVK";
/// The length of [`RecordKey::to_bytes`]: magic, version, key, salt.
pub const KEY_BYTES_LEN: usize = 4 + 1 + 32 + 32;
/// The largest ciphertext a record may hold: photos, note, framing and the 16-byte tag.
const MAX_CIPHERTEXT: usize = MAX_PHOTO_BYTES + 64 * 1024;

/// The public part of a sealed record. All of it is bound to the ciphertext as associated data,
/// so changing any field makes [`open`] fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Record format version, [`RECORD_VERSION`].
    pub version: u8,
    /// The salted commitment recorded on chain in `SubmitWork`.
    pub commitment: Hash,
    /// The resident who submitted the evidence.
    pub owner: AccountId,
    /// The claim the evidence is for.
    pub claim: ClaimId,
    /// When the record must be erased (key destroyed), in milliseconds since the Unix epoch.
    pub retain_until: Timestamp,
    /// When the record was sealed, as the caller's clock said.
    pub sealed_at: Timestamp,
}

impl Header {
    /// The header bytes: magic, version, commitment, owner, claim, retain_until, sealed_at.
    /// These are also the AEAD associated data.
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&RECORD_MAGIC);
        out.push(self.version);
        self.commitment.encode(out);
        self.owner.encode(out);
        self.claim.encode(out);
        self.retain_until.encode(out);
        self.sealed_at.encode(out);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, EvidenceError> {
        let what = "sealed evidence record";
        let decode = |source: DecodeError| EvidenceError::Decode { what, source };
        if reader.array::<4>("record magic").map_err(decode)? != RECORD_MAGIC {
            return Err(EvidenceError::WrongMagic { expected: "a sealed evidence record" });
        }
        let version = reader.u8("record version").map_err(decode)?;
        if version != RECORD_VERSION {
            return Err(EvidenceError::UnsupportedVersion { what, version, supported: RECORD_VERSION });
        }
        Ok(Self {
            version,
            commitment: Hash::decode(reader).map_err(decode)?,
            owner: AccountId::decode(reader).map_err(decode)?,
            claim: ClaimId::decode(reader).map_err(decode)?,
            retain_until: Timestamp::decode(reader).map_err(decode)?,
            sealed_at: Timestamp::decode(reader).map_err(decode)?,
        })
    }

    fn associated_data(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.encode(&mut out);
        out
    }
}

/// An encrypted evidence record: the header in the clear, a random 24-byte nonce and the
/// XChaCha20-Poly1305 ciphertext of the bundle's canonical bytes. Safe to store and back up; it
/// reveals only the header and the approximate size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The public header.
    pub header: Header,
    /// The XChaCha20 nonce.
    pub nonce: [u8; 24],
    /// Ciphertext with its 16-byte Poly1305 tag.
    pub ciphertext: Vec<u8>,
}

impl Sealed {
    /// The storage bytes: header (see [`Header`]), nonce, then the ciphertext with a `u32`
    /// length prefix.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.ciphertext.len().saturating_add(160));
        self.header.encode(&mut out);
        out.extend_from_slice(&self.nonce);
        put_bytes(&mut out, &self.ciphertext);
        out
    }

    /// Reads storage bytes, checking magic, version and lengths and refusing leftovers. Never
    /// panics, whatever the input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EvidenceError> {
        let decode = |source: DecodeError| EvidenceError::Decode { what: "sealed evidence record", source };
        let mut reader = Reader::new(bytes);
        let header = Header::decode(&mut reader)?;
        let nonce = reader.array::<24>("nonce").map_err(decode)?;
        let ciphertext = reader.bytes("ciphertext", MAX_CIPHERTEXT).map_err(decode)?.to_vec();
        reader.finish().map_err(decode)?;
        Ok(Self { header, nonce, ciphertext })
    }
}

/// The secret that opens one record: its encryption key and its commitment salt. Store it apart
/// from the [`Sealed`] record; destroying it erases the record. Wiped from memory on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RecordKey {
    key: [u8; 32],
    salt: [u8; 32],
}

impl RecordKey {
    /// The commitment salt, for [`verify_commitment`].
    pub fn salt(&self) -> &[u8; 32] {
        &self.salt
    }

    /// The storage bytes ([`KEY_BYTES_LEN`] long): magic, version, key, salt. Wiped on drop.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(KEY_BYTES_LEN));
        out.extend_from_slice(&KEY_MAGIC);
        out.push(RECORD_VERSION);
        out.extend_from_slice(&self.key);
        out.extend_from_slice(&self.salt);
        out
    }

    /// Reads storage bytes, checking magic, version and exact length. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EvidenceError> {
        let what = "evidence record key";
        let decode = |source: DecodeError| EvidenceError::Decode { what, source };
        let mut reader = Reader::new(bytes);
        if reader.array::<4>("key magic").map_err(decode)? != KEY_MAGIC {
            return Err(EvidenceError::WrongMagic { expected: "an evidence record key" });
        }
        let version = reader.u8("key version").map_err(decode)?;
        if version != RECORD_VERSION {
            return Err(EvidenceError::UnsupportedVersion { what, version, supported: RECORD_VERSION });
        }
        let key = Self { key: reader.array("key").map_err(decode)?, salt: reader.array("salt").map_err(decode)? };
        reader.finish().map_err(decode)?;
        Ok(key)
    }
}

impl std::fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordKey(<secret>)")
    }
}

/// The on-chain commitment to content with hash `plaintext_hash` under `salt`.
pub fn commitment(salt: &[u8; 32], plaintext_hash: &[u8; 32]) -> Hash {
    let mut hasher = HashKind::Evidence.hasher();
    hasher.update(salt);
    hasher.update(plaintext_hash);
    Hash(*hasher.finalize().as_bytes())
}

/// Whether `commitment` commits to content with hash `plaintext_hash` (see
/// [`Bundle::content_hash`]) under `salt`. Compares in constant time.
pub fn verify_commitment(commitment: &Hash, salt: &[u8; 32], plaintext_hash: &[u8; 32]) -> bool {
    let expected = blake3::Hash::from_bytes(self::commitment(salt, plaintext_hash).0);
    expected == blake3::Hash::from_bytes(commitment.0)
}

/// Encrypts `bundle` for `owner`'s `claim` with a fresh random key, salt and nonce from `rng`.
///
/// Returns the record to store and the key that opens it; `sealed.header.commitment` is what the
/// resident puts on chain. `retain_until` must be after `sealed_at`.
pub fn seal(
    bundle: &Bundle,
    owner: AccountId,
    claim: ClaimId,
    retain_until: Timestamp,
    sealed_at: Timestamp,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(Sealed, RecordKey), EvidenceError> {
    if retain_until <= sealed_at {
        return Err(EvidenceError::RetentionInPast { retain_until_ms: retain_until.0, sealed_at_ms: sealed_at.0 });
    }
    let plaintext = Zeroizing::new(bundle.to_canonical_bytes());
    let mut record_key = RecordKey { key: [0; 32], salt: [0; 32] };
    rng.fill_bytes(&mut record_key.key);
    rng.fill_bytes(&mut record_key.salt);
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let content_hash = blake3::hash(&plaintext);
    let header = Header {
        version: RECORD_VERSION,
        commitment: commitment(&record_key.salt, content_hash.as_bytes()),
        owner,
        claim,
        retain_until,
        sealed_at,
    };
    let cipher = XChaCha20Poly1305::new((&record_key.key).into());
    let aad = header.associated_data();
    let ciphertext = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &plaintext, aad: &aad })
        .map_err(|_| EvidenceError::Encrypt)?;
    Ok((Sealed { header, nonce, ciphertext }, record_key))
}

/// Decrypts a record, checks it against its commitment and returns the bundle.
///
/// Fails with [`EvidenceError::Decrypt`] for a wrong key or any change to the header, nonce or
/// ciphertext, and with [`EvidenceError::CommitmentMismatch`] if the salt does not reproduce the
/// header's commitment.
pub fn open(sealed: &Sealed, key: &RecordKey) -> Result<Bundle, EvidenceError> {
    if sealed.header.version != RECORD_VERSION {
        return Err(EvidenceError::UnsupportedVersion {
            what: "sealed evidence record",
            version: sealed.header.version,
            supported: RECORD_VERSION,
        });
    }
    let cipher = XChaCha20Poly1305::new((&key.key).into());
    let aad = sealed.header.associated_data();
    let plaintext = Zeroizing::new(
        cipher
            .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
            .map_err(|_| EvidenceError::Decrypt)?,
    );
    if !verify_commitment(&sealed.header.commitment, &key.salt, blake3::hash(&plaintext).as_bytes()) {
        return Err(EvidenceError::CommitmentMismatch);
    }
    Bundle::from_canonical_bytes(&plaintext)
}
