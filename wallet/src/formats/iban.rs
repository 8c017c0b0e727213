//! Bank account numbers for euro payouts: IBAN (ISO 13616) and BIC (ISO 9362), checked before
//! they reach a payment file.
//!
//! Both stay off the ledger (R-PRIV-1): the treasurer's own records supply them when a payout
//! batch is written.

use std::fmt;
use std::str::FromStr;

use iban::{ParseBaseIbanError, ParseIbanError};
use thiserror::Error;

/// The shortest IBAN any country uses (Norway).
pub const MIN_IBAN_LEN: usize = 15;
/// The longest IBAN ISO 13616 allows.
pub const MAX_IBAN_LEN: usize = 34;

/// Why an IBAN was refused. Each variant names the check that failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IbanError {
    /// Nothing but spaces.
    #[error("IBAN is empty; write it as on the bank statement, like NL91 ABNA 0417 1643 00")]
    Empty,
    /// A character that is neither a letter nor a digit.
    #[error("IBAN {iban:?} contains {character:?}; an IBAN has only letters and digits (spaces are ignored)")]
    Character {
        /// The IBAN as given.
        iban: String,
        /// The first offending character.
        character: char,
    },
    /// The first two characters are not letters.
    #[error("IBAN {0:?} does not start with a two-letter country code, like NL")]
    Country(String),
    /// The third and fourth characters are not digits.
    #[error("IBAN {0:?} needs two check digits after the country code, like NL91")]
    CheckDigits(String),
    /// Outside the 15 to 34 characters of any IBAN.
    #[error("IBAN {iban:?} has {length} characters; an IBAN has 15 to 34")]
    Length {
        /// The IBAN, electronic form.
        iban: String,
        /// Its length.
        length: usize,
    },
    /// The account part (BBAN) does not have its country's length and layout of letters and
    /// digits, as the SWIFT IBAN registry gives them.
    #[error(
        "IBAN {iban:?} does not have the length and layout of a {country} account number; check for a missing, \
         extra or mistyped character"
    )]
    Bban {
        /// The IBAN, electronic form.
        iban: String,
        /// Its country code.
        country: String,
    },
    /// The ISO 7064 mod-97 check fails.
    #[error("IBAN {0:?} checksum does not match: check for a typo")]
    Checksum(String),
}

/// An International Bank Account Number that passed the ISO 13616 checks (by `iban_validate`):
/// country code, length and account layout for the countries of the SWIFT registry, and the
/// mod-97 checksum.
///
/// Parse with [`str::parse`]; spaces and case do not matter. [`Iban::as_str`] is the electronic
/// form used in payment files (`NL91ABNA0417164300`); `Display` prints groups of four for people
/// (`NL91 ABNA 0417 1643 00`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Iban(String);

impl Iban {
    /// The electronic form: upper case, no spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code.
    pub fn country(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }
}

impl FromStr for Iban {
    type Err = IbanError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let iban: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if iban.is_empty() {
            return Err(IbanError::Empty);
        }
        if let Some(character) = iban.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(IbanError::Character { iban: input.trim().to_owned(), character });
        }
        // Only ASCII letters and digits from here on, so byte positions are character positions.
        let bytes = iban.as_bytes();
        if !bytes.iter().take(2).all(u8::is_ascii_uppercase) || bytes.len() < 2 {
            return Err(IbanError::Country(iban));
        }
        if !bytes.iter().skip(2).take(2).all(u8::is_ascii_digit) || bytes.len() < 4 {
            return Err(IbanError::CheckDigits(iban));
        }
        let length = iban.len();
        if !(MIN_IBAN_LEN..=MAX_IBAN_LEN).contains(&length) {
            return Err(IbanError::Length { iban, length });
        }
        // ISO 13616: check digits run from 02 to 98; 00, 01 and 99 never come out of the
        // computation even where mod 97 happens to give 1.
        if matches!(iban.get(2..4), Some("00" | "01" | "99")) {
            return Err(IbanError::Checksum(iban));
        }
        // The checksum, and the country's length and layout from the SWIFT registry. A country
        // the registry does not know passes on the generic checks.
        match iban.parse::<iban::Iban>() {
            Ok(_) | Err(ParseIbanError::UnknownCountry(_)) => {}
            Err(ParseIbanError::InvalidBban(_)) => {
                let country = iban.get(..2).unwrap_or_default().to_owned();
                return Err(IbanError::Bban { iban, country });
            }
            Err(ParseIbanError::InvalidBaseIban { source: ParseBaseIbanError::InvalidChecksum }) => {
                return Err(IbanError::Checksum(iban));
            }
            Err(ParseIbanError::InvalidBaseIban { source: ParseBaseIbanError::InvalidFormat }) => {
                return Err(IbanError::Length { iban, length });
            }
        }
        Ok(Self(iban))
    }
}

