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

mod request;
#[cfg(test)]
mod tests;
mod uri;

pub use request::{
    MAX_LABEL_CHARS, MAX_URI_LEN, ParsedRequest, PaymentRequest, RequestError, SCHEME, SignedRequest, new_reference,
};
