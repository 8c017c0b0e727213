//! Settlement payout files: the SEPA credit transfer batch (ISO 20022 `pain.001.001.09`, EPC SCT
//! customer-to-bank rules) with which the municipality's treasurer pays shops in euros for the
//! coins they redeemed, and a CSV of the same batch for the treasurer's records.
//!
//! Everything here is pure: the caller supplies the pending redemptions with the shops' bank
//! details (kept off the ledger, R-PRIV-1), the municipality's account and the times. The same
//! input gives byte-identical files: payouts are sorted by redemption id and every amount is
//! written from integer cents. Once the bank has executed the batch, the treasurer records it on
//! chain under the batch's payout reference (R-RED-6).

use contracts::primitives::{PayoutRef, RedemptionId};
use contracts::{AccountId, Amount};
use thiserror::Error;

use crate::iban::{Bic, Iban};

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

/// The first line of [`csv`].
pub const CSV_HEADER: &str = "payout_ref,end_to_end_id,redemption,merchant,creditor_name,iban,bic,amount_eur";

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

/// A name in the EPC's basic Latin character set (`a-z A-Z 0-9 / - ? : ( ) . , ' +` and space),
/// which every SEPA bank must carry: accented letters lose their accents (`é` → `e`, `ß` →
/// `ss`, `æ` → `ae`), `&` becomes `+`, typographic quotes and dashes become `'` and `-`, any
/// other character becomes a space; runs of spaces collapse and the result is cut to
/// [`MAX_NAME_CHARS`]. May return an empty string.
pub fn sepa_name(name: &str) -> String {
    let mut latin = String::with_capacity(name.len());
    for character in name.chars() {
        push_latin(character, &mut latin);
    }
    let collapsed = latin.split(' ').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ");
    let cut: String = collapsed.chars().take(MAX_NAME_CHARS).collect();
    cut.trim_end().to_owned()
}