impl fmt::Display for Iban {
    /// Groups of four characters separated by spaces, the paper form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, group) in self.0.as_bytes().chunks(4).enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            // Groups are ASCII, checked on parsing.
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

/// Why a BIC was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BicError {
    /// Not 8 or 11 characters.
    #[error("BIC {bic:?} has {length} characters; a BIC has 8 or 11, like ABNANL2A or COBADEFFXXX")]
    Length {
        /// The BIC, without spaces.
        bic: String,
        /// Its length.
        length: usize,
    },
    /// Characters in the wrong places.
    #[error(
        "BIC {0:?} is not a BIC: it needs 4 letters or digits for the bank, 2 letters for the country, \
         2 letters or digits for the location and optionally 3 for the branch"
    )]
    Format(String),
}

/// A Business Identifier Code (ISO 9362) of a bank: 8 or 11 characters, as the ISO 20022
/// `BICFIDec2014Identifier` pattern `[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bic(String);

impl Bic {
    /// The BIC, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Bic {
    type Err = BicError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bic: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let length = bic.chars().count();
        if length != 8 && length != 11 {
            return Err(BicError::Length { bic, length });
        }
        let bytes = bic.as_bytes();
        let alphanumeric = |range: std::ops::Range<usize>| {
            bytes.get(range).is_some_and(|part| part.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        };
        let country = bytes.get(4..6).is_some_and(|part| part.iter().all(u8::is_ascii_uppercase));
        let branch = bytes.len() == 8 || alphanumeric(8..11);
        if !(alphanumeric(0..4) && country && alphanumeric(6..8) && branch) {
            return Err(BicError::Format(bic));
        }
        Ok(Self(bic))
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iban(text: &str) -> Result<Iban, IbanError> {
        text.parse()
    }

    #[test]
    fn known_valid_ibans_are_accepted() {
        for text in [
            "NL91ABNA0417164300",
            "DE89370400440532013000",
            "BE68539007547034",
            "GB82WEST12345698765432",
            "FR1420041010050500013M02606",
            "LU280019400644750000",
            "NL38BNGH0285012345",
            "NL44RABO0123456789",
        ] {
            assert_eq!(iban(text).map(|i| i.as_str().to_owned()), Ok(text.to_owned()), "{text}");
        }
    }

    #[test]
    fn spaces_and_case_do_not_matter() {
        let parsed = iban(" nl91 abna 0417\t1643 00 ");
        assert_eq!(parsed.as_ref().map(Iban::as_str), Ok("NL91ABNA0417164300"));
        assert_eq!(parsed.as_ref().map(Iban::country), Ok("NL"));
    }

    #[test]
    fn display_groups_by_four() {
        let shown = |text: &str| iban(text).map(|i| i.to_string());
        assert_eq!(shown("NL91ABNA0417164300"), Ok("NL91 ABNA 0417 1643 00".to_owned()));
        assert_eq!(shown("BE68539007547034"), Ok("BE68 5390 0754 7034".to_owned()));
        assert_eq!(shown("FR1420041010050500013M02606"), Ok("FR14 2004 1010 0505 0001 3M02 606".to_owned()));
    }

    #[test]
    fn a_typo_fails_the_checksum() {
        // One digit changed, and two neighbouring digits swapped.
        for text in ["NL91ABNA0417164301", "NL91ABNA0471164300", "DE89370400440532013001", "GB82WEST12345698765423"] {
            assert_eq!(iban(text), Err(IbanError::Checksum(text.to_owned())), "{text}");
        }
        let message = iban("NL91ABNA0417164301").map_err(|e| e.to_string());
        assert!(message.is_err_and(|m| m.contains("checksum does not match: check for a typo")));
    }

    #[test]
    fn check_digits_00_01_and_99_are_refused() {
        // 00 and 97 (and 01 and 98) leave the same remainder, so NL00… passes mod 97 exactly
        // when NL97… is valid: only the 02..=98 range of ISO 13616 catches it.
        assert!(iban("NL97ABNA0000000075").is_ok());
        assert_eq!(iban("NL00ABNA0000000075"), Err(IbanError::Checksum("NL00ABNA0000000075".to_owned())));
        assert!(iban("NL98ABNA0000000057").is_ok());
        assert_eq!(iban("NL01ABNA0000000057"), Err(IbanError::Checksum("NL01ABNA0000000057".to_owned())));
        assert!(matches!(iban("GB99WEST12345698765432"), Err(IbanError::Checksum(_))));
    }

    #[test]
    fn wrong_length_for_the_country() {
        // A missing or extra character breaks the checksum, or, where it happens to hold, the
        // country's length: either way the IBAN is refused.
        for text in [
            "NL91ABNA041716430",
            "BE6853900754703",
            "DE8937040044053201300",
            "FR1420041010050500013M0260",
            "LU28001940064475000",
        ] {
            assert!(matches!(iban(text), Err(IbanError::Checksum(_) | IbanError::Bban { .. })), "{text}");
        }
    }

    #[test]
    fn other_countries_get_the_generic_length_bounds() {
        assert!(matches!(iban("XX12345678901"), Err(IbanError::Length { length: 13, .. })));
        assert!(matches!(iban("NL91ABNA04"), Err(IbanError::Length { length: 10, .. })));
        assert!(matches!(iban(&format!("XX12{}", "1".repeat(31))), Err(IbanError::Length { length: 35, .. })));
        // A Turkish IBAN (not in the SEPA table) passes on the generic checks.
        assert!(iban("TR330006100519786457841326").is_ok());
    }

    #[test]
    fn bad_characters_country_and_check_digits() {
        assert_eq!(iban(""), Err(IbanError::Empty));
        assert_eq!(iban("   "), Err(IbanError::Empty));
        assert_eq!(
            iban("NL91-ABNA-0417-1643-00"),
            Err(IbanError::Character { iban: "NL91-ABNA-0417-1643-00".to_owned(), character: '-' })
        );
        assert!(matches!(iban("NL91ÄBNA0417164300"), Err(IbanError::Character { character: 'Ä', .. })));
        assert_eq!(iban("1291ABNA0417164300"), Err(IbanError::Country("1291ABNA0417164300".to_owned())));
        assert_eq!(iban("N"), Err(IbanError::Country("N".to_owned())));
        assert_eq!(iban("NLAXABNA0417164300"), Err(IbanError::CheckDigits("NLAXABNA0417164300".to_owned())));
        assert_eq!(iban("NL9"), Err(IbanError::CheckDigits("NL9".to_owned())));
    }

    #[test]
    fn account_layout_is_checked_for_registry_countries() {
        // NL97ABNA0000000075 is valid; the same digits with a bank code of digits keep a valid
        // checksum only by chance, so build one: NLkk1234… with its own check digits.
        let bban = "12340417164300";
        let numeric: String = format!("{bban}NL00").chars().map(|c| c.to_digit(36).unwrap_or(0).to_string()).collect();
        let remainder = numeric.bytes().fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
        let text = format!("NL{:02}{bban}", 98 - remainder);
        assert_eq!(iban(&text), Err(IbanError::Bban { iban: text.clone(), country: "NL".to_owned() }));
        let message = iban(&text).map_err(|e| e.to_string());
        assert!(message.is_err_and(|m| m.contains("length and layout of a NL account number")));
    }

    #[test]
    fn bics_of_8_and_11_characters() {
        let bic = |text: &str| text.parse::<Bic>();
        assert_eq!(bic("ABNANL2A").map(|b| b.to_string()), Ok("ABNANL2A".to_owned()));
        assert_eq!(bic("cobadeffxxx").map(|b| b.as_str().to_owned()), Ok("COBADEFFXXX".to_owned()));
        assert_eq!(bic("BNGH NL2G").map(|b| b.as_str().to_owned()), Ok("BNGHNL2G".to_owned()));
        assert_eq!(bic("ABNANL2"), Err(BicError::Length { bic: "ABNANL2".to_owned(), length: 7 }));
        assert!(matches!(bic("ABNANL2AXX"), Err(BicError::Length { length: 10, .. })));
        assert_eq!(bic("ABNA122A"), Err(BicError::Format("ABNA122A".to_owned())));
        assert!(matches!(bic("ABN-NL2A"), Err(BicError::Format(_))));
        assert!(matches!(bic("ABNANL2AX-X"), Err(BicError::Format(_))));
        assert!(matches!(bic("ÄBNANL2A"), Err(BicError::Format(_))));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn parsing_never_panics(text in "\\PC{0,40}") {
                let _ = text.parse::<Iban>();
                let _ = text.parse::<Bic>();
            }

            #[test]
            fn accepted_ibans_read_back_from_their_paper_form(text in "[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}") {
                if let Ok(parsed) = iban(&text) {
                    prop_assert_eq!(iban(&parsed.to_string()), Ok(parsed));
                }
            }
        }
    }
}
