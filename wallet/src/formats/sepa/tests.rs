//! Tests of the payout batch files: the XML, the CSV, the name conversion and the date checks.

use contracts::primitives::{PayoutRef, RedemptionId};
use contracts::{AccountId, Amount};

use super::*;
use crate::formats::iban::{Bic, Iban};

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
    assert_eq!(quick_xml::escape::escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
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
    assert_eq!(pain001(&header, &nameless, &[payout(1, 100, "A")]), Err(SettlementError::DebtorName("  ".to_owned())));
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

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_dates_are_checked_without_panicking(created in "\\PC{0,30}", execution in "[-0-9TZ:+.]{0,30}") {
            let header = BatchHeader { created, execution_date: execution, ..header() };
            let _ = pain001(&header, &municipality(), &two_payouts());
        }
    }
}
