//! The route table: every path the node serves, written once.
//!
//! Each route is a `pub const` holding the axum path template the node's router mounts
//! (`{name}` marks a path parameter). Each templated route also has a path builder that fills
//! the template with typed values, each encoded as one path segment, for the clients (wallet,
//! loadgen, tests). [`with_query`] appends an encoded query string. See `docs/api.md` for what
//! each endpoint answers.

use contracts::primitives::{ClaimId, RedemptionId, TaskId};
use contracts::{AccountId, Hash, Height};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The bytes left as they are in a path segment or a query value: RFC 3986 "unreserved".
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `GET`: liveness probe, `ok` while the process serves HTTP.
pub const LIVEZ: &str = "/livez";
/// `GET`: readiness probe, 200 once the node is at the head of the chain, 503 while catching up.
pub const READYZ: &str = "/readyz";
/// `GET`: the node's chain, head, mempool size and whether it is caught up.
pub const STATUS: &str = "/v1/status";
/// `POST`: submit a signed transaction (`?min_height=H` for read-your-writes).
pub const TX: &str = "/v1/tx";
/// `GET`: a transaction and, once committed, its receipt (`?wait_ms=N` waits for the commit).
pub const TX_STATUS: &str = "/v1/tx/{id}";
/// `GET`: an account's balance, nonces and roles (`?min_height=H`).
pub const ACCOUNT: &str = "/v1/accounts/{address}";
/// `GET`: an account's transactions, newest first (`?limit=N&before_height=H`).
pub const ACCOUNT_HISTORY: &str = "/v1/accounts/{address}/history";
/// `GET`: where a resident stands against the annual cap.
pub const ACCOUNT_ALLOWANCE: &str = "/v1/accounts/{address}/allowance";
/// `GET`: the rewards paid to a resident in one calendar year.
pub const ACCOUNT_EARNINGS: &str = "/v1/accounts/{address}/earnings/{year}";
/// `GET`: every task.
pub const TASKS: &str = "/v1/tasks";
/// `GET`: one task with its claims.
pub const TASK: &str = "/v1/tasks/{id}";
/// `GET`: every claim (for review queues).
pub const CLAIMS: &str = "/v1/claims";
/// `GET`: one claim.
pub const CLAIM: &str = "/v1/claims/{id}";
/// `GET`: every budget and its balance.
pub const BUDGETS: &str = "/v1/budgets";
/// `GET`: every council proposal.
pub const PROPOSALS: &str = "/v1/proposals";
/// `GET`: every redemption (`?status=pending|settled`).
pub const REDEMPTIONS: &str = "/v1/redemptions";
/// `GET`: one redemption.
pub const REDEMPTION: &str = "/v1/redemptions/{id}";
/// `GET`: the supply's reconciliation at the last height.
pub const SUPPLY: &str = "/v1/supply";
/// `GET`: the block at a height, or the last one for `latest`.
pub const BLOCK: &str = "/v1/blocks/{height}";
/// `POST`: store a public UTF-8 document (a task description); answers its hash.
pub const DOCUMENTS: &str = "/v1/documents";
/// `GET`: a stored document by its hash.
pub const DOCUMENT: &str = "/v1/documents/{hash}";
/// `GET`: validators seen signing two conflicting consensus messages.
pub const MISBEHAVIOR: &str = "/v1/misbehavior";
/// `GET`: the validator set deciding the next height and the sets scheduled.
pub const VALIDATORS: &str = "/v1/validators";
/// `GET`: the chain parameters in force.
pub const PARAMS: &str = "/v1/params";
/// `GET`: the node replays the chain from genesis and reports whether it holds.
pub const CHAIN_VERIFY: &str = "/v1/chain/verify";
/// `POST` (signed by the claim's worker, `?claim&retain_until&content`): seal a work evidence
/// bundle. `GET` (signed by that owner, `?owner=ADDR`): the owner's records, without content.
pub const EVIDENCE: &str = "/v1/evidence";
/// `GET` (signed by a drawn verifier, the posting officer or the owner; logged): a record and its
/// bundle. `DELETE` (signed by the owner): erase the record.
pub const EVIDENCE_RECORD: &str = "/v1/evidence/{commitment}";
/// `GET`: a shop's payment once final (`?wait_ms=N`; 404 `not_paid` when the wait runs out).
pub const PAYMENT: &str = "/v1/payments/{merchant}/{reference}";
/// `GET`: what the ledger and the registry know about a merchant.
pub const MERCHANT: &str = "/v1/merchants/{merchant}";
/// `GET`: a merchant's payments in a time window (`?from_ms&to_ms`).
pub const MERCHANT_PAYMENTS: &str = "/v1/merchants/{merchant}/payments";
/// `GET`: the shop a till works for.
pub const TILL: &str = "/v1/tills/{till}";
/// `GET`: the two identities of the supply at a height (`?height=N`, default the head).
pub const RECONCILIATION: &str = "/v1/reconciliation";
/// `POST`: store a registrar-signed merchant registry record.
pub const REGISTRY_MERCHANTS: &str = "/v1/registry/merchants";
/// `GET`: a merchant's public, signed registry profile.
pub const REGISTRY_MERCHANT: &str = "/v1/registry/merchants/{merchant}";
/// `GET` (signed by staff; logged): a merchant's registry record with its bank details.
pub const REGISTRY_BANK: &str = "/v1/registry/merchants/{merchant}/bank";
/// `GET` (signed by the treasurer; logged): open redemptions with the payees' bank details.
pub const SETTLEMENT_OPEN: &str = "/v1/settlement/open";
/// `GET` (signed by the subject, the council or a registrar): the audit log of staff reads
/// (`?subject=ADDR`).
pub const AUDIT: &str = "/v1/audit";
/// `GET`: whether the node's audit log hash chain holds.
pub const AUDIT_VERIFY: &str = "/v1/audit/verify";

