//! Signed reads of off-chain personal data by staff (and by residents of their own data).
//!
//! The request carries an
//! `Authorization: Heitje <reader>:<node>:<unix ms>:<nonce hex>:<signature hex>` header. The
//! signature covers the method, the path with its query, the node the request is meant for (its
//! validator address, which `GET /v1/status` states), the time and a random 16-byte nonce, for
//! one chain. So a captured header cannot be replayed for another resource, at another node, on
//! another chain, or later than [`MAX_SKEW_MS`] around the node's clock; and within that window
//! the node refuses a nonce it has already seen (`node/src/api/replay.rs`). The node checks the
//! signer's role on chain and writes every read of personal data to its audit log.

use contracts::codec::Encode;
use contracts::crypto::{self, Domain, Signature};
use contracts::{AccountId, ChainId, Timestamp};
use ed25519_dalek::SigningKey;
use thiserror::Error;

/// The authorization scheme name.
pub const SCHEME: &str = "Heitje";
/// Largest difference between the signed time and the node's clock, either way: a header is
/// valid for at most twice this (60 s), which leaves honest clocks 30 s of skew.
pub const MAX_SKEW_MS: u64 = 30 * 1000;
/// Length of the random nonce, in bytes.
pub const NONCE_BYTES: usize = 16;

/// Why a signed read is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("this endpoint serves personal data: sign the request (the wallet does this for you)")]
    Missing,
    /// The header is not `Heitje <reader>:<node>:<ms>:<nonce>:<signature>`.
    #[error(
        "the Authorization header must be `Heitje <reader address>:<node address>:<unix ms>:<nonce hex>:\
         <signature hex>` (an older wallet sends three parts: update it): {0}"
    )]
    Malformed(String),
    /// The header was signed for another node.
    #[error(
        "the request was signed for node {signed_for}, but this is node {this}; a signed read is valid at one \
         node only: sign it again for this node (the wallet does this for you)"
    )]
    WrongNode {
        /// The node named in the signature.
        signed_for: AccountId,
        /// This node.
        this: AccountId,
    },
    /// The signed time is too far from the node's clock.
    #[error(
        "the request was signed at {signed} ms but the node's clock says {now} ms; a signed read is valid for \
         {} s either side of the node's clock: sign it again, and check your clock if this repeats",
        MAX_SKEW_MS / 1000
    )]
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

/// What a signed read is for: the chain and node it is bound to, and the request itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsigned<'a> {
    /// The chain.
    pub chain: &'a ChainId,
    /// The node the request is sent to (its validator address, from `GET /v1/status`).
    pub node: AccountId,
    /// The HTTP method.
    pub method: &'a str,
    /// The path with its query, exactly as sent.
    pub path_and_query: &'a str,
}

impl Unsigned<'_> {
    /// Signs this request at `time` with `nonce` (fresh random bytes for every request).
    pub fn sign(&self, key: &SigningKey, time: Timestamp, nonce: [u8; NONCE_BYTES]) -> SignedRead {
        let message = message(self.method, self.path_and_query, &self.node, time, &nonce);
        let signature = crypto::sign(key, Domain::StaffRead, self.chain, &message);
        SignedRead { reader: crypto::account_of(key), node: self.node, time, nonce, signature }
    }
}

/// A signed read, as carried in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRead {
    /// Who reads.
    pub reader: AccountId,
    /// The node the request is bound to.
    pub node: AccountId,
    /// When, by the reader's clock (ms since the epoch).
    pub time: Timestamp,
    /// Random bytes, never used twice by an honest reader.
    pub nonce: [u8; NONCE_BYTES],
    /// Signature over method, path, node, time and nonce.
    pub signature: Signature,
}

fn message(method: &str, path_and_query: &str, node: &AccountId, time: Timestamp, nonce: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(method.len() + path_and_query.len() + 80);
    contracts::codec::put_bytes(&mut out, method.as_bytes());
    contracts::codec::put_bytes(&mut out, path_and_query.as_bytes());
    out.extend_from_slice(&time.0.to_be_bytes());
    node.encode(&mut out);
    out.extend_from_slice(nonce);
    out
}

fn fixed_hex<const N: usize>(text: &str, what: &str) -> Result<[u8; N], AuthError> {
    let bytes = hex::decode(text).map_err(|e| AuthError::Malformed(format!("the {what} is not hex: {e}")))?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| AuthError::Malformed(format!("the {what} must be {N} bytes ({} hex digits)", 2 * N)))
}

impl SignedRead {
    /// The `Authorization` header value.
    pub fn header(&self) -> String {
        format!(
            "{SCHEME} {}:{}:{}:{}:{}",
            self.reader,
            self.node,
            self.time.0,
            hex::encode(self.nonce),
            hex::encode(self.signature.0)
        )
    }

