//! Primitive ledger types: one type per unit (money, nonce, height, time, ids) and addresses.

use std::fmt;
use std::str::FromStr;

use bech32::{Bech32m, Hrp, primitives::decode::CheckedHrpstring};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::codec::{Decode, DecodeError, Encode, Reader, put_bytes};

/// An amount of Heerlen coins in integer cents. 1 coin = EUR 1 = 100 cents.
///
/// R-AMT-1: there is no `Add`; arithmetic is checked and overflow is a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub u64);

/// Why an amount string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    /// Empty input.
    #[error("amount is empty; write it in coins, for example 15.00")]
    Empty,
    /// A minus sign or other characters.
    #[error("amount {0:?} is not a number of coins; write it like 15 or 4.50")]
    NotANumber(String),
    /// More than two decimals.
    #[error("amount {0:?} has more than 2 decimals; coins have cents, like 4.50")]
    TooManyDecimals(String),
    /// Too large to represent.
    #[error("amount {0:?} is too large")]
    TooLarge(String),
}

impl Amount {
    /// Zero coins.
    pub const ZERO: Self = Self(0);

    /// An amount of whole coins.
    pub const fn coins(coins: u64) -> Self {
        Self(coins.saturating_mul(100))
    }

    /// The amount in cents.
    pub const fn cents(self) -> u64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self - other`, or `None` if it would go below zero.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// `self * factor`, or `None` on overflow.
    pub fn checked_mul(self, factor: u64) -> Option<Self> {
        self.0.checked_mul(factor).map(Self)
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    /// Parses coins as entered by a person: `15`, `15.0`, `4.50`. Never floats.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (text, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || (text.contains('.') && fraction.is_empty()) {
            return Err(AmountError::NotANumber(text.to_owned()));
        }
        if fraction.len() > 2 {
            return Err(AmountError::TooManyDecimals(text.to_owned()));
        }
        let too_large = || AmountError::TooLarge(text.to_owned());
        let whole: u64 = whole.parse().map_err(|_| too_large())?;
        let mut cents: u64 = 0;
        for (i, b) in fraction.bytes().enumerate() {
            let digit = u64::from(b - b'0');
            cents += if i == 0 { digit * 10 } else { digit };
        }
        whole.checked_mul(100).and_then(|c| c.checked_add(cents)).map(Self).ok_or_else(too_large)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

macro_rules! number_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                self.0.encode(out);
            }
        }

        impl Decode for $name {
            fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                u64::decode(reader).map(Self)
            }
        }
    };
}

number_type!(
    /// An account's transaction counter. The next transaction must carry exactly this value.
    Nonce
);
number_type!(
    /// A block height. Genesis is height 0; the first block is height 1.
    Height
);
number_type!(
    /// Block time in milliseconds since the Unix epoch, taken from the block header only.
    Timestamp
);
number_type!(
    /// A task, numbered by the ledger in posting order.
    TaskId
);
number_type!(
    /// A claim on one slot of a task, numbered by the ledger.
    ClaimId
);
number_type!(
    /// A redemption (payout obligation), numbered by the ledger and never reused.
    RedemptionId
);
number_type!(
    /// A council proposal, numbered by the ledger.
    ProposalId
);

impl Encode for Amount {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
}

impl Decode for Amount {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        u64::decode(reader).map(Self)
    }
}

impl Nonce {
    /// The nonce after this one.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).map(Self)
    }
}

impl Timestamp {
    /// R-CAP-2: the calendar year in the Netherlands of this block time. New Year always falls
    /// in winter time (CET, UTC+1), so the year starts at 23:00 UTC on 31 December.
    pub fn dutch_year(self) -> u16 {
        const HOUR_MS: u64 = 3_600_000;
        const DAY_MS: u64 = 86_400_000;
        let days = self.0.saturating_add(HOUR_MS) / DAY_MS;
        // Civil-from-days (proleptic Gregorian), integer only.
        let z = days.saturating_add(719_468);
        let era = z / 146_097;
        let day_of_era = z - era * 146_097;
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153; // 0 = March
        let year = year_of_era + era * 400 + u64::from(month_index >= 10);
        u16::try_from(year).unwrap_or(u16::MAX)
    }

    /// This time plus `ms`, saturating.
    pub fn plus_ms(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }
}

impl Height {
    /// The height after this one.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).map(Self)
    }
}

/// Why a hex value (a hash or a key) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HexError {
    /// Not hexadecimal.
    #[error("not a hex string; expected {0} characters 0-9a-f")]
    NotHex(usize),
    /// Wrong length.
    #[error("expected {expected} bytes ({} hex characters), got {got} bytes", expected.saturating_mul(2))]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes read.
        got: usize,
    },
}

/// Parses exactly `N` bytes written as `2N` hex characters.
fn hex_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let bytes = hex::decode(text.trim()).map_err(|_| HexError::NotHex(N.saturating_mul(2)))?;
    bytes.try_into().map_err(|v: Vec<u8>| HexError::Length { expected: N, got: v.len() })
}

/// A fixed number of bytes, written as lower-case hex in text and JSON and as the raw bytes in
/// the canonical encoding.
macro_rules! hex_type {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Lower-case hex.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// Parses exactly twice as many hex characters as there are bytes.
            pub fn from_hex(text: &str) -> Result<Self, HexError> {
                hex_array(text).map(Self)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = HexError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_hex(s)
            }
        }

        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.0);
            }
        }

        impl Decode for $name {
            fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                reader.array($what).map(Self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::from_hex(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_type!(
    /// A 32-byte blake3 digest.
    Hash, 32, "hash"
);
hex_type!(
    /// A client-chosen key that makes a redemption safe to retry (R-RED-3): 16 random bytes,
    /// shown as 32 hex characters. A merchant's second redemption with the same key burns
    /// nothing.
    IdempotencyKey, 16, "idempotency key"
);

impl Hash {
    /// The all-zero hash, used as the parent of the first block.
    pub const ZERO: Self = Self([0; 32]);
}

/// The human-readable prefix of every Heitje address.
pub const ADDRESS_HRP: &str = "heitje";

/// An account: the 32-byte ed25519 public key that signs for it. Pseudonymous by design.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub [u8; 32]);

/// Why an address could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    /// The checksum does not match: almost always a typo.
    #[error("address {0:?} has a bad checksum; check it for a typo")]
    Checksum(String),
    /// Not a bech32m string at all.
    #[error("{0:?} is not a Heitje address; addresses look like heitje1…")]
    Malformed(String),
    /// Another network's prefix.
    #[error("address {0:?} has prefix {1:?}; Heitje addresses start with heitje1")]
    WrongPrefix(String, String),
    /// Wrong payload length.
    #[error("address {0:?} holds {1} bytes, not the 32 of an account key")]
    WrongLength(String, usize),
}

impl AccountId {
    /// The bech32m address, `heitje1…`.
    pub fn to_address(&self) -> String {
        // The HRP is a valid constant and 32 bytes fit far below bech32's length limit.
        match Hrp::parse(ADDRESS_HRP) {
            Ok(hrp) => bech32::encode::<Bech32m>(hrp, &self.0).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Parses a `heitje1…` address, reporting typos caught by the checksum.
    pub fn from_address(text: &str) -> Result<Self, AddressError> {
        let text = text.trim();
        let checked = CheckedHrpstring::new::<Bech32m>(text).map_err(|err| match err {
            bech32::primitives::decode::CheckedHrpstringError::Checksum(_) => AddressError::Checksum(text.to_owned()),
            _ => AddressError::Malformed(text.to_owned()),
        })?;
        let hrp = checked.hrp().to_lowercase();
        if hrp != ADDRESS_HRP {
            return Err(AddressError::WrongPrefix(text.to_owned(), hrp));
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        let array: [u8; 32] =
            bytes.try_into().map_err(|v: Vec<u8>| AddressError::WrongLength(text.to_owned(), v.len()))?;
        Ok(Self(array))
    }

    /// A short form for tables: `heitje1abcd…wxyz`.
    pub fn short(&self) -> String {
        let full = self.to_address();
        let head: String = full.chars().take(11).collect();
        let tail: String = full.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        format!("{head}…{tail}")
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.short())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_address())
    }
}

impl FromStr for AccountId {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_address(s)
    }
}

impl Encode for AccountId {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
}

impl Decode for AccountId {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        reader.array("account id").map(Self)
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_address(&text).map_err(serde::de::Error::custom)
    }
}

/// Why a code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    /// Wrong length.
    #[error("{what} must be 1 to {max} characters, got {len}")]
    Length {
        /// Which kind of code.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Characters outside the allowed set.
    #[error("{what} {text:?} may only use {allowed}")]
    Charset {
        /// Which kind of code.
        what: &'static str,
        /// The text.
        text: String,
        /// The allowed characters.
        allowed: &'static str,
    },
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $allowed:literal, $check:expr) => {
        $(#[$doc])*
        ///
        /// R-PRIV-1: a code, never free text. Its charset and length are too narrow to carry a
        /// name, an address or a sentence about a person.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The longest code allowed.
            pub const MAX_LEN: usize = $max;

            /// Checks and wraps a code.
            pub fn new(text: &str) -> Result<Self, CodeError> {
                let len = text.len();
                if len == 0 || len > $max {
                    return Err(CodeError::Length { what: $what, len, max: $max });
                }
                let check: fn(u8) -> bool = $check;
                if !text.bytes().all(check) {
                    return Err(CodeError::Charset { what: $what, text: text.to_owned(), allowed: $allowed });
                }
                Ok(Self(text.to_owned()))
            }

            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                put_bytes(out, self.0.as_bytes());
            }
        }

        impl Decode for $name {
            fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let bytes = reader.bytes($what, $max)?;
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| DecodeError::Invalid { what: $what, reason: "not UTF-8" })?;
                Self::new(text).map_err(|_| DecodeError::Invalid { what: $what, reason: "outside the allowed charset" })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::new(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_type!(
    /// A budget's code, usually the neighbourhood: `grasbroek`.
    BudgetCode, "budget code", 32, "a-z, 0-9 and '-'",
    |b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
);
code_type!(
    /// A payout reference as used in a SEPA batch (EndToEndId): `HLN-2026-000123`.
    PayoutRef, "payout reference", 35, "A-Z, 0-9, '-', '/' and '.'",
    |b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'.'
);
code_type!(
    /// A shop's payment reference, an order or receipt number: `B-2026-0042`. R-SHOP-3: each
    /// shop's references are paid at most once.
    PaymentRef, "payment reference", 32, "A-Z, a-z, 0-9 and '-'",
    |b| b.is_ascii_alphanumeric() || b == b'-'
);
code_type!(
    /// The maintenance department's work-order reference that a task is additional to its
    /// regular work (anti-displacement, R-TASK-10): `BOR-2026-0142`.
    WorkOrderRef, "work-order reference", 24, "A-Z, 0-9, '-', '/' and '.'",
    |b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'.'
);
code_type!(
    /// A chain id: `heerlen-1`. Every transaction and signature carries it.
    ChainId, "chain id", 32, "a-z, 0-9 and '-'",
    |b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
);

/// A role an account can hold. Roles are granted and revoked by the council (R-GOV-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Member of the council: proposes and approves mints and role changes.
    Council,
    /// Moves treasury funds into budgets and settles redemptions.
    Treasurer,
    /// Enrolls residents.
    Registrar,
    /// Posts tasks from budgets.
    Officer,
    /// Approves or rejects submitted work.
    Verifier,
    /// A registered shop: accepts payments and redeems coins for euros.
    Merchant,
}

crate::codec_unit_enum!(Role {
    Council = 1,
    Treasurer = 2,
    Registrar = 3,
    Officer = 4,
    Verifier = 5,
    Merchant = 6,
});

impl Role {
    /// Every role, in a fixed order.
    pub const ALL: [Self; 6] =
        [Self::Council, Self::Treasurer, Self::Registrar, Self::Officer, Self::Verifier, Self::Merchant];

    /// The lower-case name used in the CLI and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Council => "council",
            Self::Treasurer => "treasurer",
            Self::Registrar => "registrar",
            Self::Officer => "officer",
            Self::Verifier => "verifier",
            Self::Merchant => "merchant",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Self::Council => 1,
            Self::Treasurer => 2,
            Self::Registrar => 4,
            Self::Officer => 8,
            Self::Verifier => 16,
            Self::Merchant => 32,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|role| role.name() == s.trim().to_lowercase()).ok_or_else(|| {
            format!("unknown role {s:?}; roles are council, treasurer, registrar, officer, verifier, merchant")
        })
    }
}

/// A set of roles, stored as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoleSet(u8);

impl RoleSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Whether `role` is in the set.
    pub const fn has(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The set with `role` added.
    pub const fn with(self, role: Role) -> Self {
        Self(self.0 | role.bit())
    }

    /// The set with `role` removed.
    pub const fn without(self, role: Role) -> Self {
        Self(self.0 & !role.bit())
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The roles in the set, in a fixed order.
    pub fn roles(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|role| self.has(*role)).collect()
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl Encode for RoleSet {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.0);
    }
}

impl Decode for RoleSet {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let bits = reader.u8("role set")?;
        if bits & !0b11_1111 != 0 {
            return Err(DecodeError::Invalid { what: "role set", reason: "unknown role bit" });
        }
        Ok(Self(bits))
    }
}

impl Serialize for RoleSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.roles().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RoleSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Role>::deserialize(deserializer)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_amt_2_amounts_parse_as_coins_with_at_most_two_decimals() {
        for (text, cents) in [("15", 1500), ("15.0", 1500), ("4.50", 450), ("0.01", 1), ("0", 0), (" 7.5 ", 750)] {
            assert_eq!(text.parse::<Amount>(), Ok(Amount(cents)), "{text}");
        }
        for bad in ["", "-1", "1.234", "1.", ".5", "abc", "1e3", "1,50", "+1", "99999999999999999999"] {
            assert!(bad.parse::<Amount>().is_err(), "{bad:?} must be refused");
        }
        assert!(matches!("1.234".parse::<Amount>(), Err(AmountError::TooManyDecimals(_))));
        assert!(matches!("184467440737095516.16".parse::<Amount>(), Err(AmountError::TooLarge(_))));
    }

    #[test]
    fn r_amt_1_amounts_display_as_coins() {
        assert_eq!(Amount(1500).to_string(), "15.00");
        assert_eq!(Amount(450).to_string(), "4.50");
        assert_eq!(Amount(7).to_string(), "0.07");
        assert_eq!(Amount(u64::MAX).to_string().parse::<Amount>(), Ok(Amount(u64::MAX)));
    }

    #[test]
    fn addresses_round_trip_and_typos_are_caught_by_the_checksum() {
        let account = AccountId([7; 32]);
        let address = account.to_address();
        assert!(address.starts_with("heitje1"));
        assert_eq!(AccountId::from_address(&address), Ok(account));
        // Change one data character: the checksum must catch it.
        let mut chars: Vec<char> = address.chars().collect();
        let i = 12;
        chars[i] = if chars[i] == 'q' { 'p' } else { 'q' };
        let typo: String = chars.into_iter().collect();
        assert!(matches!(AccountId::from_address(&typo), Err(AddressError::Checksum(_))));
        assert!(matches!(AccountId::from_address("hello"), Err(AddressError::Malformed(_))));
    }

    #[test]
    fn r_priv_1_codes_refuse_free_text() {
        assert!(BudgetCode::new("grasbroek").is_ok());
        assert!(BudgetCode::new("Jan de Vries").is_err());
        assert!(BudgetCode::new("").is_err());
        assert!(PayoutRef::new("HLN-2026-0001").is_ok());
        assert!(PayoutRef::new("paid to mrs. jansen").is_err());
    }

    #[test]
    fn role_sets_hold_exactly_their_roles() {
        let set: RoleSet = [Role::Council, Role::Merchant].into_iter().collect();
        assert!(set.has(Role::Council) && set.has(Role::Merchant) && !set.has(Role::Verifier));
        assert_eq!(set.without(Role::Council).roles(), vec![Role::Merchant]);
        assert_eq!(RoleSet::from_bytes(&set.to_bytes()), Ok(set));
        assert!(RoleSet::from_bytes(&[0x80]).is_err());
    }
}
