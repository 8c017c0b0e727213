//! Payment requests: a shop's signed `heitje:` URI, shown as a QR code and paid by a resident.
//!
//! In the spirit of BIP321, EIP-681 and Solana Pay, one line of text carries everything the payer
//! needs, and a signature by the shop (or its till) so that nobody can change the amount or the
//! recipient on the way:
//!
//! ```text
//! heitje:heitje1…?amount=4.50&ref=B-2026-0042&exp=1795000000&label=Coffee%20and%20cake
//!        &till=heitje1…&chain=heerlen-1&sig=<128 hex digits>
//!
//! request   = "heitje:" [ "//" ] merchant [ "?" parameter *( "&" parameter ) ]
//! merchant  = the shop's bech32m address, heitje1…
//! parameter = key "=" value
//!   amount  required  coins above zero with at most 2 decimals: 15, 4.50
//!   ref     required  the shop's payment reference: B-2026-0042
//!   exp     required  expiry in whole Unix seconds: 1795000000
//!   chain   required  chain id: heerlen-1
//!   sig     required  ed25519 signature, 128 hex digits, by the till if named, else the merchant
//!   label   optional  the shop's own free text, at most 64 characters, shown unverified
//!   till    optional  the till account (bech32m) that signed for the shop
//! ```
//!
//! Reading is strict where money is at stake and lenient where scanners differ:
//! - the text is at most [`MAX_URI_LEN`] bytes, checked before anything else;
//! - whitespace around the text is trimmed (scanned codes often end in a newline);
//! - the scheme is read in any case, and `heitje://` is accepted because some QR generators and
//!   link handlers add the slashes; the wallet itself never writes them;
//! - only URI characters (RFC 3986 unreserved, sub-delims, `:@/?%`) may appear, so a raw space or
//!   `#` is refused instead of silently cut off;
//! - keys compare case-insensitively and each may appear once; empty segments (`&&`) are skipped;
//! - values are percent-decoded per RFC 3986, and `+` stays a plus (it is not a space);
//! - an unknown key starting with `req-` is refused (BIP321: a parameter the payer must
//!   understand), any other unknown key is ignored and listed in [`ParsedRequest::ignored`];
//! - a parsed request is always verified: [`SignedRequest::parse`] never returns a request whose
//!   signature does not match.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use contracts::codec::{Encode, put_bytes};
use contracts::crypto::{self, Domain, Signature, SignatureError};
use contracts::primitives::{AddressError, AmountError, CodeError, PaymentRef};
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