    /// Reads an `Authorization` header value.
    pub fn parse(header: &str) -> Result<Self, AuthError> {
        let rest = header
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| AuthError::Malformed(format!("it does not start with `{SCHEME} `")))?;
        let parts: Vec<&str> = rest.trim().splitn(6, ':').collect();
        let [reader, node, time, nonce, signature] = parts.as_slice() else {
            return Err(AuthError::Malformed(format!("expected five parts separated by ':', found {}", parts.len())));
        };
        let address = |text: &str, what: &str| {
            AccountId::from_address(text).map_err(|e| AuthError::Malformed(format!("the {what} address: {e}")))
        };
        let time = time.parse::<u64>().map_err(|_| AuthError::Malformed(format!("time {time:?} is not a number")))?;
        Ok(Self {
            reader: address(reader, "reader")?,
            node: address(node, "node")?,
            time: Timestamp(time),
            nonce: fixed_hex(nonce, "nonce")?,
            signature: Signature(fixed_hex(signature, "signature")?),
        })
    }

    /// Checks a live request at `node` (this node): bound to it, signed within
    /// [`MAX_SKEW_MS`] of `now`, and the signature over this chain, method and path. The nonce
    /// is the caller's to check against the requests it has seen.
    pub fn verify(
        &self,
        chain: &ChainId,
        node: &AccountId,
        method: &str,
        path_and_query: &str,
        now: Timestamp,
    ) -> Result<(), AuthError> {
        if self.node != *node {
            return Err(AuthError::WrongNode { signed_for: self.node, this: *node });
        }
        if self.time.0.abs_diff(now.0) > MAX_SKEW_MS {
            return Err(AuthError::Skew { signed: self.time.0, now: now.0 });
        }
        self.verify_signature(chain, method, path_and_query)
    }

    /// Checks the signature alone (whichever node it names, whenever it was made): for a
    /// request that one node accepted and relays to the others, such as an owner's erasure.
    pub fn verify_signature(&self, chain: &ChainId, method: &str, path_and_query: &str) -> Result<(), AuthError> {
        let message = message(method, path_and_query, &self.node, self.time, &self.nonce);
        crypto::verify(&self.reader, Domain::StaffRead, chain, &message, &self.signature)
            .map_err(|_| AuthError::BadSignature(self.reader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(byte: u8) -> AccountId {
        crypto::account_of(&SigningKey::from_bytes(&[byte; 32]))
    }

    #[test]
    fn issue_12_a_signed_read_binds_path_method_node_time_and_nonce() {
        let chain = ChainId::new("heerlen-test").unwrap();
        let key = SigningKey::from_bytes(&[3; 32]);
        let (a, b) = (node(10), node(11));
        let unsigned = Unsigned { chain: &chain, node: a, method: "GET", path_and_query: "/v1/registry/x/bank" };
        let read = unsigned.sign(&key, Timestamp(1_000_000), [7; NONCE_BYTES]);
        let parsed = SignedRead::parse(&read.header()).unwrap();
        assert_eq!(parsed, read);
        parsed.verify(&chain, &a, "GET", "/v1/registry/x/bank", Timestamp(1_000_500)).unwrap();
        let refused = |chain: &ChainId, node: &AccountId, method, path, now| {
            parsed.verify(chain, node, method, path, Timestamp(now)).unwrap_err()
        };
        assert!(matches!(refused(&chain, &a, "GET", "/v1/registry/y/bank", 1_000_000), AuthError::BadSignature(_)));
        assert!(matches!(refused(&chain, &a, "POST", "/v1/registry/x/bank", 1_000_000), AuthError::BadSignature(_)));
        let other_chain = ChainId::new("heerlen-other").unwrap();
        assert!(matches!(
            refused(&other_chain, &a, "GET", "/v1/registry/x/bank", 1_000_000),
            AuthError::BadSignature(_)
        ));
        assert_eq!(
            refused(&chain, &b, "GET", "/v1/registry/x/bank", 1_000_000),
            AuthError::WrongNode { signed_for: a, this: b }
        );
        assert!(matches!(
            refused(&chain, &a, "GET", "/v1/registry/x/bank", 1_000_000 + MAX_SKEW_MS + 1),
            AuthError::Skew { .. }
        ));
        assert!(matches!(
            refused(&chain, &a, "GET", "/v1/registry/x/bank", 1_000_000 - MAX_SKEW_MS - 1),
            AuthError::Skew { .. }
        ));
        // Rewriting the node or the nonce in the header breaks the signature.
        let moved = SignedRead { node: b, ..read };
        assert!(matches!(
            moved.verify_signature(&chain, "GET", "/v1/registry/x/bank"),
            Err(AuthError::BadSignature(_))
        ));
        let renonced = SignedRead { nonce: [8; NONCE_BYTES], ..read };
        assert!(matches!(
            renonced.verify_signature(&chain, "GET", "/v1/registry/x/bank"),
            Err(AuthError::BadSignature(_))
        ));
    }

    #[test]
    fn malformed_headers_are_refused() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let reader = crypto::account_of(&key);
        let old_format = format!("Heitje {reader}:1000:{}", "00".repeat(64));
        let short_nonce = format!("Heitje {reader}:{reader}:1000:0011:{}", "00".repeat(64));
        for header in
            ["", "Bearer x", "Heitje a:b", "Heitje heitje1x:1:00", "Heitje a:b:c:d:e:f", &old_format, &short_nonce]
        {
            assert!(matches!(SignedRead::parse(header), Err(AuthError::Malformed(_))), "{header}");
        }
    }
}
