//! The CSV of a payout batch, for the treasurer's records, and its digest.

use super::batch::{BatchHeader, Payout, end_to_end_id, euros, sorted};
use super::latin::sepa_name;

/// The first line of [`csv`].
pub const CSV_HEADER: &str = "payout_ref,end_to_end_id,redemption,merchant,creditor_name,iban,bic,amount_eur";
/// The batch as CSV (RFC 4180, CRLF line ends): [`CSV_HEADER`], then one row per payout in
/// redemption order, with the name as sent to the bank, the IBAN in electronic form, an empty
/// `bic` when unknown and amounts like `12.50`.
///
/// Unlike [`pain001`] it checks nothing, so it can also record a batch the bank file refused. A
/// field starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a
/// spreadsheet shows it as text instead of running it as a formula.
pub fn csv(header: &BatchHeader, payouts: &[Payout]) -> String {
    let mut out = String::with_capacity(CSV_HEADER.len() + 2 + 200 * payouts.len());
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for payout in sorted(payouts) {
        let row = [
            header.payout_ref.as_str().to_owned(),
            end_to_end_id(payout.redemption),
            payout.redemption.0.to_string(),
            payout.merchant.to_address(),
            sepa_name(&payout.creditor_name),
            payout.iban.as_str().to_owned(),
            payout.bic.as_ref().map(|bic| bic.as_str().to_owned()).unwrap_or_default(),
            euros(payout.amount),
        ];
        for (index, field) in row.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            push_csv_field(&mut out, field);
        }
        out.push_str("\r\n");
    }
    out
}

/// The blake3 hash of the [`csv`] bytes, for the treasurer's records.
///
/// A plain blake3 hash rather than a `derive_key` one: it is not a ledger hash (R-HASH-1 keeps
/// those in their own contexts, so none can equal it), and anyone can check it against the
/// saved CSV file with `b3sum`.
pub fn batch_digest(header: &BatchHeader, payouts: &[Payout]) -> [u8; 32] {
    *blake3::hash(csv(header, payouts).as_bytes()).as_bytes()
}
/// Appends one CSV field: formula-guarded, then quoted when it holds a comma, quote or line end.
pub(super) fn push_csv_field(out: &mut String, field: &str) {
    let guard = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = field.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    for character in field.chars() {
        if character == '"' {
            out.push('"');
        }
        out.push(character);
    }
    if quote {
        out.push('"');
    }
}