/// Every route above, in the order the node mounts them.
pub const ALL: &[&str] = &[
    LIVEZ,
    READYZ,
    STATUS,
    TX,
    TX_STATUS,
    ACCOUNT,
    ACCOUNT_HISTORY,
    ACCOUNT_ALLOWANCE,
    ACCOUNT_EARNINGS,
    TASKS,
    TASK,
    CLAIMS,
    CLAIM,
    BUDGETS,
    PROPOSALS,
    REDEMPTIONS,
    REDEMPTION,
    SUPPLY,
    BLOCK,
    DOCUMENTS,
    DOCUMENT,
    MISBEHAVIOR,
    VALIDATORS,
    PARAMS,
    CHAIN_VERIFY,
    EVIDENCE,
    EVIDENCE_RECORD,
    PAYMENT,
    MERCHANT,
    MERCHANT_PAYMENTS,
    TILL,
    RECONCILIATION,
    REGISTRY_MERCHANTS,
    REGISTRY_MERCHANT,
    REGISTRY_BANK,
    SETTLEMENT_OPEN,
    AUDIT,
    AUDIT_VERIFY,
];

/// `value` encoded as one path segment or query value.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// `path?name=value&…` with every value encoded; `path` alone when `query` is empty.
pub fn with_query(path: &str, query: &[(&str, &str)]) -> String {
    let mut out = path.to_owned();
    for (i, (name, value)) in query.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// Fills the `{…}` parameters of `template`, in order, with `values` encoded as segments.
fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        out.push_str(&rest[..open]);
        out.push_str(&encode(values.next().copied().unwrap_or_default()));
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// [`TX_STATUS`] of the transaction `id`.
pub fn tx_status(id: &Hash) -> String {
    fill(TX_STATUS, &[&id.to_string()])
}

/// [`ACCOUNT`] of `address`.
pub fn account(address: &AccountId) -> String {
    fill(ACCOUNT, &[&address.to_string()])
}

/// [`ACCOUNT_HISTORY`] of `address`.
pub fn account_history(address: &AccountId) -> String {
    fill(ACCOUNT_HISTORY, &[&address.to_string()])
}

/// [`ACCOUNT_ALLOWANCE`] of `address`.
pub fn account_allowance(address: &AccountId) -> String {
    fill(ACCOUNT_ALLOWANCE, &[&address.to_string()])
}

/// [`ACCOUNT_EARNINGS`] of `address` in `year`.
pub fn account_earnings(address: &AccountId, year: u16) -> String {
    fill(ACCOUNT_EARNINGS, &[&address.to_string(), &year.to_string()])
}

/// [`TASK`] `id`.
pub fn task(id: TaskId) -> String {
    fill(TASK, &[&id.to_string()])
}

/// [`CLAIM`] `id`.
pub fn claim(id: ClaimId) -> String {
    fill(CLAIM, &[&id.to_string()])
}

/// [`REDEMPTION`] `id`.
pub fn redemption(id: RedemptionId) -> String {
    fill(REDEMPTION, &[&id.to_string()])
}

/// [`BLOCK`] at `height`.
pub fn block(height: Height) -> String {
    fill(BLOCK, &[&height.to_string()])
}

/// [`BLOCK`] `latest`: the last committed block.
pub fn latest_block() -> String {
    fill(BLOCK, &["latest"])
}

/// [`DOCUMENT`] with `hash`.
pub fn document(hash: &Hash) -> String {
    fill(DOCUMENT, &[&hash.to_string()])
}

/// [`EVIDENCE_RECORD`] with `commitment`.
pub fn evidence_record(commitment: &Hash) -> String {
    fill(EVIDENCE_RECORD, &[&commitment.to_string()])
}

/// [`PAYMENT`] of `merchant` with the shop's `reference` (any text; a `PaymentRef` needs no
/// encoding, anything else is encoded and refused by the node).
pub fn payment(merchant: &AccountId, reference: &str) -> String {
    fill(PAYMENT, &[&merchant.to_string(), reference])
}

/// [`MERCHANT`] `merchant`.
pub fn merchant(merchant: &AccountId) -> String {
    fill(MERCHANT, &[&merchant.to_string()])
}

/// [`MERCHANT_PAYMENTS`] of `merchant`.
pub fn merchant_payments(merchant: &AccountId) -> String {
    fill(MERCHANT_PAYMENTS, &[&merchant.to_string()])
}

/// [`TILL`] `till`.
pub fn till(till: &AccountId) -> String {
    fill(TILL, &[&till.to_string()])
}

/// [`REGISTRY_MERCHANT`] of `merchant`.
pub fn registry_merchant(merchant: &AccountId) -> String {
    fill(REGISTRY_MERCHANT, &[&merchant.to_string()])
}

/// [`REGISTRY_BANK`] of `merchant`.
pub fn registry_bank(merchant: &AccountId) -> String {
    fill(REGISTRY_BANK, &[&merchant.to_string()])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The template with each `{…}` replaced by the given text, unencoded: the shape a
    /// builder's output must have.
    fn shape(template: &str, values: &[&str]) -> String {
        let mut out = template.to_owned();
        for value in values {
            let open = out.find('{').expect("one parameter per value");
            let close = out.find('}').expect("parameters are closed");
            out.replace_range(open..=close, value);
        }
        assert!(!out.contains('{'), "{template}: a parameter left unfilled");
        out
    }

    #[test]
    fn every_builder_fills_its_template() {
        let address = AccountId([7; 32]);
        let a = address.to_string();
        let hash = Hash([9; 32]);
        let h = hash.to_string();
        let cases: Vec<(String, &str, Vec<&str>)> = vec![
            (tx_status(&hash), TX_STATUS, vec![&h]),
            (account(&address), ACCOUNT, vec![&a]),
            (account_history(&address), ACCOUNT_HISTORY, vec![&a]),
            (account_allowance(&address), ACCOUNT_ALLOWANCE, vec![&a]),
            (account_earnings(&address, 2026), ACCOUNT_EARNINGS, vec![&a, "2026"]),
            (task(TaskId(4)), TASK, vec!["4"]),
            (claim(ClaimId(5)), CLAIM, vec!["5"]),
            (redemption(RedemptionId(6)), REDEMPTION, vec!["6"]),
            (block(Height(12)), BLOCK, vec!["12"]),
            (latest_block(), BLOCK, vec!["latest"]),
            (document(&hash), DOCUMENT, vec![&h]),
            (evidence_record(&hash), EVIDENCE_RECORD, vec![&h]),
            (payment(&address, "B-2026-0042"), PAYMENT, vec![&a, "B-2026-0042"]),
            (merchant(&address), MERCHANT, vec![&a]),
            (merchant_payments(&address), MERCHANT_PAYMENTS, vec![&a]),
            (till(&address), TILL, vec![&a]),
            (registry_merchant(&address), REGISTRY_MERCHANT, vec![&a]),
            (registry_bank(&address), REGISTRY_BANK, vec![&a]),
        ];
        let mut covered = BTreeSet::new();
        for (built, template, values) in cases {
            assert_eq!(built, shape(template, &values), "{template}");
            covered.insert(template);
        }
        let templated: BTreeSet<&str> = ALL.iter().copied().filter(|t| t.contains('{')).collect();
        assert_eq!(covered, templated, "every templated route needs a builder and a case above");
    }

    #[test]
    fn templates_are_distinct_and_well_formed() {
        let distinct: BTreeSet<&str> = ALL.iter().copied().collect();
        assert_eq!(distinct.len(), ALL.len(), "a route is listed twice");
        for template in ALL {
            assert!(template.starts_with('/') && !template.ends_with('/'), "{template}");
            assert!(*template == LIVEZ || *template == READYZ || template.starts_with("/v1/"), "{template}");
            for segment in template.split('/').skip(1) {
                let parameter = segment.starts_with('{') && segment.ends_with('}');
                assert!(parameter || !segment.contains(['{', '}']), "{template}: a parameter must be a whole segment");
            }
        }
    }

    #[test]
    fn segments_and_query_values_are_encoded() {
        let address = AccountId([1; 32]);
        assert_eq!(payment(&address, "a/b c?"), format!("/v1/payments/{address}/a%2Fb%20c%3F"));
        assert_eq!(with_query(AUDIT, &[]), AUDIT);
        assert_eq!(with_query(AUDIT, &[("subject", "x&y=z"), ("n", "1")]), "/v1/audit?subject=x%26y%3Dz&n=1");
    }
}
