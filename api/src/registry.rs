//! The municipality's off-chain merchant registry: a shop's verified display name and the bank
//! account its redemptions are paid to.
//!
//! Nothing here goes on chain. A registrar of the municipality (an account holding the
//! `registrar` role on chain) signs each record; every node keeps the latest record per merchant
//! and replicates it to the other validators. Anyone may read the public part (the name a payer's
//! wallet shows); the bank details are read only by staff through a signed, logged request
//! ([`crate::staff`]).
//!
//! The signature covers the public part and a salted digest of the bank details, so a wallet can
//! check the name without ever seeing the IBAN, and the IBAN cannot be guessed from the digest.

use contracts::codec::{Encode, put_bytes};
use contracts::crypto::{self, Domain, Signature, SignatureError};
use contracts::{AccountId, ChainId, Hash, Timestamp};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest display name, in characters (the SEPA creditor name field holds 70).
pub const MAX_NAME_CHARS: usize = 70;
/// Longest IBAN in its electronic form.
pub const MAX_IBAN: usize = 34;
/// Largest record in its JSON form, a cap for gossip and storage.
pub const MAX_RECORD_BYTES: usize = 2048;

const PRIVATE_CONTEXT: &str = "heitje 2026-11 registry bank details";

/// Why a registry record is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistryError {
    /// The name is empty, too long or holds control characters.
    #[error("display name {0:?} must be 1 to {MAX_NAME_CHARS} printable characters")]
    BadName(String),
    /// The IBAN is not 15..=34 letters and digits.
    #[error("IBAN {0:?} is not an IBAN; write it like NL91ABNA0417164300")]
    BadIban(String),
    /// The BIC is not 8 or 11 letters and digits.
    #[error("BIC {0:?} must be 8 or 11 letters and digits, like ABNANL2A")]
    BadBic(String),
    /// The signature does not match the record and registrar.
    #[error("the registry record's signature does not verify: {0}")]
    Signature(SignatureError),
    /// The bank details do not match the signed digest.
    #[error("the bank details do not match the digest the registrar signed")]
    DigestMismatch,
    /// A revoked record carries a name or bank details.
    #[error("a revoked record must not carry a name or bank details")]
    RevokedWithData,
}

/// The bank details of a merchant: personal data of a sole trader, never on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankDetails {
    /// IBAN, electronic form (no spaces, upper case).
    pub iban: String,
    /// BIC, if known.
    pub bic: Option<String>,
    /// Random salt that keeps the digest from being guessed, hex.
    pub salt: Hash,
}

impl BankDetails {
    /// Checks the form of the IBAN and BIC (the full IBAN checksum is the wallet's job before
    /// signing; the node only refuses what cannot be an IBAN at all).
    pub fn check(&self) -> Result<(), RegistryError> {
        let iban_ok = (15..=MAX_IBAN).contains(&self.iban.len())
            && self.iban.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && self.iban.bytes().take(2).all(|b| b.is_ascii_uppercase());
        if !iban_ok {
            return Err(RegistryError::BadIban(self.iban.clone()));
        }
        if let Some(bic) = &self.bic
            && (!(bic.len() == 8 || bic.len() == 11)
                || !bic.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        {
            return Err(RegistryError::BadBic(bic.clone()));
        }
        Ok(())
    }

    /// The salted digest the registrar signs.
    pub fn digest(&self) -> Hash {
        let mut hasher = blake3::Hasher::new_derive_key(PRIVATE_CONTEXT);
        hasher.update(&self.salt.0);
        let mut bytes = Vec::new();
        put_bytes(&mut bytes, self.iban.as_bytes());
        put_bytes(&mut bytes, self.bic.as_deref().unwrap_or("").as_bytes());
        hasher.update(&bytes);
        Hash(*hasher.finalize().as_bytes())
    }
}

/// What anyone may read about a merchant: the verified name and the registrar's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProfile {
    /// The merchant's account.
    pub merchant: AccountId,
    /// The display name the municipality verified (empty when revoked).
    pub display_name: String,
    /// Salted digest of the bank details (zero when revoked).
    pub bank_digest: Hash,
    /// The registrar who signed.
    pub registrar: AccountId,
    /// When the registrar signed, by the registrar's clock; a later record replaces an earlier.
    pub issued_at: Timestamp,
    /// The municipality withdrew the registration (the shop closed or asked to be erased).
    pub revoked: bool,
    /// The registrar's signature over the fields above.
    pub signature: Signature,
}

impl PublicProfile {
    fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        self.merchant.encode(&mut out);
        put_bytes(&mut out, self.display_name.as_bytes());
        self.bank_digest.encode(&mut out);
        self.registrar.encode(&mut out);
        self.issued_at.encode(&mut out);
        out.push(u8::from(self.revoked));
        out
    }

    /// Checks the fields and the registrar's signature. Whether the registrar holds the role is
    /// for the caller to check against the chain.
    pub fn verify(&self, chain: &ChainId) -> Result<(), RegistryError> {
        if self.revoked {
            if !self.display_name.is_empty() || self.bank_digest != Hash([0; 32]) {
                return Err(RegistryError::RevokedWithData);
            }
        } else {
            check_name(&self.display_name)?;
        }
        crypto::verify(&self.registrar, Domain::Registry, chain, &self.signed_bytes(), &self.signature)
            .map_err(RegistryError::Signature)
    }

    /// Whether this record replaces `older`: a later time wins; on equal times the larger
    /// signature wins, so every node keeps the same record whatever the arrival order.
    pub fn supersedes(&self, older: &Self) -> bool {
        (self.issued_at, self.signature.0) > (older.issued_at, older.signature.0)
    }
}

