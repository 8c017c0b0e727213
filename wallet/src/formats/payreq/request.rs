//! A payment request and its signature: what the shop asks, who signs, why a request is refused,
//! and the checks that do not depend on the URI (amount, expiry, label).

use contracts::codec::{Encode, put_bytes};
use contracts::crypto::{self, Domain, Signature, SignatureError};
use contracts::primitives::PaymentRef;
use contracts::primitives::{AddressError, CodeError};
use contracts::{AccountId, Amount, ChainId, Timestamp};
use ed25519_dalek::SigningKey;
use thiserror::Error;

/// The URI scheme, written in lower case and read in any case.
pub const SCHEME: &str = "heitje:";

/// The longest text [`SignedRequest::parse`] reads, in bytes.
///
/// The longest valid request is 1178 bytes (a label of 64 four-byte characters costs 768 bytes
/// percent-encoded). The rest leaves room for parameters of later versions, and the cap stays
/// below the 2331 bytes that a QR code holds at error correction level M.
pub const MAX_URI_LEN: usize = 2048;

/// The longest label, in characters after percent-decoding.
pub const MAX_LABEL_CHARS: usize = 64;

/// Milliseconds in a second: the URI carries whole seconds.
pub(super) const MS_PER_SECOND: u64 = 1000;
/// Crockford's base32: digits and capitals without I, L, O and U, which are read as 1, 1, 0, V.
pub(super) const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random characters in a generated reference.
pub(super) const REFERENCE_DIGITS: usize = 8;
/// What a shop asks to be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// The shop's account, which receives the payment.
    pub merchant: AccountId,
    /// The amount to pay; above zero.
    pub amount: Amount,
    /// The shop's order or receipt number; R-SHOP-3 lets each be paid at most once.
    pub reference: PaymentRef,
    /// When the request stops being payable, in milliseconds since the Unix epoch. The URI
    /// carries whole seconds, so this must be a multiple of 1000.
    pub expires_at: Timestamp,
    /// The shop's own free text (at most [`MAX_LABEL_CHARS`] characters). Nobody checks it: show it
    /// as "label (from the shop, not verified)".
    pub label: Option<String>,
    /// The till that signs for the shop, if the request comes from one.
    pub till: Option<AccountId>,
    /// The chain the payment is for.
    pub chain: ChainId,
}

/// A payment request with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// What is asked.
    pub request: PaymentRequest,
    /// Who signed: the till if the request names one, otherwise the merchant.
    pub signer: AccountId,
    /// The signature over [`PaymentRequest::signed_bytes`] in [`Domain::PaymentRequest`].
    pub signature: Signature,
}

