//! JSON and text at the edges: the genesis file and network template an operator is handed, the
//! signed-read `Authorization` header, and the API's request bodies and query strings.

use std::fmt::Debug;

use api::registry::MerchantRecord;
use api::staff::SignedRead;
use api::{HeadQuery, HistoryQuery, PaymentQuery, SignedStatement, StatementQuery, SubmitTx, WaitQuery};
use contracts::{ChainId, SignedTx};
use genesis::{Genesis, Template};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ledger::assert_json_round_trip;
use crate::{Verdict, select};

/// The chain the registry-record seeds are signed for.
pub const CHAIN: &str = "heerlen-fuzz";

/// A genesis file or a network template. A genesis that validates must read back from its own
/// JSON with the same hash, and its initial state must conserve supply.
pub fn genesis(data: &[u8]) -> Verdict {
    let Ok(text) = std::str::from_utf8(data) else { return Verdict::Refused };
    let mut verdict = Verdict::Refused;
    if let Ok(genesis) = Genesis::from_json(text) {
        let again = Genesis::from_json(&genesis.to_json())
            .unwrap_or_else(|e| panic!("a valid genesis does not read back from its own JSON: {e}"));
        assert_eq!(again, genesis, "a genesis reads back from its JSON as another genesis");
        assert_eq!(again.hash(), genesis.hash(), "a genesis changed hash through its JSON");
        if let Ok(state) = genesis.initial_state() {
            assert!(state.supply().is_conserved(), "a valid genesis opens with supply not conserved");
            let _ = genesis.header(&state);
        }
        verdict = Verdict::Accepted;
    }
    if let Ok(template) = Template::from_json(text) {
        assert_json_round_trip("network template", &template);
        verdict = Verdict::Accepted;
    }
    verdict
}

/// The value of a signed read's `Authorization` header; what parses must write back to a header
/// that parses to the same read.
pub fn signed_read(data: &[u8]) -> Verdict {
    let Ok(text) = std::str::from_utf8(data) else { return Verdict::Refused };
    let Ok(read) = SignedRead::parse(text) else { return Verdict::Refused };
    let header = read.header();
    let again = SignedRead::parse(&header).unwrap_or_else(|e| panic!("the header {header} is refused: {e}"));
    assert_eq!(again, read, "the header {header} reads back to another signed read");
    Verdict::Accepted
}

fn json<T: Serialize + DeserializeOwned + PartialEq + Debug>(what: &str, data: &[u8]) -> Option<T> {
    let value = serde_json::from_slice::<T>(data).ok()?;
    assert_json_round_trip(what, &value);
    Some(value)
}

fn query<T: Serialize + DeserializeOwned + PartialEq + Debug>(what: &str, data: &[u8]) -> Verdict {
    let Ok(value) = serde_urlencoded::from_bytes::<T>(data) else { return Verdict::Refused };
    let text = serde_urlencoded::to_string(&value).unwrap_or_else(|e| panic!("{what}: no query string: {e}"));
    let again: T = serde_urlencoded::from_str(&text).unwrap_or_else(|e| panic!("{what}: {text} does not read: {e}"));
    assert_eq!(again, value, "{what}: {text} reads back to another query");
    Verdict::Accepted
}

/// The API's request types, chosen by the first byte: the bodies of `POST /v1/tx` (then its hex
/// transaction, as the node reads it) and `PUT` of a registry record (then its signature
/// check), a signed year statement as `statement verify` reads it, and every query string.
pub fn api_json(data: &[u8]) -> Verdict {
    let Some((choice, rest)) = select(data, 10) else { return Verdict::Refused };
    match choice {
        0 => {
            let Some(submit) = json::<SubmitTx>("tx submission", rest) else { return Verdict::Refused };
            let Ok(bytes) = hex::decode(submit.tx.trim()) else { return Verdict::Refused };
            Verdict::of(SignedTx::decode_checked(&bytes).is_ok())
        }
        1 => {
            let Some(record) = json::<MerchantRecord>("registry record", rest) else { return Verdict::Refused };
            let chain = ChainId::new(CHAIN).unwrap_or_else(|e| panic!("the fuzz chain id {CHAIN}: {e}"));
            Verdict::of(record.verify(&chain).is_ok())
        }
        2 => {
            let Some(signed) = json::<SignedStatement>("signed statement", rest) else { return Verdict::Refused };
            let _ = signed.statement.signing_bytes();
            Verdict::Accepted
        }
        3 => query::<HeadQuery>("head query", rest),
        4 => query::<HistoryQuery>("history query", rest),
        5 => query::<WaitQuery>("wait query", rest),
        6 => query::<PaymentQuery>("payment query", rest),
        7 => query::<StatementQuery>("statement query", rest),
        8 => query::<api::evidence::UploadQuery>("upload query", rest),
        _ => query::<api::evidence::ListQuery>("evidence list query", rest),
    }
}
