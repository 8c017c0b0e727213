//! Settlement payout files: the SEPA credit transfer batch (ISO 20022 `pain.001.001.09`, EPC SCT
//! customer-to-bank rules) with which the municipality's treasurer pays shops in euros for the
//! coins they redeemed, and a CSV of the same batch for the treasurer's records.
//!
//! Everything here is pure: the caller supplies the pending redemptions with the shops' bank
//! details (kept off the ledger, R-PRIV-1), the municipality's account and the times. The same
//! input gives byte-identical files: payouts are sorted by redemption id and every amount is
//! written from integer cents. Once the bank has executed the batch, the treasurer records it on
//! chain under the batch's payout reference (R-RED-6).

mod batch;
mod csv;
mod dates;
mod latin;
mod pain001;
#[cfg(test)]
mod tests;

pub use batch::{
    BatchHeader, Debtor, MAX_DAYS_AHEAD, MAX_NAME_CHARS, MAX_PAYOUTS, MAX_REMITTANCE_CHARS, MAX_TRANSFER, NAMESPACE,
    Payout, SettlementError, end_to_end_id, remittance,
};
pub use csv::{CSV_HEADER, batch_digest, csv};
pub use latin::sepa_name;
pub use pain001::pain001;