/// A full registry record, as replicated between nodes and read by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantRecord {
    /// The signed public part.
    pub profile: PublicProfile,
    /// The bank details; `None` when revoked (erased).
    pub bank: Option<BankDetails>,
}

impl MerchantRecord {
    /// A registrar signs a new record for `merchant`.
    pub fn sign(
        key: &SigningKey,
        chain: &ChainId,
        merchant: AccountId,
        display_name: &str,
        bank: BankDetails,
        issued_at: Timestamp,
    ) -> Result<Self, RegistryError> {
        check_name(display_name)?;
        bank.check()?;
        let mut profile = PublicProfile {
            merchant,
            display_name: display_name.to_owned(),
            bank_digest: bank.digest(),
            registrar: crypto::account_of(key),
            issued_at,
            revoked: false,
            signature: Signature([0; 64]),
        };
        profile.signature = crypto::sign(key, Domain::Registry, chain, &profile.signed_bytes());
        Ok(Self { profile, bank: Some(bank) })
    }

    /// A registrar withdraws `merchant`'s registration; the name and bank details are erased.
    pub fn revoke(key: &SigningKey, chain: &ChainId, merchant: AccountId, issued_at: Timestamp) -> Self {
        let mut profile = PublicProfile {
            merchant,
            display_name: String::new(),
            bank_digest: Hash([0; 32]),
            registrar: crypto::account_of(key),
            issued_at,
            revoked: true,
            signature: Signature([0; 64]),
        };
        profile.signature = crypto::sign(key, Domain::Registry, chain, &profile.signed_bytes());
        Self { profile, bank: None }
    }

    /// Checks the signature, and that the bank details match the signed digest.
    pub fn verify(&self, chain: &ChainId) -> Result<(), RegistryError> {
        self.profile.verify(chain)?;
        match (&self.bank, self.profile.revoked) {
            (None, true) => Ok(()),
            (Some(_), true) => Err(RegistryError::RevokedWithData),
            (None, false) => Err(RegistryError::DigestMismatch),
            (Some(bank), false) => {
                bank.check()?;
                if bank.digest() == self.profile.bank_digest { Ok(()) } else { Err(RegistryError::DigestMismatch) }
            }
        }
    }
}

/// A display name: 1 to [`MAX_NAME_CHARS`] characters, no control characters, not blank.
pub fn check_name(name: &str) -> Result<(), RegistryError> {
    let chars = name.chars().count();
    if name.trim().is_empty() || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(RegistryError::BadName(name.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ChainId {
        ChainId::new("heerlen-test").unwrap()
    }

    fn bank() -> BankDetails {
        BankDetails { iban: "NL91ABNA0417164300".into(), bic: Some("ABNANL2A".into()), salt: Hash([7; 32]) }
    }

    #[test]
    fn a_signed_record_verifies_and_tampering_is_caught() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let merchant = AccountId([9; 32]);
        let record = MerchantRecord::sign(&key, &chain(), merchant, "Bakkerij Jansen", bank(), Timestamp(5)).unwrap();
        record.verify(&chain()).unwrap();
        assert!(record.verify(&ChainId::new("other").unwrap()).is_err(), "signed for another chain");

        let mut renamed = record.clone();
        renamed.profile.display_name = "Bakkerij Janssen".into();
        assert!(matches!(renamed.verify(&chain()), Err(RegistryError::Signature(_))));

        let mut other_iban = record.clone();
        other_iban.bank = Some(BankDetails { iban: "NL02ABNA0123456789".into(), ..bank() });
        assert_eq!(other_iban.verify(&chain()), Err(RegistryError::DigestMismatch));

        let mut no_bank = record;
        no_bank.bank = None;
        assert_eq!(no_bank.verify(&chain()), Err(RegistryError::DigestMismatch));
    }

    #[test]
    fn the_digest_depends_on_the_salt() {
        let salted = BankDetails { salt: Hash([8; 32]), ..bank() };
        assert_ne!(bank().digest(), salted.digest());
    }

    #[test]
    fn revocation_erases_and_supersedes() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let merchant = AccountId([9; 32]);
        let record = MerchantRecord::sign(&key, &chain(), merchant, "Bakkerij Jansen", bank(), Timestamp(5)).unwrap();
        let revoked = MerchantRecord::revoke(&key, &chain(), merchant, Timestamp(6));
        revoked.verify(&chain()).unwrap();
        assert!(revoked.profile.supersedes(&record.profile));
        assert!(!record.profile.supersedes(&revoked.profile));
        let mut smuggled = revoked;
        smuggled.bank = Some(bank());
        assert_eq!(smuggled.verify(&chain()), Err(RegistryError::RevokedWithData));
    }

    #[test]
    fn bad_names_and_bank_details_are_refused() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let m = AccountId([9; 32]);
        for name in ["", "   ", "line\nbreak", &"x".repeat(71)] {
            assert!(matches!(
                MerchantRecord::sign(&key, &chain(), m, name, bank(), Timestamp(1)),
                Err(RegistryError::BadName(_))
            ));
        }
        let bad_iban = BankDetails { iban: "nl91 abna".into(), ..bank() };
        assert!(matches!(bad_iban.check(), Err(RegistryError::BadIban(_))));
        let bad_bic = BankDetails { bic: Some("ABN".into()), ..bank() };
        assert!(matches!(bad_bic.check(), Err(RegistryError::BadBic(_))));
    }
}