/// A request read from a URI, with its signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    /// The verified request.
    pub signed: SignedRequest,
    /// Unknown parameters that were skipped (keys only, lower case), for a later wallet version.
    pub ignored: Vec<String>,
}
/// Why a payment request could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    /// The text is longer than [`MAX_URI_LEN`].
    #[error("the payment request is {len} bytes, above the limit of {max}; ask the shop for a new code")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A character that may not appear in a URI.
    #[error(
        "the payment request has {character:?} at byte {position}, which may not appear in a URI; \
         scan the code again, or ask the shop to percent-encode it (a space is %20)"
    )]
    Character {
        /// The character.
        character: char,
        /// Its byte offset in the trimmed text.
        position: usize,
    },
    /// The text does not start with `heitje:`.
    #[error("this is not a Heitje payment request: it must start with \"heitje:\"; scan the shop's Heitje code")]
    Scheme,
    /// The shop's address is not a Heitje address.
    #[error("the shop's address in the payment request is wrong: {0}")]
    Merchant(AddressError),
    /// A parameter without `=`.
    #[error("parameter {0:?} has no value; each parameter is written as name=value")]
    Malformed(String),
    /// A parameter given twice.
    #[error("parameter {0:?} appears more than once; ask the shop for a new code")]
    Duplicate(String),
    /// An unknown `req-` parameter: the shop requires something this wallet does not understand.
    #[error("the shop requires {0:?}, which this wallet does not understand; update the wallet to pay this request")]
    UnknownRequired(String),
    /// A required parameter is absent.
    #[error("the payment request has no {0:?} parameter; ask the shop for a complete code")]
    Missing(&'static str),
    /// A bad `%XX` escape, or bytes that are not UTF-8.
    #[error(
        "parameter {0:?} is not percent-encoded correctly: write each special byte as % and two hex \
         digits (a '%' itself as %25), in UTF-8"
    )]
    PercentEncoding(String),
    /// Amount zero.
    #[error("the amount is zero; a payment request asks for more than 0.00 coins")]
    AmountZero,
    /// A `+` or `-` in front of the amount.
    #[error("amount {0:?} has a sign; write the amount without + or -, like 4.50")]
    AmountSign(String),
    /// Scientific notation.
    #[error("amount {0:?} uses an exponent; write the coins in full, like 1500.00")]
    AmountExponent(String),
    /// A comma as decimal or thousands separator.
    #[error("amount {0:?} has a comma; use a point for cents and no thousands separator, like 1250.50")]
    AmountComma(String),
    /// More than two decimals.
    #[error("amount {0:?} has more than 2 decimals; coins have cents, like 4.50")]
    AmountDecimals(String),
    /// Not a number of coins at all.
    #[error("amount {0:?} is not a number of coins; write it like 15 or 4.50")]
    AmountNotANumber(String),
    /// Too large for the ledger.
    #[error("amount {0:?} is too large")]
    AmountTooLarge(String),
    /// A bad payment reference.
    #[error("the payment reference is wrong: {0}")]
    Reference(CodeError),
    /// `exp` is not a whole number of seconds.
    #[error("expiry {0:?} is not a time in whole Unix seconds, like 1795000000; ask the shop for a new code")]
    Expiry(String),
    /// [`PaymentRequest::expires_at`] has milliseconds, which the URI cannot carry.
    #[error("expiry {0} ms is not a whole second; round it to a multiple of 1000 ms")]
    ExpiryFraction(Timestamp),
    /// `label` is present but empty.
    #[error("the label is empty; leave it out instead")]
    LabelEmpty,
    /// The label is too long.
    #[error("the label has {chars} characters, above the limit of {max}; shorten it", max = MAX_LABEL_CHARS)]
    LabelTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A control or direction-changing character in the label.
    #[error("the label contains the unprintable character {0:?}; use printable text only")]
    LabelCharacter(char),
    /// The till's address is not a Heitje address.
    #[error("the till's address in the payment request is wrong: {0}")]
    Till(AddressError),
    /// A bad chain id.
    #[error("the chain id is wrong: {0}")]
    Chain(CodeError),
    /// `sig` has the wrong length.
    #[error("the signature has {0} characters, not the 128 hex digits of a signature; scan the code again")]
    SignatureLength(usize),
    /// `sig` has characters other than hex digits.
    #[error("the signature has characters other than the hex digits 0-9 and a-f; scan the code again")]
    SignatureHex,
    /// Signed, or to be signed, by an account other than the till (if named) or the merchant.
    #[error(
        "account {signer} may not sign this request; it must be signed by {expected}: the till if the \
         request names one, otherwise the shop"
    )]
    NotSigner {
        /// Who signed or tried to sign.
        signer: AccountId,
        /// Who must sign.
        expected: AccountId,
    },
    /// The signer's address is not a valid ed25519 key.
    #[error("the signer's address is not a valid signing key; do not pay, and ask the shop for a new code")]
    SignerKey,
    /// The signature does not match: the text was changed after signing, or forged.
    #[error(
        "the signature does not match this payment request: it was changed after the shop signed it, \
         or the shop never signed it; do not pay, and ask the shop for a new code"
    )]
    Forged,
    /// The operating system's random source failed.
    #[error("could not draw random bytes for a payment reference: {0}")]
    Random(String),
}