const SIGNATURE_HEX_LEN: usize = 128;
const MS_PER_SECOND: u64 = 1000;
/// Crockford's base32: digits and capitals without I, L, O and U, which are read as 1, 1, 0, V.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const REFERENCE_DIGITS: usize = 8;
const KNOWN_KEYS: [&str; 7] = ["amount", "ref", "exp", "label", "till", "chain", "sig"];

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

    /// The `heitje:` URI, with parameters in a fixed order. [`Self::parse`] reads it back.
    pub fn to_uri(&self) -> String {
        let request = &self.request;
        let mut uri = format!(
            "{SCHEME}{}?amount={}&ref={}&exp={}",
            request.merchant,
            request.amount,
            request.reference,
            request.expires_at.0 / MS_PER_SECOND
        );
        // Writing to a String cannot fail.
        if let Some(label) = &request.label {
            let _ = write!(uri, "&label={}", percent_encode(label));
        }
        if let Some(till) = &request.till {
            let _ = write!(uri, "&till={till}");
        }
        let _ = write!(uri, "&chain={}&sig={}", request.chain, hex::encode(self.signature.0));
        uri
    }

    /// Reads a `heitje:` URI (see the module docs for the grammar) and verifies its signature.
    pub fn parse(text: &str) -> Result<ParsedRequest, RequestError> {
        if text.len() > MAX_URI_LEN {
            return Err(RequestError::TooLong { len: text.len(), max: MAX_URI_LEN });
        }
        let text = text.trim();
        if let Some((position, character)) = text.char_indices().find(|&(_, c)| !is_uri_char(c)) {
            return Err(RequestError::Character { character, position });
        }
        // Only ASCII is left, so byte offsets are character offsets.
        let rest = match text.get(..SCHEME.len()) {
            Some(scheme) if scheme.eq_ignore_ascii_case(SCHEME) => text.get(SCHEME.len()..).unwrap_or_default(),
            _ => return Err(RequestError::Scheme),
        };
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
        let merchant = AccountId::from_address(address).map_err(RequestError::Merchant)?;
        let params = Params::read(query)?;

        let amount = parse_amount(params.required("amount")?)?;
        let reference = PaymentRef::new(params.required("ref")?).map_err(RequestError::Reference)?;
        let expires_at = parse_expiry(params.required("exp")?)?;
        let chain = ChainId::new(params.required("chain")?).map_err(RequestError::Chain)?;
        let signature = parse_signature(params.required("sig")?)?;
        let label = params.optional("label").map(str::to_owned);
        if let Some(label) = &label {
            check_label(label)?;
        }
        let till = params.optional("till").map(AccountId::from_address).transpose().map_err(RequestError::Till)?;

        let request = PaymentRequest { merchant, amount, reference, expires_at, label, till, chain };
        let signed = Self { signer: request.signer(), request, signature };
        signed.verify()?;
        Ok(ParsedRequest { signed, ignored: params.ignored })
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

/// The known parameters of a query, percent-decoded, and the keys that were skipped.
struct Params {
    known: Vec<(&'static str, String)>,
    ignored: Vec<String>,
}

impl Params {
    fn read(query: &str) -> Result<Self, RequestError> {
        let mut seen = BTreeSet::new();
        let mut params = Self { known: Vec::new(), ignored: Vec::new() };
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = match pair.split_once('=') {
                Some((key, value)) if !key.is_empty() => (key.to_ascii_lowercase(), value),
                _ => return Err(RequestError::Malformed(pair.to_owned())),
            };
            if !seen.insert(key.clone()) {
                return Err(RequestError::Duplicate(key));
            }
            if let Some(known) = KNOWN_KEYS.iter().find(|known| **known == key) {
                let value = percent_decode(value).ok_or_else(|| RequestError::PercentEncoding(key.clone()))?;
                params.known.push((known, value));
            } else if key.starts_with("req-") {
                return Err(RequestError::UnknownRequired(key));
            } else {
                params.ignored.push(key);
            }
        }
        Ok(params)
    }

    fn optional(&self, key: &str) -> Option<&str> {
        self.known.iter().find(|(known, _)| *known == key).map(|(_, value)| value.as_str())
    }

    fn required(&self, key: &'static str) -> Result<&str, RequestError> {
        self.optional(key).ok_or(RequestError::Missing(key))
    }
}

/// RFC 3986: unreserved, sub-delims, the query's `:@/?`, and `%` for escapes. Not `#`, which
/// would start a fragment, nor spaces, quotes, brackets or anything outside ASCII.
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?%".contains(c)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let hex_digit = |byte: u8| char::from(byte).to_digit(16).and_then(|digit| u8::try_from(digit).ok());
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let high = bytes.next().and_then(hex_digit)?;
            let low = bytes.next().and_then(hex_digit)?;
            out.push(high << 4 | low);
        } else {
            out.push(byte);
        }
    }
    String::from_utf8(out).ok()
}

fn parse_amount(text: &str) -> Result<Amount, RequestError> {
    let owned = || text.to_owned();
    if text.starts_with(['+', '-']) {
        return Err(RequestError::AmountSign(owned()));
    }
    if text.contains(['e', 'E']) {
        return Err(RequestError::AmountExponent(owned()));
    }
    if text.contains(',') {
        return Err(RequestError::AmountComma(owned()));
    }
    // Amount's parser trims; a decoded %20 must not slip through that way.
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(RequestError::AmountNotANumber(owned()));
    }
    let amount = text.parse::<Amount>().map_err(|err| match err {
        AmountError::Empty | AmountError::NotANumber(_) => RequestError::AmountNotANumber(owned()),
        AmountError::TooManyDecimals(_) => RequestError::AmountDecimals(owned()),
        AmountError::TooLarge(_) => RequestError::AmountTooLarge(owned()),
    })?;
    if amount.is_zero() {
        return Err(RequestError::AmountZero);
    }
    Ok(amount)
}

fn parse_expiry(text: &str) -> Result<Timestamp, RequestError> {
    let bad = || RequestError::Expiry(text.to_owned());
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let seconds: u64 = text.parse().map_err(|_| bad())?;
    seconds.checked_mul(MS_PER_SECOND).map(Timestamp).ok_or_else(bad)
}

