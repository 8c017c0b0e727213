//! Signed reads of off-chain personal data by staff (and by residents of their own data).
//!
//! The request carries an `Authorization: Heitje <address>:<unix ms>:<signature hex>` header.
//! The signature covers the method, the path with its query and the time, so it cannot be
//! replayed for another resource; the node refuses times more than [`MAX_SKEW_MS`] from its own
//! clock, checks the signer's role on chain, and writes every read to its audit log.

use contracts::crypto::{self, Domain, Signature};
use contracts::{AccountId, ChainId, Timestamp};
use ed25519_dalek::SigningKey;
use thiserror::Error;

/// The authorization scheme name.
pub const SCHEME: &str = "Heitje";
/// Largest difference between the signed time and the node's clock.
pub const MAX_SKEW_MS: u64 = 5 * 60 * 1000;

/// Why a signed read is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("this endpoint serves personal data: sign the request (the wallet does this for you)")]
    Missing,
    /// The header is not `Heitje <address>:<ms>:<hex>`.
    #[error("the Authorization header must be `Heitje <address>:<unix ms>:<signature hex>`: {0}")]
    Malformed(String),
    /// The signed time is too far from the node's clock.
    #[error("the request was signed at {signed} ms but the node's clock says {now} ms; check your clock")]
    Skew {
        /// Signed time.
        signed: u64,
        /// Node time.
        now: u64,
    },
    /// The signature does not verify.
    #[error("the request's signature does not verify for {0}")]
    BadSignature(AccountId),
}

/// A signed read, as carried in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRead {
    /// Who reads.
    pub reader: AccountId,
    /// When, by the reader's clock (ms since the epoch).
    pub time: Timestamp,
    /// Signature over method, path and time.
    pub signature: Signature,
}

fn message(method: &str, path_and_query: &str, time: Timestamp) -> Vec<u8> {
    let mut out = Vec::with_capacity(method.len() + path_and_query.len() + 10);
    contracts::codec::put_bytes(&mut out, method.as_bytes());
    contracts::codec::put_bytes(&mut out, path_and_query.as_bytes());
    out.extend_from_slice(&time.0.to_be_bytes());
    out
}

impl SignedRead {
    /// Signs a read of `path_and_query` (for example `/v1/registry/merchants/heitje1…/bank`).
    pub fn sign(key: &SigningKey, chain: &ChainId, method: &str, path_and_query: &str, time: Timestamp) -> Self {
        let signature = crypto::sign(key, Domain::StaffRead, chain, &message(method, path_and_query, time));
        Self { reader: crypto::account_of(key), time, signature }
    }

    /// The `Authorization` header value.
    pub fn header(&self) -> String {
        format!("{SCHEME} {}:{}:{}", self.reader, self.time.0, hex::encode(self.signature.0))
    }

    /// Reads an `Authorization` header value.
    pub fn parse(header: &str) -> Result<Self, AuthError> {
        let rest = header
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| AuthError::Malformed(format!("it does not start with `{SCHEME} `")))?;
        let mut parts = rest.trim().split(':');
        let (Some(address), Some(time), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Malformed("expected three parts separated by ':'".into()));
        };
        let reader = AccountId::from_address(address).map_err(|e| AuthError::Malformed(e.to_string()))?;
        let time = time.parse::<u64>().map_err(|_| AuthError::Malformed(format!("time {time:?} is not a number")))?;
        let bytes = hex::decode(sig).map_err(|e| AuthError::Malformed(format!("signature is not hex: {e}")))?;
        let signature = <[u8; 64]>::try_from(bytes.as_slice())
            .map_err(|_| AuthError::Malformed("the signature must be 64 bytes (128 hex digits)".into()))?;
        Ok(Self { reader, time: Timestamp(time), signature: Signature(signature) })
    }

    /// Checks the time against `now` and the signature against the request.
    pub fn verify(&self, chain: &ChainId, method: &str, path_and_query: &str, now: Timestamp) -> Result<(), AuthError> {
        if self.time.0.abs_diff(now.0) > MAX_SKEW_MS {
            return Err(AuthError::Skew { signed: self.time.0, now: now.0 });
        }
        crypto::verify(
            &self.reader,
            Domain::StaffRead,
            chain,
            &message(method, path_and_query, self.time),
            &self.signature,
        )
        .map_err(|_| AuthError::BadSignature(self.reader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_read_round_trips_and_binds_the_path_and_time() {
        let chain = ChainId::new("heerlen-test").unwrap();
        let key = SigningKey::from_bytes(&[3; 32]);
        let read = SignedRead::sign(&key, &chain, "GET", "/v1/registry/x/bank", Timestamp(1_000_000));
        let parsed = SignedRead::parse(&read.header()).unwrap();
        assert_eq!(parsed, read);
        parsed.verify(&chain, "GET", "/v1/registry/x/bank", Timestamp(1_000_500)).unwrap();
        assert!(matches!(
            parsed.verify(&chain, "GET", "/v1/registry/y/bank", Timestamp(1_000_000)),
            Err(AuthError::BadSignature(_))
        ));
        assert!(matches!(
            parsed.verify(&chain, "POST", "/v1/registry/x/bank", Timestamp(1_000_000)),
            Err(AuthError::BadSignature(_))
        ));
        assert!(matches!(
            parsed.verify(&chain, "GET", "/v1/registry/x/bank", Timestamp(1_000_000 + MAX_SKEW_MS + 1)),
            Err(AuthError::Skew { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in ["", "Bearer x", "Heitje a:b", "Heitje heitje1x:1:00", "Heitje a:b:c:d"] {
            assert!(matches!(SignedRead::parse(header), Err(AuthError::Malformed(_))), "{header}");
        }
    }
}
