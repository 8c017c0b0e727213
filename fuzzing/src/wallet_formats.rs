//! The wallet's readers of outside text: the payment-request URI a resident scans from a shop's
//! QR code, and the keystore file (which anyone with access to the wallet home may have changed).

use std::path::Path;

use wallet::formats::payreq::SignedRequest;
use wallet::store::keystore::Entry;

use crate::Verdict;

/// A `heitje:` URI. Only a request whose signature verifies is accepted; it must write back to
/// a URI that reads to the same request.
pub fn payreq(data: &[u8]) -> Verdict {
    let Ok(text) = std::str::from_utf8(data) else { return Verdict::Refused };
    let Ok(parsed) = SignedRequest::parse(text) else { return Verdict::Refused };
    let uri = parsed.signed.to_uri();
    let again = SignedRequest::parse(&uri).unwrap_or_else(|e| panic!("the wallet's own URI {uri} is refused: {e}"));
    assert_eq!(again.signed, parsed.signed, "the URI {uri} reads back to another request");
    assert!(again.ignored.is_empty(), "the wallet's own URI has unknown keys");
    Verdict::Accepted
}

/// The account name the keystore seeds are written under; a file must hold the account its
/// name says.
pub const KEYSTORE_NAME: &str = "fuzz";

/// A keystore file of account [`KEYSTORE_NAME`], read as the wallet reads it before asking for
/// the password (unlocking would only run Argon2 on it).
pub fn keystore(data: &[u8]) -> Verdict {
    let path = Path::new("keystore").join(format!("{KEYSTORE_NAME}.json"));
    match Entry::from_file_bytes(&path, KEYSTORE_NAME, data) {
        Ok(entry) => {
            assert_eq!(entry.name, KEYSTORE_NAME, "a keystore file was read as another account");
            Verdict::Accepted
        }
        Err(_) => Verdict::Refused,
    }
}