fn parse_signature(text: &str) -> Result<Signature, RequestError> {
    if text.len() != SIGNATURE_HEX_LEN {
        return Err(RequestError::SignatureLength(text.chars().count()));
    }
    let mut bytes = [0u8; 64];
    hex::decode_to_slice(text, &mut bytes).map_err(|_| RequestError::SignatureHex)?;
    Ok(Signature(bytes))
}

/// Printable text only. Besides control characters, this refuses the invisible characters that
/// reorder or hide text (bidirectional overrides and isolates, zero-width characters), so that a
/// label cannot make the payer misread what is shown next to it.
fn check_label(label: &str) -> Result<(), RequestError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_bytes(&[byte; 32])
    }

    fn shop() -> SigningKey {
        key(1)
    }

    fn till() -> SigningKey {
        key(2)
    }

    fn request(label: Option<&str>, till: Option<AccountId>) -> PaymentRequest {
        PaymentRequest {
            merchant: crypto::account_of(&shop()),
            amount: Amount(450),
            reference: PaymentRef::new("B-2026-0042").unwrap(),
            expires_at: Timestamp(1_795_000_000_000),
            label: label.map(str::to_owned),
            till,
            chain: ChainId::new("heerlen-1").unwrap(),
        }
    }

    /// A request from the shop itself, without label or till.
    fn plain() -> SignedRequest {
        SignedRequest::sign(request(None, None), &shop()).unwrap()
    }

    /// A request from a till, with a label.
    fn full() -> SignedRequest {
        let request = request(Some("Coffee and cake"), Some(crypto::account_of(&till())));
        SignedRequest::sign(request, &till()).unwrap()
    }

    /// `full()`'s URI with its parameter list edited.
    fn edited(edit: impl FnOnce(&mut Vec<(String, String)>)) -> String {
        let uri = full().to_uri();
        let (head, query) = uri.split_once('?').unwrap();
        let mut params: Vec<(String, String)> = query
            .split('&')
            .map(|pair| pair.split_once('=').unwrap())
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        edit(&mut params);
        let query: Vec<String> = params.iter().map(|(key, value)| format!("{key}={value}")).collect();
        format!("{head}?{}", query.join("&"))
    }

    fn set(key: &str, value: &str) -> impl FnOnce(&mut Vec<(String, String)>) {
        let (key, value) = (key.to_owned(), value.to_owned());
        move |params| match params.iter_mut().find(|(k, _)| *k == key) {
            Some(param) => param.1 = value,
            None => params.push((key, value)),
        }
    }

    fn parse_err(text: &str) -> RequestError {
        SignedRequest::parse(text).unwrap_err()
    }

    #[test]
    fn round_trips_with_label_and_till() {
        let signed = full();
        let uri = signed.to_uri();
        assert!(uri.starts_with("heitje:heitje1"), "{uri}");
        assert!(uri.contains("?amount=4.50&ref=B-2026-0042&exp=1795000000&label=Coffee%20and%20cake&till=heitje1"));
        assert!(uri.contains("&chain=heerlen-1&sig="));
        let parsed = SignedRequest::parse(&uri).unwrap();
        assert_eq!(parsed.signed, signed);
        assert_eq!(parsed.signed.signer, crypto::account_of(&till()));
        assert!(parsed.ignored.is_empty());
    }

    #[test]
    fn round_trips_without_label_or_till() {
        let signed = plain();
        let uri = signed.to_uri();
        assert!(!uri.contains("label=") && !uri.contains("till="), "{uri}");
        assert_eq!(SignedRequest::parse(&uri).unwrap().signed, signed);
    }

    #[test]
    fn longest_valid_request_fits_the_cap() {
        let label = "😀".repeat(MAX_LABEL_CHARS);
        let mut request = request(Some(&label), Some(crypto::account_of(&till())));
        request.amount = Amount(u64::MAX);
        request.reference = PaymentRef::new(&"R".repeat(PaymentRef::MAX_LEN)).unwrap();
        request.expires_at = Timestamp(u64::MAX / 1000 * 1000);
        request.chain = ChainId::new(&"c".repeat(ChainId::MAX_LEN)).unwrap();
        let signed = SignedRequest::sign(request, &till()).unwrap();
        let uri = signed.to_uri();
        assert_eq!(uri.len(), 1178);
        assert!(uri.len() <= MAX_URI_LEN);
        assert_eq!(SignedRequest::parse(&uri).unwrap().signed, signed);
    }

    #[test]
    fn trims_whitespace_and_newlines() {
        let signed = full();
        for text in [format!("{}\n", signed.to_uri()), format!(" \t{}\r\n", signed.to_uri())] {
            assert_eq!(SignedRequest::parse(&text).unwrap().signed, signed);
        }
    }

    #[test]
    fn reads_scheme_in_any_case_and_with_slashes() {
        let signed = plain();
        let uri = signed.to_uri();
        let rest = uri.strip_prefix(SCHEME).unwrap();
        for text in [format!("HEITJE:{rest}"), format!("Heitje:{rest}"), format!("heitje://{rest}")] {
            assert_eq!(SignedRequest::parse(&text).unwrap().signed, signed, "{text}");
        }
    }

    #[test]
    fn reads_upper_case_addresses_and_signature() {
        let signed = full();
        let till = signed.request.till.unwrap().to_string();
        let uri = signed
            .to_uri()
            .replace(&signed.request.merchant.to_string(), &signed.request.merchant.to_string().to_uppercase())
            .replace(&till, &till.to_uppercase())
            .replace(&hex::encode(signed.signature.0), &hex::encode_upper(signed.signature.0));
        assert_eq!(SignedRequest::parse(&uri).unwrap().signed, signed);
    }

    #[test]
    fn percent_encodes_the_label() {
        let label = "Koffie & taart = 5% off, café €";
        let request = request(Some(label), None);
        let signed = SignedRequest::sign(request, &shop()).unwrap();
        let uri = signed.to_uri();
        assert!(uri.contains("&label=Koffie%20%26%20taart%20%3D%205%25%20off%2C%20caf%C3%A9%20%E2%82%AC&"), "{uri}");
        let parsed = SignedRequest::parse(&uri).unwrap();
        assert_eq!(parsed.signed.request.label.as_deref(), Some(label));
        assert_eq!(parsed.signed, signed);
    }

    #[test]
    fn plus_in_a_label_is_a_plus() {
        let signed = SignedRequest::sign(request(Some("a+b"), None), &shop()).unwrap();
        assert!(signed.to_uri().contains("label=a%2Bb"));
        let tampered = edited(set("label", "a+b"));
        assert_eq!(parse_err(&tampered), RequestError::Forged, "a+b reads as a plus, so the signature no longer fits");
        assert_eq!(percent_decode("a+b%20c").as_deref(), Some("a+b c"));
    }

    #[test]
    fn refuses_too_long_text_first() {
        let text = format!("{}&x={}", full().to_uri(), "y".repeat(MAX_URI_LEN));
        assert!(matches!(parse_err(&text), RequestError::TooLong { max: MAX_URI_LEN, .. }));
        assert!(matches!(parse_err(&" ".repeat(MAX_URI_LEN + 1)), RequestError::TooLong { .. }));
    }

    #[test]
    fn refuses_characters_outside_uris() {
        let spaced = edited(set("label", "Coffee and cake"));
        assert!(matches!(parse_err(&spaced), RequestError::Character { character: ' ', .. }));
        let fragment = format!("{}#top", full().to_uri());
        assert!(matches!(parse_err(&fragment), RequestError::Character { character: '#', .. }));
        let raw = edited(set("label", "café"));
        assert!(matches!(parse_err(&raw), RequestError::Character { character: 'é', .. }));
    }

    #[test]
    fn refuses_other_schemes() {
        let uri = full().to_uri();
        let rest = uri.strip_prefix(SCHEME).unwrap();
        for text in [format!("bitcoin:{rest}"), rest.to_owned(), String::new(), "heitje".to_owned()] {
            assert_eq!(parse_err(&text), RequestError::Scheme, "{text}");
        }
    }

    #[test]
    fn refuses_bad_merchant_address() {
        let uri = full().to_uri();
        let merchant = full().request.merchant.to_string();
        let mut typo = merchant.clone().into_bytes();
        typo[20] = if typo[20] == b'q' { b'p' } else { b'q' };
        let typo = uri.replace(&merchant, std::str::from_utf8(&typo).unwrap());
        assert!(matches!(parse_err(&typo), RequestError::Merchant(AddressError::Checksum(_))));
        let empty = uri.replace(&merchant, "");
        assert!(matches!(parse_err(&empty), RequestError::Merchant(_)));
    }

    #[test]
    fn refuses_bad_till_address() {
        let text = edited(set("till", "heitje1notanaddress"));
        assert!(matches!(parse_err(&text), RequestError::Till(_)));
    }

    #[test]
    fn refuses_parameter_without_value() {
        let text = format!("{}&flag", full().to_uri());
        assert_eq!(parse_err(&text), RequestError::Malformed("flag".to_owned()));
        let text = format!("{}&=5", full().to_uri());
        assert_eq!(parse_err(&text), RequestError::Malformed("=5".to_owned()));
    }

    #[test]
    fn skips_empty_segments() {
        let text = format!("{}&&", full().to_uri()).replace("&ref=", "&&ref=");
        assert_eq!(SignedRequest::parse(&text).unwrap().signed, full());
    }

    #[test]
    fn refuses_duplicates() {
        let text = edited(|params| params.push(("amount".to_owned(), "4.50".to_owned())));
        assert_eq!(parse_err(&text), RequestError::Duplicate("amount".to_owned()));
        let text = edited(|params| params.push(("AMOUNT".to_owned(), "1.00".to_owned())));
        assert_eq!(parse_err(&text), RequestError::Duplicate("amount".to_owned()));
        let text = edited(|params| params.extend([("foo", "1"), ("foo", "2")].map(|(k, v)| (k.into(), v.into()))));
        assert_eq!(parse_err(&text), RequestError::Duplicate("foo".to_owned()));
    }

    #[test]
    fn refuses_unknown_req_parameter_and_ignores_others() {
        let text = edited(set("req-foo", "1"));
        assert_eq!(parse_err(&text), RequestError::UnknownRequired("req-foo".to_owned()));
        assert!(parse_err(&text).to_string().contains("\"req-foo\""));
        let text = edited(set("foo", "1"));
        let parsed = SignedRequest::parse(&text).unwrap();
        assert_eq!(parsed.signed, full());
        assert_eq!(parsed.ignored, ["foo"]);
    }

    #[test]
    fn refuses_missing_required_parameters() {
        for key in ["amount", "ref", "exp", "chain", "sig"] {
            let text = edited(|params| params.retain(|(k, _)| k != key));
            assert_eq!(parse_err(&text), RequestError::Missing(key), "{key}");
        }
        let bare = full().request.merchant.to_string();
        assert_eq!(parse_err(&format!("heitje:{bare}")), RequestError::Missing("amount"));
    }

    #[test]
    fn refuses_bad_percent_encoding() {
        for label in ["50%", "%2", "%zz", "%FF", "%C3"] {
            let text = edited(set("label", label));
            assert_eq!(parse_err(&text), RequestError::PercentEncoding("label".to_owned()), "{label}");
        }
    }

    #[test]
    fn refuses_zero_amount() {
        for amount in ["0", "0.00", "0.0"] {
            assert_eq!(parse_err(&edited(set("amount", amount))), RequestError::AmountZero, "{amount}");
        }
    }

    #[test]
    fn refuses_signed_amount() {
        for amount in ["-4.50", "+4.50", "%2B4.50", "%2D1"] {
            assert!(matches!(parse_err(&edited(set("amount", amount))), RequestError::AmountSign(_)), "{amount}");
        }
    }

    #[test]
    fn refuses_amount_with_exponent() {
        for amount in ["4e2", "1.5E1"] {
            assert!(matches!(parse_err(&edited(set("amount", amount))), RequestError::AmountExponent(_)), "{amount}");
        }
    }

    #[test]
    fn refuses_amount_with_comma() {
        for amount in ["4,50", "1,250.00"] {
            assert!(matches!(parse_err(&edited(set("amount", amount))), RequestError::AmountComma(_)), "{amount}");
        }
    }

    #[test]
    fn refuses_amount_with_three_decimals() {
        assert_eq!(parse_err(&edited(set("amount", "4.505"))), RequestError::AmountDecimals("4.505".to_owned()));
    }

    #[test]
    fn refuses_amount_that_is_not_a_number() {
        for amount in ["", "four", "4.", ".5", "4.5.0", "%204.50", "0x10"] {
            assert!(matches!(parse_err(&edited(set("amount", amount))), RequestError::AmountNotANumber(_)), "{amount}");
        }
    }

    #[test]
    fn refuses_amount_too_large() {
        let text = edited(set("amount", "999999999999999999999"));
        assert!(matches!(parse_err(&text), RequestError::AmountTooLarge(_)));
    }

    #[test]
    fn refuses_bad_reference() {
        for reference in ["", "B_2026", "B%202026", &"R".repeat(33)] {
            assert!(matches!(parse_err(&edited(set("ref", reference))), RequestError::Reference(_)), "{reference}");
        }
    }

    #[test]
    fn refuses_non_numeric_expiry() {
        for exp in ["", "soon", "-5", "+5", "1795000000.5", "1e9", "99999999999999999999"] {
            assert!(matches!(parse_err(&edited(set("exp", exp))), RequestError::Expiry(_)), "{exp}");
        }
    }

    #[test]
    fn refuses_bad_chain() {
        assert!(matches!(parse_err(&edited(set("chain", "Heerlen-1"))), RequestError::Chain(_)));
    }

    #[test]
    fn refuses_bad_labels() {
        assert_eq!(parse_err(&edited(set("label", ""))), RequestError::LabelEmpty);
        let long = "a".repeat(MAX_LABEL_CHARS + 1);
        assert_eq!(parse_err(&edited(set("label", &long))), RequestError::LabelTooLong { chars: 65 });
        assert_eq!(parse_err(&edited(set("label", "a%0Ab"))), RequestError::LabelCharacter('\n'));
        assert_eq!(parse_err(&edited(set("label", "%E2%80%AEevil"))), RequestError::LabelCharacter('\u{202E}'));
        let accents = "é".repeat(MAX_LABEL_CHARS);
        let signed = SignedRequest::sign(request(Some(&accents), None), &shop()).unwrap();
        assert_eq!(SignedRequest::parse(&signed.to_uri()).unwrap().signed, signed, "64 characters, 128 bytes");
    }

    #[test]
    fn refuses_signature_of_wrong_length() {
        let sig = hex::encode(full().signature.0);
        assert_eq!(parse_err(&edited(set("sig", &sig[..126]))), RequestError::SignatureLength(126));
        assert_eq!(parse_err(&edited(set("sig", &format!("{sig}00")))), RequestError::SignatureLength(130));
    }

    #[test]
    fn refuses_signature_with_non_hex_characters() {
        let sig = format!("{}zz", &hex::encode(full().signature.0)[..126]);
        assert_eq!(parse_err(&edited(set("sig", &sig))), RequestError::SignatureHex);
    }

    #[test]
    fn refuses_tampered_text() {
        let other = crypto::account_of(&key(9)).to_string();
        for (key, value) in [
            ("amount", "5.50"),
            ("amount", "4.5"), // the same amount written differently still verifies
            ("ref", "B-2026-0043"),
            ("exp", "1795000001"),
            ("label", "Free%20coffee"),
            ("chain", "heerlen-2"),
        ] {
            let result = SignedRequest::parse(&edited(set(key, value)));
            if value == "4.5" {
                assert!(result.is_ok());
            } else {
                assert_eq!(result.unwrap_err(), RequestError::Forged, "{key}={value}");
            }
        }
        let unlabelled = edited(|params| params.retain(|(k, _)| k != "label"));
        assert_eq!(parse_err(&unlabelled), RequestError::Forged);
        let other_till = edited(set("till", &other));
        assert_eq!(parse_err(&other_till), RequestError::Forged);
        let merchant = full().request.merchant.to_string();
        assert_eq!(parse_err(&full().to_uri().replace(&merchant, &other)), RequestError::Forged);
        let mut sig = hex::encode(full().signature.0).into_bytes();
        sig[0] = if sig[0] == b'0' { b'1' } else { b'0' };
        assert_eq!(parse_err(&edited(set("sig", std::str::from_utf8(&sig).unwrap()))), RequestError::Forged);
    }

    #[test]
    fn refuses_request_signed_by_an_unrelated_key() {
        let request = request(None, None);
        let signature = crypto::sign(&key(9), Domain::PaymentRequest, &request.chain, &request.signed_bytes());
        let forged = SignedRequest { signer: request.merchant, request, signature };
        assert_eq!(forged.verify(), Err(RequestError::Forged));
        assert_eq!(parse_err(&forged.to_uri()), RequestError::Forged);
    }

    #[test]
    fn tampering_any_field_after_signing_fails_verification() {
        type Tamper = fn(&mut SignedRequest, AccountId);
        let other = crypto::account_of(&key(9));
        let tamperings: [(&str, Tamper); 8] = [
            ("merchant", |s, other| s.request.merchant = other),
            ("amount", |s, _| s.request.amount = Amount(451)),
            ("reference", |s, _| s.request.reference = PaymentRef::new("B-2026-0043").unwrap()),
            ("expires_at", |s, _| s.request.expires_at = Timestamp(1_795_000_001_000)),
            ("label", |s, _| s.request.label = None),
            ("till", |s, other| s.request.till = Some(other)),
            ("chain", |s, _| s.request.chain = ChainId::new("heerlen-2").unwrap()),
            ("signature", |s, _| s.signature.0[5] ^= 1),
        ];
        for (field, tamper) in tamperings {
            let mut signed = full();
            assert_eq!(signed.verify(), Ok(()));
            tamper(&mut signed, other);
            assert!(signed.verify().is_err(), "{field}");
        }
        let mut signed = full();
        signed.request.till = Some(other);
        signed.signer = other;
        assert_eq!(signed.verify(), Err(RequestError::Forged), "a new till cannot reuse the old signature");
        let mut signed = plain();
        signed.request.merchant = other;
        assert!(matches!(signed.verify(), Err(RequestError::NotSigner { .. })));
    }

    #[test]
    fn sign_refuses_a_key_that_is_not_the_signer() {
        let unrelated = SignedRequest::sign(request(None, None), &key(9)).unwrap_err();
        assert_eq!(
            unrelated,
            RequestError::NotSigner { signer: crypto::account_of(&key(9)), expected: crypto::account_of(&shop()) }
        );
        let with_till = request(None, Some(crypto::account_of(&till())));
        assert!(matches!(SignedRequest::sign(with_till, &shop()), Err(RequestError::NotSigner { .. })));
        assert!(matches!(SignedRequest::sign(request(None, None), &till()), Err(RequestError::NotSigner { .. })));
    }

    #[test]
    fn verify_refuses_a_signer_other_than_till_or_merchant() {
        let mut signed = full();
        signed.signer = signed.request.merchant;
        assert!(matches!(signed.verify(), Err(RequestError::NotSigner { .. })));
    }

    #[test]
    fn sign_refuses_what_the_uri_cannot_carry() {
        let mut zero = request(None, None);
        zero.amount = Amount::ZERO;
        assert_eq!(SignedRequest::sign(zero, &shop()), Err(RequestError::AmountZero));
        let mut fraction = request(None, None);
        fraction.expires_at = Timestamp(1_795_000_000_500);
        assert_eq!(
            SignedRequest::sign(fraction, &shop()),
            Err(RequestError::ExpiryFraction(Timestamp(1_795_000_000_500)))
        );
        assert_eq!(SignedRequest::sign(request(Some(""), None), &shop()), Err(RequestError::LabelEmpty));
        assert_eq!(
            SignedRequest::sign(request(Some("tab\there"), None), &shop()),
            Err(RequestError::LabelCharacter('\t'))
        );
    }

    #[test]
    fn signed_bytes_are_fixed() {
        let bytes = full().request.signed_bytes();
        // merchant 32, amount 8, ref 4+11, expiry 8, label 4+15, till 1+32
        assert_eq!(bytes.len(), 32 + 8 + 15 + 8 + 19 + 33);
        assert_eq!(bytes[32..40], 450u64.to_be_bytes());
        let plain = plain().request.signed_bytes();
        assert_eq!(plain[plain.len() - 5..], [0, 0, 0, 0, 0], "empty label, no till");
    }

    #[test]
    fn expiry_is_inclusive() {
        let request = request(None, None);
        assert!(!request.is_expired(Timestamp(1_795_000_000_000 - 1)));
        assert!(request.is_expired(Timestamp(1_795_000_000_000)));
    }

    #[test]
    fn new_references_are_crockford_and_distinct() {
        let first = new_reference().unwrap();
        let second = new_reference().unwrap();
        assert_ne!(first, second);
        let digits = first.as_str().strip_prefix("R-").unwrap();
        assert_eq!(digits.len(), REFERENCE_DIGITS);
        assert!(digits.bytes().all(|b| CROCKFORD.contains(&b) && !b"ILOU".contains(&b)), "{first}");
    }
}
