//! A payout batch: who is paid what, by whom and when, and why a batch is refused.

use contracts::primitives::{PayoutRef, RedemptionId};
use contracts::{AccountId, Amount};
use thiserror::Error;

use crate::formats::iban::{Bic, Iban};

/// The XML namespace of the payment file.
pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// The most payouts one file holds. Neither ISO 20022 nor the EPC sets a limit, but banks' upload
/// portals limit file size: 10,000 transfers make a file of about 5 MB, and cover a settlement
/// period of the whole town (the benchmark settles 10,000 redemptions). Larger batches are
/// split, each part with its own payout reference.
pub const MAX_PAYOUTS: usize = 10_000;

/// The largest single SEPA credit transfer: EUR 999,999,999.99 (EPC SCT rulebook, AT-T002).
pub const MAX_TRANSFER: Amount = Amount(99_999_999_999);

/// The longest name the EPC lets a SEPA credit transfer carry, in characters.
pub const MAX_NAME_CHARS: usize = 70;

/// The longest unstructured remittance information, in characters.
pub const MAX_REMITTANCE_CHARS: usize = 140;

/// How far after its creation a batch may ask to be executed. Banks refuse dates further ahead
/// (ABN AMRO accepts up to 364 days), and such a date is usually a typo in the year.
pub const MAX_DAYS_AHEAD: u32 = 364;
/// One pending redemption to be paid out in euros to the shop's bank account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The redemption being paid; each is paid at most once (R-RED-2).
    pub redemption: RedemptionId,
    /// The shop's ledger account. Written to the CSV only, never sent to the bank.
    pub merchant: AccountId,
    /// Euros owed: the coins burned by the redemption (R-RED-4).
    pub amount: Amount,
    /// The account holder's name as the bank knows it.
    pub creditor_name: String,
    /// The shop's bank account.
    pub iban: Iban,
    /// The shop's bank, if known. SEPA transfers within the EEA do not need it.
    pub bic: Option<Bic>,
}

/// The payer: the municipality's account from which the batch is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debtor {
    /// The account holder's name, also written as the initiating party.
    pub name: String,
    /// The account debited.
    pub iban: Iban,
    /// The municipality's bank, if known; otherwise the file says `NOTPROVIDED`.
    pub bic: Option<Bic>,
}

/// What identifies a batch and when it is to be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHeader {
    /// Becomes the file's `MsgId` and `PmtInfId`, and the reference recorded on chain.
    pub payout_ref: PayoutRef,
    /// When the file was made, ISO 8601 without or with a zone: `2026-11-23T10:15:00`.
    pub created: String,
    /// The day the bank is asked to pay, `YYYY-MM-DD`: on or after the creation date and at most
    /// [`MAX_DAYS_AHEAD`] days later.
    pub execution_date: String,
}

/// Why a payout batch was refused. Nothing is written when any check fails.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettlementError {
    /// No payouts.
    #[error("the batch has no payouts; list at least one pending redemption")]
    Empty,
    /// More payouts than one file holds.
    #[error(
        "the batch has {count} payouts, more than the {max} one file may hold; split it into several \
         batches, each with its own payout reference"
    )]
    TooMany {
        /// Payouts given.
        count: usize,
        /// [`MAX_PAYOUTS`].
        max: usize,
    },
    /// The same redemption twice: it would be paid twice.
    #[error("redemption {0} appears more than once in the batch; each redemption is paid once, remove the copy")]
    DuplicateRedemption(RedemptionId),
    /// A payout of 0.00.
    #[error("redemption {0} has amount 0.00; SEPA transfers are at least 0.01, leave it out of the batch")]
    ZeroAmount(RedemptionId),
    /// Above the SEPA maximum for one transfer.
    #[error("redemption {redemption} asks for {amount}, above the SEPA maximum of 999999999.99 for one transfer")]
    AmountTooLarge {
        /// The redemption.
        redemption: RedemptionId,
        /// Its amount.
        amount: Amount,
    },
    /// The total does not fit in 64 bits of cents.
    #[error("the batch total overflows; split the batch")]
    TotalOverflow,
    /// A creditor name with nothing left after conversion to the SEPA character set.
    #[error(
        "the account holder's name for redemption {redemption} ({name:?}) has no letters or digits in the SEPA \
         character set; enter the name in Latin letters as on the bank account"
    )]
    CreditorName {
        /// The redemption.
        redemption: RedemptionId,
        /// The name as given.
        name: String,
    },
    /// The debtor's name likewise.
    #[error(
        "the municipality's account name {0:?} has no letters or digits in the SEPA character set; enter it in \
         Latin letters as on the bank account"
    )]
    DebtorName(String),
    /// A payout reference that SEPA identifier rules forbid.
    #[error("payout reference {0:?} must not start or end with '/' or contain '//' (a SEPA rule); choose another")]
    PayoutRef(String),
    /// Not an ISO 8601 date and time.
    #[error(
        "creation time {0:?} is not a real ISO 8601 date and time; write it like 2026-11-23T10:15:00, \
         optionally with Z or +01:00"
    )]
    Created(String),
    /// Not a `YYYY-MM-DD` date.
    #[error("execution date {0:?} is not a real date; write it like 2026-11-24")]
    ExecutionDate(String),
    /// Asks the bank to pay before the file was made.
    #[error("execution date {execution} is before the creation date {created}; choose that day or a later one")]
    ExecutionBeforeCreation {
        /// The execution date.
        execution: String,
        /// The date part of the creation time.
        created: String,
    },
    /// Too far ahead for a bank to accept.
    #[error(
        "execution date {execution} is more than {MAX_DAYS_AHEAD} days after the creation date {created}; \
         banks refuse dates that far ahead, check the year"
    )]
    ExecutionTooFar {
        /// The execution date.
        execution: String,
        /// The date part of the creation time.
        created: String,
    },
    /// The XML writer failed (it writes to memory, so this does not happen).
    #[error("could not write the payment file: {0}")]
    Write(String),
}

/// The end-to-end id of a redemption's transfer: `HLN-R{id}`, at most 26 characters.
///
/// A redemption id is never reused (R-RED-1), so the id is unique across all batches; it comes
/// back on the shop's bank statement and in the bank's reports, which lets either side find the
/// redemption.
pub fn end_to_end_id(redemption: RedemptionId) -> String {
    format!("HLN-R{}", redemption.0)
}

/// The text on the shop's bank statement: `Heerlen coins redemption {id}`.
pub fn remittance(redemption: RedemptionId) -> String {
    format!("Heerlen coins redemption {}", redemption.0)
}
/// The payouts in redemption order; a stable sort, so the output never depends on input order.
pub(super) fn sorted(payouts: &[Payout]) -> Vec<&Payout> {
    let mut sorted: Vec<&Payout> = payouts.iter().collect();
    sorted.sort_by_key(|payout| payout.redemption);
    sorted
}

/// Euros with exactly two decimals, from integer cents: `12.50`.
pub(super) fn euros(amount: Amount) -> String {
    let cents = amount.cents();
    format!("{}.{:02}", cents / 100, cents % 100)
}