/// The SEPA credit transfer initiation (`pain.001.001.09`) paying every payout from the
/// debtor's account: one payment information block, one transfer per payout in redemption
/// order, booked as one debit (`BtchBookg`), charges shared (`SLEV`).
///
/// Refuses an empty batch, more than [`MAX_PAYOUTS`] payouts, a redemption listed twice, an
/// amount of zero or above [`MAX_TRANSFER`], a name with no SEPA characters, a payout reference
/// breaking the SEPA identifier rules, and creation or execution dates that are not real dates
/// or lie in the wrong order or too far apart.
pub fn pain001(header: &BatchHeader, debtor: &Debtor, payouts: &[Payout]) -> Result<String, SettlementError> {
    if payouts.is_empty() {
        return Err(SettlementError::Empty);
    }
    if payouts.len() > MAX_PAYOUTS {
        return Err(SettlementError::TooMany { count: payouts.len(), max: MAX_PAYOUTS });
    }
    let reference = header.payout_ref.as_str();
    if reference.starts_with('/') || reference.ends_with('/') || reference.contains("//") {
        return Err(SettlementError::PayoutRef(reference.to_owned()));
    }
    check_dates(header)?;
    let debtor_name = sepa_name(&debtor.name);
    if !has_alphanumeric(&debtor_name) {
        return Err(SettlementError::DebtorName(debtor.name.clone()));
    }

    let payouts = sorted(payouts);
    let mut names = Vec::with_capacity(payouts.len());
    let mut total = Amount::ZERO;
    let mut previous = None;
    for payout in &payouts {
        if previous == Some(payout.redemption) {
            return Err(SettlementError::DuplicateRedemption(payout.redemption));
        }
        previous = Some(payout.redemption);
        if payout.amount.is_zero() {
            return Err(SettlementError::ZeroAmount(payout.redemption));
        }
        if payout.amount > MAX_TRANSFER {
            return Err(SettlementError::AmountTooLarge { redemption: payout.redemption, amount: payout.amount });
        }
        total = total.checked_add(payout.amount).ok_or(SettlementError::TotalOverflow)?;
        let name = sepa_name(&payout.creditor_name);
        if !has_alphanumeric(&name) {
            return Err(SettlementError::CreditorName {
                redemption: payout.redemption,
                name: payout.creditor_name.clone(),
            });
        }
        names.push(name);
    }

    let count = payouts.len().to_string();
    let total = euros(total);
    // About 620 bytes per transfer.
    let mut xml = Xml::new(1_000 + 700 * payouts.len());
    xml.open("CstmrCdtTrfInitn");

    xml.open("GrpHdr");
    xml.leaf("MsgId", reference);
    xml.leaf("CreDtTm", &header.created);
    xml.leaf("NbOfTxs", &count);
    xml.leaf("CtrlSum", &total);
    xml.open("InitgPty");
    xml.leaf("Nm", &debtor_name);
    xml.close("InitgPty");
    xml.close("GrpHdr");

    xml.open("PmtInf");
    xml.leaf("PmtInfId", reference);
    xml.leaf("PmtMtd", "TRF");
    xml.leaf("BtchBookg", "true");
    xml.leaf("NbOfTxs", &count);
    xml.leaf("CtrlSum", &total);
    xml.open("PmtTpInf");
    xml.open("SvcLvl");
    xml.leaf("Cd", "SEPA");
    xml.close("SvcLvl");
    xml.close("PmtTpInf");
    xml.open("ReqdExctnDt");
    xml.leaf("Dt", &header.execution_date);
    xml.close("ReqdExctnDt");
    xml.open("Dbtr");
    xml.leaf("Nm", &debtor_name);
    xml.close("Dbtr");
    xml.account("DbtrAcct", &debtor.iban);
    xml.open("DbtrAgt");
    xml.open("FinInstnId");
    match &debtor.bic {
        Some(bic) => xml.leaf("BICFI", bic.as_str()),
        None => {
            // EPC: without a BIC the debtor agent is identified as not provided.
            xml.open("Othr");
            xml.leaf("Id", "NOTPROVIDED");
            xml.close("Othr");
        }
    }
    xml.close("FinInstnId");
    xml.close("DbtrAgt");
    xml.leaf("ChrgBr", "SLEV");

    for (payout, name) in payouts.iter().zip(&names) {
        xml.open("CdtTrfTxInf");
        xml.open("PmtId");
        xml.leaf("EndToEndId", &end_to_end_id(payout.redemption));
        xml.close("PmtId");
        xml.open("Amt");
        xml.amount("InstdAmt", &euros(payout.amount));
        xml.close("Amt");
        if let Some(bic) = &payout.bic {
            xml.open("CdtrAgt");
            xml.open("FinInstnId");
            xml.leaf("BICFI", bic.as_str());
            xml.close("FinInstnId");
            xml.close("CdtrAgt");
        }
        xml.open("Cdtr");
        xml.leaf("Nm", name);
        xml.close("Cdtr");
        xml.account("CdtrAcct", &payout.iban);
        xml.open("RmtInf");
        xml.leaf("Ustrd", &remittance(payout.redemption));
        xml.close("RmtInf");
        xml.close("CdtTrfTxInf");
    }

    xml.close("PmtInf");
    xml.close("CstmrCdtTrfInitn");
    Ok(xml.finish())
}

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

/// The payouts in redemption order; a stable sort, so the output never depends on input order.
fn sorted(payouts: &[Payout]) -> Vec<&Payout> {
    let mut sorted: Vec<&Payout> = payouts.iter().collect();
    sorted.sort_by_key(|payout| payout.redemption);
    sorted
}

