//! The CSV of a payout batch, for the treasurer's records, and its digest.

use super::batch::{BatchHeader, Payout, end_to_end_id, euros, sorted};
use super::latin::sepa_name;
use crate::formats::csv_file;

/// The first line of [`csv`].
pub const CSV_HEADER: &str = "payout_ref,end_to_end_id,redemption,merchant,creditor_name,iban,bic,amount_eur";

/// The batch as CSV (RFC 4180, CRLF line ends): [`CSV_HEADER`], then one row per payout in
/// redemption order, with the name as sent to the bank, the IBAN in electronic form, an empty
/// `bic` when unknown and amounts like `12.50`.
///
/// Unlike [`pain001`] it checks nothing, so it can also record a batch the bank file refused. A
/// field starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a
/// spreadsheet shows it as text instead of running it as a formula (see [`csv_file`]).
pub fn csv(header: &BatchHeader, payouts: &[Payout]) -> String {
    let rows = sorted(payouts).into_iter().map(|payout| {
        vec![
            header.payout_ref.as_str().to_owned(),
            end_to_end_id(payout.redemption),
            payout.redemption.0.to_string(),
            payout.merchant.to_address(),
            sepa_name(&payout.creditor_name),
            payout.iban.as_str().to_owned(),
            payout.bic.as_ref().map(|bic| bic.as_str().to_owned()).unwrap_or_default(),
            euros(payout.amount),
        ]
    });
    csv_file::write(&CSV_HEADER.split(',').collect::<Vec<_>>(), rows)
}

/// The blake3 hash of the [`csv`] bytes, for the treasurer's records.
///
/// A plain blake3 hash rather than a `derive_key` one: it is not a ledger hash (R-HASH-1 keeps
/// those in their own contexts, so none can equal it), and anyone can check it against the
/// saved CSV file with `b3sum`.
pub fn batch_digest(header: &BatchHeader, payouts: &[Payout]) -> [u8; 32] {
    *blake3::hash(csv(header, payouts).as_bytes()).as_bytes()
}
