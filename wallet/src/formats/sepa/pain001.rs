//! The SEPA credit transfer initiation file (`pain.001.001.09`) of a payout batch, written with
//! `quick-xml`.

use contracts::Amount;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::batch::{
    BatchHeader, Debtor, MAX_PAYOUTS, MAX_TRANSFER, NAMESPACE, Payout, SettlementError, end_to_end_id, euros,
    remittance, sorted,
};
use super::dates::check_dates;
use super::latin::{has_alphanumeric, sepa_name};
use crate::formats::iban::Iban;

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
    xml.finish()
}
/// The payment file's writer, over `quick-xml`: two-space indentation, one element per line,
/// text always escaped. Writing to memory cannot fail; should it, the error is kept and
/// [`Xml::finish`] returns it.
struct Xml {
    writer: Writer<Vec<u8>>,
    error: Option<std::io::Error>,
}

impl Xml {
    fn new(capacity: usize) -> Self {
        let mut xml = Self { writer: Writer::new_with_indent(Vec::with_capacity(capacity), b' ', 2), error: None };
        let declaration = Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None));
        let document = Event::Start(BytesStart::new("Document").with_attributes([("xmlns", NAMESPACE)]));
        xml.event(declaration);
        xml.event(document);
        xml
    }

    fn event(&mut self, event: Event<'_>) {
        if let Err(err) = self.writer.write_event(event) {
            self.error.get_or_insert(err);
        }
    }

    fn open(&mut self, tag: &str) {
        self.event(Event::Start(BytesStart::new(tag)));
    }

    fn close(&mut self, tag: &str) {
        self.event(Event::End(BytesEnd::new(tag)));
    }

    fn leaf(&mut self, tag: &str, text: &str) {
        if let Err(err) = self.writer.create_element(tag).write_text_content(BytesText::new(text)) {
            self.error.get_or_insert(err);
        }
    }

    /// An amount in euros, the only currency of a SEPA credit transfer.
    fn amount(&mut self, tag: &str, euros: &str) {
        let element = self.writer.create_element(tag).with_attribute(("Ccy", "EUR"));
        if let Err(err) = element.write_text_content(BytesText::new(euros)) {
            self.error.get_or_insert(err);
        }
    }

    fn account(&mut self, tag: &str, iban: &Iban) {
        self.open(tag);
        self.open("Id");
        self.leaf("IBAN", iban.as_str());
        self.close("Id");
        self.close(tag);
    }

    fn finish(mut self) -> Result<String, SettlementError> {
        self.close("Document");
        if let Some(err) = self.error {
            return Err(SettlementError::Write(err.to_string()));
        }
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).map_err(|err| SettlementError::Write(err.to_string()))
    }
}