/// Euros with exactly two decimals, from integer cents: `12.50`.
fn euros(amount: Amount) -> String {
    let cents = amount.cents();
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn has_alphanumeric(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The EPC basic Latin character set.
fn is_sepa(character: char) -> bool {
    character.is_ascii_alphanumeric()
        || matches!(character, '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+' | ' ')
}

/// Appends `character` in the SEPA character set, or a space when it has no Latin form.
fn push_latin(character: char, out: &mut String) {
    if is_sepa(character) {
        out.push(character);
    } else if let Some(text) = punctuation(character) {
        out.push_str(text);
    } else if let Some(text) = character.to_lowercase().next().and_then(unaccented) {
        if character.is_lowercase() {
            out.push_str(text);
        } else {
            out.push_str(&text.to_ascii_uppercase());
        }
    } else if !('\u{300}'..='\u{36f}').contains(&character) {
        // Combining accents (a decomposed é is e + U+0301) are dropped; the letter stays.
        out.push(' ');
    }
}

fn punctuation(character: char) -> Option<&'static str> {
    Some(match character {
        '&' => "+",
        '‘' | '’' | '‚' | '‛' | '`' | '´' | 'ʼ' | '′' => "'",
        '‐' | '‑' | '‒' | '–' | '—' | '−' => "-",
        // Its lower case is two characters (i + combining dot).
        'İ' => "I",
        _ => return None,
    })
}

/// The unaccented form of a lower-case Latin letter.
fn unaccented(letter: char) -> Option<&'static str> {
    Some(match letter {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// XML character data with the five reserved characters escaped.
fn escape_xml(text: &str, out: &mut String) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
}

/// Appends one CSV field: formula-guarded, then quoted when it holds a comma, quote or line end.
fn push_csv_field(out: &mut String, field: &str) {
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

/// A minimal writer for the payment file: two-space indentation, one element per line, text
/// always escaped.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new(capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str("<Document xmlns=\"");
        out.push_str(NAMESPACE);
        out.push_str("\">\n");
        Self { out, depth: 1 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, tag: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    fn leaf(&mut self, tag: &str, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        escape_xml(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    /// An amount in euros, the only currency of a SEPA credit transfer.
    fn amount(&mut self, tag: &str, euros: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str(" Ccy=\"EUR\">");
        escape_xml(euros, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    fn account(&mut self, tag: &str, iban: &Iban) {
        self.open(tag);
        self.open("Id");
        self.leaf("IBAN", iban.as_str());
        self.close("Id");
        self.close(tag);
    }

    fn finish(mut self) -> String {
        self.out.push_str("</Document>\n");
        self.out
    }
}

/// Checks both dates are real and the execution date lies 0 to [`MAX_DAYS_AHEAD`] days after
/// the creation date.
fn check_dates(header: &BatchHeader) -> Result<(), SettlementError> {
    let created_text = header.created.as_str();
    let bad_created = || SettlementError::Created(created_text.to_owned());
    let (date, time) = created_text.split_once('T').ok_or_else(bad_created)?;
    let created = parse_date(date).ok_or_else(bad_created)?;
    if !is_time(time) {
        return Err(bad_created());
    }
    let execution = parse_date(&header.execution_date)
        .ok_or_else(|| SettlementError::ExecutionDate(header.execution_date.clone()))?;
    let ahead = execution - created;
    if ahead < 0 {
        return Err(SettlementError::ExecutionBeforeCreation {
            execution: header.execution_date.clone(),
            created: date.to_owned(),
        });
    }
    if ahead > i64::from(MAX_DAYS_AHEAD) {
        return Err(SettlementError::ExecutionTooFar {
            execution: header.execution_date.clone(),
            created: date.to_owned(),
        });
    }
    Ok(())
}

/// Reads exactly `YYYY-MM-DD` of a real day in the years 2000 to 9999, as days since 1970-01-01.
fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = number(text.get(0..4)?)?;
    let month = number(text.get(5..7)?)?;
    let day = number(text.get(8..10)?)?;
    if !(2000..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(i64::from(year), i64::from(month), i64::from(day)))
}

/// Reads `hh:mm:ss`, optionally with a fraction (`.123`) and a zone (`Z`, `+01:00`, `-05:30`).
fn is_time(text: &str) -> bool {
    let clock = |part: &str, max_hour: u32| {
        let bytes = part.as_bytes();
        bytes.get(2) == Some(&b':')
            && part.get(0..2).and_then(number).is_some_and(|hour| hour <= max_hour)
            && part.get(3..5).and_then(number).is_some_and(|minute| minute <= 59)
    };
    let (main, zone) = match text.find(['Z', '+', '-']) {
        Some(at) => (text.get(..at).unwrap_or_default(), text.get(at..).unwrap_or_default()),
        None => (text, ""),
    };
    let zone_ok = match zone.strip_prefix(['+', '-']) {
        _ if zone.is_empty() || zone == "Z" => true,
        Some(offset) => offset.len() == 5 && clock(offset, 14),
        None => false,
    };
    let (hms, fraction) = match main.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (main, None),
    };
    let fraction_ok = fraction.is_none_or(|digits| (1..=9).contains(&digits.len()) && number(digits).is_some());
    let seconds_ok = hms.as_bytes().get(5) == Some(&b':') && hms.get(6..).and_then(number).is_some_and(|s| s <= 59);
    zone_ok && fraction_ok && hms.len() == 8 && clock(hms, 23) && seconds_ok
}

/// ASCII digits only (no sign), as a number.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date: the wallet's one calendar, in `time`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    crate::time::days_from_civil(year, u64::try_from(month).unwrap_or(1), u64::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iban(text: &str) -> Iban {
        text.parse().unwrap()
    }

    fn bic(text: &str) -> Bic {
        text.parse().unwrap()
    }

    fn header() -> BatchHeader {
        BatchHeader {
            payout_ref: PayoutRef::new("HLN-2026-0001").unwrap(),
            created: "2026-11-23T10:15:00".to_owned(),
            execution_date: "2026-11-24".to_owned(),
        }
    }

    fn municipality() -> Debtor {
        Debtor { name: "Gemeente Heerlen".to_owned(), iban: iban("NL38BNGH0285012345"), bic: Some(bic("BNGHNL2G")) }
    }

    fn payout(redemption: u64, cents: u64, name: &str) -> Payout {
        Payout {
            redemption: RedemptionId(redemption),
            merchant: AccountId([u8::try_from(redemption % 251).unwrap(); 32]),
            amount: Amount(cents),
            creditor_name: name.to_owned(),
            iban: iban("NL44RABO0123456789"),
            bic: None,
        }
    }

    /// Two shops, given out of order: a Dutch café without a BIC, a German bakery with one.
    fn two_payouts() -> Vec<Payout> {
        vec![
            payout(42, 1250, "Café 't Pleintje & Zn."),
            Payout {
                iban: iban("DE89370400440532013000"),
                bic: Some(bic("COBADEFFXXX")),
                ..payout(7, 8705, "Bäckerei Müller GmbH")
            },
        ]
    }

    const TWO_PAYOUTS_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>HLN-2026-0001</MsgId>
      <CreDtTm>2026-11-23T10:15:00</CreDtTm>
      <NbOfTxs>2</NbOfTxs>
      <CtrlSum>99.55</CtrlSum>
      <InitgPty>
        <Nm>Gemeente Heerlen</Nm>
      </InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>HLN-2026-0001</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>2</NbOfTxs>
      <CtrlSum>99.55</CtrlSum>
      <PmtTpInf>
        <SvcLvl>
          <Cd>SEPA</Cd>
        </SvcLvl>
      </PmtTpInf>
      <ReqdExctnDt>
        <Dt>2026-11-24</Dt>
      </ReqdExctnDt>
      <Dbtr>
        <Nm>Gemeente Heerlen</Nm>
      </Dbtr>
      <DbtrAcct>
        <Id>
          <IBAN>NL38BNGH0285012345</IBAN>
        </Id>
      </DbtrAcct>
      <DbtrAgt>
        <FinInstnId>
          <BICFI>BNGHNL2G</BICFI>
        </FinInstnId>
      </DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtTrfTxInf>
        <PmtId>
          <EndToEndId>HLN-R7</EndToEndId>
        </PmtId>
        <Amt>
          <InstdAmt Ccy="EUR">87.05</InstdAmt>
        </Amt>
        <CdtrAgt>
          <FinInstnId>
            <BICFI>COBADEFFXXX</BICFI>
          </FinInstnId>
        </CdtrAgt>
        <Cdtr>
          <Nm>Backerei Muller GmbH</Nm>
        </Cdtr>
        <CdtrAcct>
          <Id>
            <IBAN>DE89370400440532013000</IBAN>
          </Id>
        </CdtrAcct>
        <RmtInf>
          <Ustrd>Heerlen coins redemption 7</Ustrd>
        </RmtInf>
      </CdtTrfTxInf>
      <CdtTrfTxInf>
        <PmtId>
          <EndToEndId>HLN-R42</EndToEndId>
        </PmtId>
        <Amt>
          <InstdAmt Ccy="EUR">12.50</InstdAmt>
        </Amt>
        <Cdtr>
          <Nm>Cafe &apos;t Pleintje + Zn.</Nm>
        </Cdtr>
        <CdtrAcct>
          <Id>
            <IBAN>NL44RABO0123456789</IBAN>
          </Id>
        </CdtrAcct>
        <RmtInf>
          <Ustrd>Heerlen coins redemption 42</Ustrd>
        </RmtInf>
      </CdtTrfTxInf>
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
"#;

    #[test]
    fn two_payouts_give_the_exact_file() {
        assert_eq!(pain001(&header(), &municipality(), &two_payouts()).unwrap(), TWO_PAYOUTS_XML);
    }

    #[test]
    fn output_does_not_depend_on_input_order() {
        let mut reversed = two_payouts();
        reversed.reverse();
        let (header, debtor) = (header(), municipality());
        assert_eq!(pain001(&header, &debtor, &reversed), pain001(&header, &debtor, &two_payouts()));
        assert_eq!(csv(&header, &reversed), csv(&header, &two_payouts()));
        assert_eq!(batch_digest(&header, &reversed), batch_digest(&header, &two_payouts()));
    }

    #[test]
    fn debtor_without_bic_is_not_provided() {
        let debtor = Debtor { bic: None, ..municipality() };
        let xml = pain001(&header(), &debtor, &two_payouts()).unwrap();
        let expected = "      <DbtrAgt>\n        <FinInstnId>\n          <Othr>\n            <Id>NOTPROVIDED</Id>\n          \
                        </Othr>\n        </FinInstnId>\n      </DbtrAgt>\n";
        assert!(xml.contains(expected), "{xml}");
        assert!(!xml.contains("BNGHNL2G"));
    }

    #[test]
    fn ten_thousand_payouts_sum_exactly() {
        // Amounts from 0.01 to 999.99, given in reverse order.
        let payouts: Vec<Payout> = (1..=10_000u64).rev().map(|id| payout(id, id * 7919 % 99_999 + 1, "Shop")).collect();
        let total_cents: u64 = payouts.iter().map(|p| p.amount.cents()).sum();
        let xml = pain001(&header(), &municipality(), &payouts).unwrap();
        let control_sum = format!("<CtrlSum>{}.{:02}</CtrlSum>", total_cents / 100, total_cents % 100);
        assert_eq!(xml.matches(&control_sum).count(), 2);
        assert_eq!(xml.matches("<NbOfTxs>10000</NbOfTxs>").count(), 2);
        assert_eq!(xml.matches("<CdtTrfTxInf>").count(), 10_000);
        // Every amount has exactly two decimals, and they add up to the control sum.
        let mut sum = 0u64;
        for line in xml.lines().filter_map(|line| line.trim().strip_prefix("<InstdAmt Ccy=\"EUR\">")) {
            let (whole, cents) = line.trim_end_matches("</InstdAmt>").split_once('.').unwrap();
            assert_eq!(cents.len(), 2, "{line}");
            sum += whole.parse::<u64>().unwrap() * 100 + cents.parse::<u64>().unwrap();
        }
        assert_eq!(sum, total_cents);
        // Transfers come in redemption order.
        let first = xml.find("<EndToEndId>HLN-R1</EndToEndId>").unwrap();
        let last = xml.find("<EndToEndId>HLN-R10000</EndToEndId>").unwrap();
        assert!(first < last);
        // One more is refused.
        let too_many: Vec<Payout> = (1..=10_001u64).map(|id| payout(id, 100, "Shop")).collect();
        assert_eq!(
            pain001(&header(), &municipality(), &too_many),
            Err(SettlementError::TooMany { count: 10_001, max: MAX_PAYOUTS })
        );
    }

    #[test]
    fn largest_amounts_are_written_exactly() {
        let payouts = [payout(1, MAX_TRANSFER.cents(), "Shop"), payout(2, 1, "Shop")];
        let xml = pain001(&header(), &municipality(), &payouts).unwrap();
        assert!(xml.contains("<InstdAmt Ccy=\"EUR\">999999999.99</InstdAmt>"));
        assert!(xml.contains("<InstdAmt Ccy=\"EUR\">0.01</InstdAmt>"));
        assert!(xml.contains("<CtrlSum>1000000000.00</CtrlSum>"));
    }

    #[test]
    fn end_to_end_ids_are_unique_and_short() {
        let ids: std::collections::BTreeSet<String> = (0..100_000).map(|id| end_to_end_id(RedemptionId(id))).collect();
        assert_eq!(ids.len(), 100_000);
        let longest = end_to_end_id(RedemptionId(u64::MAX));
        assert_eq!(longest, "HLN-R18446744073709551615");
        assert!(longest.len() <= 35);
        // Within the payout reference charset and free of '/', so every bank accepts it.
        assert!(PayoutRef::new(&longest).is_ok());
        assert!(remittance(RedemptionId(u64::MAX)).len() <= MAX_REMITTANCE_CHARS);
    }

    #[test]
    fn names_are_transliterated_to_the_sepa_set() {
        for (given, expected) in [
            ("Bäckerei Müller", "Backerei Muller"),
            ("Crêperie Zoë", "Creperie Zoe"),
            ("Straße", "Strasse"),
            ("STRASSE ẞ", "STRASSE SS"),
            ("Ærø Œuvre", "AEro OEuvre"),
            ("Łódź Ĳssalon", "Lodz IJssalon"),
            ("İstanbul Döner", "Istanbul Doner"),
            ("Jansen & Zn.", "Jansen + Zn."),
            ("Bakker’s — Brood", "Bakker's - Brood"),
            ("Cafe\u{301} de\u{a0}Markt", "Cafe de Markt"),
            ("<b>\"Shop\"</b> @home #1 ; €5", "b Shop /b home 1 5"),
            ("  Line\nbreak\ttab  ", "Line break tab"),
            ("东京 Sushi", "Sushi"),
            ("(Vof) A/B - C? D: E, F.", "(Vof) A/B - C? D: E, F."),
        ] {
            assert_eq!(sepa_name(given), expected, "{given}");
        }
        assert_eq!(sepa_name("东京"), "");
    }

    #[test]
    fn names_are_cut_to_70_characters() {
        let long = format!("{} {}", "a".repeat(69), "bcdef");
        assert_eq!(sepa_name(&long), "a".repeat(69));
        assert_eq!(sepa_name(&"é".repeat(100)), "e".repeat(70));
        assert_eq!(sepa_name(&"ß".repeat(50)).len(), 70);
    }

    #[test]
    fn xml_text_is_escaped() {
        let mut out = String::new();
        escape_xml(r#"a&b<c>d"e'f"#, &mut out);
        assert_eq!(out, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        // Nothing a shop can type breaks out of its element.
        let payouts = [payout(1, 100, "</Nm><Nm>x & 'y'\"")];
        let xml = pain001(&header(), &municipality(), &payouts).unwrap();
        assert!(xml.contains("<Nm>/Nm Nm x + &apos;y&apos;</Nm>"), "{xml}");
        assert_eq!(xml.matches("<Nm>").count(), 3);
    }

    #[test]
    fn csv_lists_every_payout_in_order() {
        let text = csv(&header(), &two_payouts());
        let bakery = AccountId([7; 32]).to_address();
        let cafe = AccountId([42; 32]).to_address();
        assert_eq!(
            text,
            format!(
                "{CSV_HEADER}\r\n\
                 HLN-2026-0001,HLN-R7,7,{bakery},Backerei Muller GmbH,DE89370400440532013000,COBADEFFXXX,87.05\r\n\
                 HLN-2026-0001,HLN-R42,42,{cafe},Cafe 't Pleintje + Zn.,NL44RABO0123456789,,12.50\r\n"
            )
        );
    }

    #[test]
    fn csv_quotes_and_guards_fields() {
        let field = |text: &str| {
            let mut out = String::new();
            push_csv_field(&mut out, text);
            out
        };
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("Jansen, Zn."), "\"Jansen, Zn.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+31 45"), "'+31 45");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field(""), "");
        // Names that survive the SEPA conversion with a leading sign are guarded in the file.
        let text = csv(&header(), &[payout(3, 500, "-Shop, \"the best\""), payout(4, 500, "+Plus")]);
        assert!(text.contains(",\"'-Shop, the best\",NL44RABO0123456789,,5.00\r\n"), "{text}");
        assert!(text.contains(",'+Plus,NL44RABO0123456789,,5.00\r\n"), "{text}");
    }

    #[test]
    fn digest_is_blake3_of_the_csv() {
        let (header, payouts) = (header(), two_payouts());
        assert_eq!(batch_digest(&header, &payouts), *blake3::hash(csv(&header, &payouts).as_bytes()).as_bytes());
        let mut changed = payouts.clone();
        changed[0].amount = Amount(1251);
        assert_ne!(batch_digest(&header, &payouts), batch_digest(&header, &changed));
    }

    #[test]
    fn refuses_empty_zero_duplicate_and_oversized() {
        let (header, debtor) = (header(), municipality());
        assert_eq!(pain001(&header, &debtor, &[]), Err(SettlementError::Empty));
        assert_eq!(
            pain001(&header, &debtor, &[payout(1, 100, "A"), payout(2, 0, "B")]),
            Err(SettlementError::ZeroAmount(RedemptionId(2)))
        );
        assert_eq!(
            pain001(&header, &debtor, &[payout(5, 100, "A"), payout(3, 100, "B"), payout(5, 200, "C")]),
            Err(SettlementError::DuplicateRedemption(RedemptionId(5)))
        );
        assert_eq!(
            pain001(&header, &debtor, &[payout(1, MAX_TRANSFER.cents() + 1, "A")]),
            Err(SettlementError::AmountTooLarge { redemption: RedemptionId(1), amount: Amount(100_000_000_000) })
        );
    }

    #[test]
    fn refuses_names_without_sepa_letters() {
        let (header, debtor) = (header(), municipality());
        assert_eq!(
            pain001(&header, &debtor, &[payout(9, 100, "东京 ?")]),
            Err(SettlementError::CreditorName { redemption: RedemptionId(9), name: "东京 ?".to_owned() })
        );
        let nameless = Debtor { name: "  ".to_owned(), ..debtor };
        assert_eq!(
            pain001(&header, &nameless, &[payout(1, 100, "A")]),
            Err(SettlementError::DebtorName("  ".to_owned()))
        );
    }

    #[test]
    fn refuses_payout_refs_that_break_sepa_identifier_rules() {
        for reference in ["/HLN-1", "HLN-1/", "HLN//1"] {
            let header = BatchHeader { payout_ref: PayoutRef::new(reference).unwrap(), ..header() };
            assert_eq!(
                pain001(&header, &municipality(), &[payout(1, 100, "A")]),
                Err(SettlementError::PayoutRef(reference.to_owned()))
            );
        }
        let header = BatchHeader { payout_ref: PayoutRef::new("HLN/2026/11").unwrap(), ..header() };
        assert!(pain001(&header, &municipality(), &[payout(1, 100, "A")]).is_ok());
    }

    #[test]
    fn accepts_iso_8601_creation_times() {
        for created in [
            "2026-11-23T10:15:00",
            "2026-11-23T23:59:59.123",
            "2026-11-23T10:15:00Z",
            "2026-11-23T10:15:00+01:00",
            "2026-11-23T10:15:00.5-05:30",
        ] {
            let header = BatchHeader { created: created.to_owned(), ..header() };
            let xml = pain001(&header, &municipality(), &[payout(1, 100, "A")]);
            assert!(xml.is_ok_and(|xml| xml.contains(&format!("<CreDtTm>{created}</CreDtTm>"))), "{created}");
        }
    }

    #[test]
    fn refuses_bad_dates() {
        let refuse = |created: &str, execution: &str| {
            let header = BatchHeader { created: created.to_owned(), execution_date: execution.to_owned(), ..header() };
            pain001(&header, &municipality(), &[payout(1, 100, "A")]).unwrap_err()
        };
        for created in [
            "",
            "2026-11-23",
            "2026-11-23 10:15:00",
            "2026-11-23T10:15",
            "2026-11-23T24:00:00",
            "2026-11-23T10:60:00",
            "2026-11-23T10:15:60",
            "2026-11-31T10:15:00",
            "2026-13-01T10:15:00",
            "2026-11-23T10:15:00.",
            "2026-11-23T10:15:00+1",
            "2026-11-23T10:15:00+15:00",
            "2026-11-23T10:15:00ZZ",
            "26-11-23T10:15:00",
            "+026-11-23T10:15:00",
            "2026-11-23T1a:15:00",
        ] {
            assert_eq!(refuse(created, "2026-11-24"), SettlementError::Created(created.to_owned()), "{created:?}");
        }
        for execution in ["", "2026-11-31", "2027-02-29", "24-11-2026", "2026/11/24", "2026-11-24T00:00:00"] {
            assert_eq!(
                refuse("2026-11-23T10:15:00", execution),
                SettlementError::ExecutionDate(execution.to_owned()),
                "{execution:?}"
            );
        }
        assert_eq!(
            refuse("2026-11-23T10:15:00", "2026-11-22"),
            SettlementError::ExecutionBeforeCreation {
                execution: "2026-11-22".to_owned(),
                created: "2026-11-23".to_owned()
            }
        );
        assert!(matches!(refuse("2026-11-23T10:15:00", "2027-11-23"), SettlementError::ExecutionTooFar { .. }));
        // Same day, 364 days ahead and a leap day are fine.
        for (created, execution) in [
            ("2026-11-23T10:15:00", "2026-11-23"),
            ("2026-11-23T10:15:00", "2027-11-22"),
            ("2028-02-28T09:00:00", "2028-02-29"),
        ] {
            let header = BatchHeader { created: created.to_owned(), execution_date: execution.to_owned(), ..header() };
            assert!(pain001(&header, &municipality(), &[payout(1, 100, "A")]).is_ok(), "{execution}");
        }
    }

    #[test]
    fn error_messages_say_how_to_fix() {
        let message = SettlementError::TooMany { count: 10_001, max: MAX_PAYOUTS }.to_string();
        assert!(message.contains("split it into several batches"), "{message}");
        let message = SettlementError::Created("x".to_owned()).to_string();
        assert!(message.contains("2026-11-23T10:15:00"), "{message}");
    }
}
