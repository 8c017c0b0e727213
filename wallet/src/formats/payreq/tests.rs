//! Tests of payment requests: round trips, every refusal, and the reference generator.

use contracts::crypto::{self, Domain};
use contracts::primitives::{AddressError, PaymentRef};
use contracts::{AccountId, Amount, ChainId, Timestamp};
use ed25519_dalek::SigningKey;

use super::request::{CROCKFORD, REFERENCE_DIGITS};
use super::uri::{percent_decode, percent_encode};
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
    assert_eq!(SignedRequest::sign(fraction, &shop()), Err(RequestError::ExpiryFraction(Timestamp(1_795_000_000_500))));
    assert_eq!(SignedRequest::sign(request(Some(""), None), &shop()), Err(RequestError::LabelEmpty));
    assert_eq!(SignedRequest::sign(request(Some("tab\there"), None), &shop()), Err(RequestError::LabelCharacter('\t')));
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

/// Properties over generated input: the reader never panics on outside text, and whatever the
/// wallet writes it reads back.
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn parse_never_panics_on_any_text(text in "\\PC{0,400}") {
            let _ = SignedRequest::parse(&text);
        }

        #[test]
        fn parse_never_panics_on_uri_like_text(query in "[a-zA-Z0-9=&%.+~_:-]{0,300}") {
            let _ = SignedRequest::parse(&format!("heitje:{}?{query}", crypto::account_of(&shop())));
        }

        #[test]
        fn every_signed_request_round_trips(
            cents in 1u64..=10_000_000_000,
            seconds in 0u64..=100_000_000_000,
            label in proptest::option::of("[\\p{L}\\p{N} .,!?'&=%+#/-]{1,64}"),
            from_till in any::<bool>(),
        ) {
            let till_account = from_till.then(|| crypto::account_of(&till()));
            let mut unsigned = request(label.as_deref(), till_account);
            unsigned.amount = Amount(cents);
            unsigned.expires_at = Timestamp(seconds * 1000);
            let key = if from_till { till() } else { shop() };
            let signed = SignedRequest::sign(unsigned, &key).unwrap();
            let parsed = SignedRequest::parse(&signed.to_uri()).unwrap();
            prop_assert!(parsed.ignored.is_empty());
            prop_assert_eq!(parsed.signed, signed);
        }

        #[test]
        fn percent_decoding_inverts_encoding(text in "\\PC{0,64}") {
            prop_assert_eq!(percent_decode(&percent_encode(&text)), Some(text));
        }
    }
}
