//! The `heitje:` URI of a signed request: writing it, and reading it strictly (see the grammar in
//! [`super`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use contracts::crypto::Signature;
use contracts::primitives::{AmountError, PaymentRef};
use contracts::{AccountId, Amount, ChainId, Timestamp};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::request::{
    MAX_URI_LEN, MS_PER_SECOND, ParsedRequest, PaymentRequest, RequestError, SCHEME, SignedRequest, check_label,
};

const SIGNATURE_HEX_LEN: usize = 128;
const KNOWN_KEYS: [&str; 7] = ["amount", "ref", "exp", "label", "till", "chain", "sig"];

impl SignedRequest {
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

/// RFC 3986 unreserved characters stay; every other byte is written as `%XX`.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes every byte but the RFC 3986 unreserved characters.
pub(super) fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, ESCAPED).to_string()
}

/// Decodes `%XX` escapes; `None` for a broken escape (which `percent-encoding` would pass
/// through unchanged) or bytes that are not UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let escapes_whole = bytes
        .iter()
        .enumerate()
        .filter(|&(_, byte)| *byte == b'%')
        .all(|(at, _)| bytes.get(at + 1..at + 3).is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit)));
    if !escapes_whole {
        return None;
    }
    percent_decode_str(text).decode_utf8().ok().map(|text| text.into_owned())
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