impl PaymentRequest {
    /// The account that must sign: the till if there is one, otherwise the merchant.
    pub fn signer(&self) -> AccountId {
        self.till.unwrap_or(self.merchant)
    }

    /// Whether the request can no longer be paid at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// Checks what the types alone do not: amount above zero, expiry in whole seconds, label.
    pub fn check(&self) -> Result<(), RequestError> {
        if self.amount.is_zero() {
            return Err(RequestError::AmountZero);
        }
        if !self.expires_at.0.is_multiple_of(MS_PER_SECOND) {
            return Err(RequestError::ExpiryFraction(self.expires_at));
        }
        match &self.label {
            Some(label) => check_label(label),
            None => Ok(()),
        }
    }

    /// The canonical bytes that are signed (the chain id is added by [`crypto::sign`]): merchant
    /// (32), amount in cents (u64), reference (u32 length + bytes), expiry in ms (u64), label
    /// (u32 length + UTF-8, length 0 without a label), till (0, or 1 and 32 bytes). Integers are
    /// big-endian, as everywhere in `contracts::codec`.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.merchant.encode(&mut out);
        self.amount.encode(&mut out);
        self.reference.encode(&mut out);
        self.expires_at.encode(&mut out);
        put_bytes(&mut out, self.label.as_deref().unwrap_or_default().as_bytes());
        self.till.encode(&mut out);
        out
    }
}

impl SignedRequest {
    /// Checks and signs a request. `key` must be the till's if the request names a till,
    /// otherwise the merchant's.
    pub fn sign(request: PaymentRequest, key: &SigningKey) -> Result<Self, RequestError> {
        request.check()?;
        let signer = crypto::account_of(key);
        let expected = request.signer();
        if signer != expected {
            return Err(RequestError::NotSigner { signer, expected });
        }
        let signature = crypto::sign(key, Domain::PaymentRequest, &request.chain, &request.signed_bytes());
        Ok(Self { request, signer, signature })
    }

    /// Checks the request and that `signer` is the till (if named) or the merchant and signed it.
    pub fn verify(&self) -> Result<(), RequestError> {
        self.request.check()?;
        let expected = self.request.signer();
        if self.signer != expected {
            return Err(RequestError::NotSigner { signer: self.signer, expected });
        }
        let bytes = self.request.signed_bytes();
        crypto::verify(&self.signer, Domain::PaymentRequest, &self.request.chain, &bytes, &self.signature).map_err(
            |err| match err {
                SignatureError::BadKey => RequestError::SignerKey,
                SignatureError::Mismatch => RequestError::Forged,
            },
        )
    }
}

/// A fresh payment reference such as `R-7K2M9Q4X`: 40 random bits in Crockford's base32, for a
/// shop that has no receipt number of its own.
pub fn new_reference() -> Result<PaymentRef, RequestError> {
    let mut random = [0u8; REFERENCE_DIGITS];
    getrandom::getrandom(&mut random).map_err(|err| RequestError::Random(err.to_string()))?;
    let mut text = String::with_capacity(2 + REFERENCE_DIGITS);
    text.push_str("R-");
    // 32 divides 256, so the low five bits of a random byte are uniform.
    text.extend(random.iter().map(|byte| char::from(CROCKFORD[usize::from(byte & 31)])));
    PaymentRef::new(&text).map_err(RequestError::Reference)
}
/// Printable text only. Besides control characters, this refuses the invisible characters that
/// reorder or hide text (bidirectional overrides and isolates, zero-width characters), so that a
/// label cannot make the payer misread what is shown next to it.
pub(super) fn check_label(label: &str) -> Result<(), RequestError> {
    if label.is_empty() {
        return Err(RequestError::LabelEmpty);
    }
    let chars = label.chars().count();
    if chars > MAX_LABEL_CHARS {
        return Err(RequestError::LabelTooLong { chars });
    }
    let hidden =
        |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}');
    match label.chars().find(|&c| c.is_control() || hidden(c)) {
        Some(c) => Err(RequestError::LabelCharacter(c)),
        None => Ok(()),
    }
}
