//! R-PRIV-1: the shape of every on-chain type, so that a test can walk all of them and prove
//! that no field can hold free text or other personal data.
//!
//! Every type that is encoded into blocks, receipts or state describes itself as a [`Shape`].
//! The codec macros generate the description from the same field list they encode, so a field
//! added to the encoding is described too. Leaves are the allowed kinds (pseudonymous account
//! ids, amounts, codes with a narrow charset, hashes, times, counters and enumerations); `String`
//! and byte blobs describe themselves as [`Shape::Text`] and [`Shape::Bytes`], which
//! [`personal_data_paths`] reports.

/// What a field can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A pseudonymous account id (an ed25519 public key).
    Account,
    /// A number of cents.
    Amount,
    /// A 32-byte digest or a fixed-size random key (commitments, ids).
    Hash,
    /// A block time or a deadline.
    Time,
    /// A block height.
    Height,
    /// A transaction counter.
    Nonce,
    /// A ledger-assigned number (task, claim, redemption, proposal).
    Id,
    /// A small unsigned number (counts, thresholds, percentages, years).
    Count,
    /// A yes/no flag.
    Flag,
    /// An ed25519 signature.
    Signature,
    /// A code: at most `max_len` characters of a charset without spaces.
    Code {
        /// The code type.
        name: &'static str,
        /// Longest code.
        max_len: usize,
    },
    /// One of a fixed list of codes.
    Enum {
        /// The enum.
        name: &'static str,
        /// Its codes.
        variants: Vec<&'static str>,
    },
    /// Text rendered by the ledger itself from a code and its typed fields (a rejection
    /// message); never supplied by a user.
    Rendered(&'static str),
    /// Free text: never allowed on chain.
    Text,
    /// An opaque byte string: never allowed on chain.
    Bytes,
    /// Optional.
    Option(Box<Self>),
    /// A bounded list.
    List(Box<Self>),
    /// A struct and its fields.
    Struct {
        /// The type.
        name: &'static str,
        /// Fields in encoding order.
        fields: Vec<(&'static str, Self)>,
    },
    /// An enum whose variants carry data.
    Variants {
        /// The type.
        name: &'static str,
        /// Each variant with its fields (a newtype variant has one field named `0`).
        variants: Vec<(&'static str, Vec<(&'static str, Self)>)>,
    },
}

/// A type that can describe its on-chain shape.
pub trait Described {
    /// The shape.
    fn shape() -> Shape;
}

/// The shape of the field a projection points at (used by the macros to name field types).
pub fn shape_of<S, T: Described>(_: fn(&S) -> &T) -> Shape {
    T::shape()
}

/// The shape of a newtype variant's content, from its constructor.
pub fn shape_of_ctor<T: Described, E>(_: fn(T) -> E) -> Shape {
    T::shape()
}

/// Every path in `shape` that could hold personal data: free text or opaque bytes.
pub fn personal_data_paths(root: &str, shape: &Shape) -> Vec<String> {
    let mut found = Vec::new();
    walk(root, shape, &mut found);
    found
}

fn walk(path: &str, shape: &Shape, found: &mut Vec<String>) {
    match shape {
        Shape::Text | Shape::Bytes => found.push(format!("{path}: {shape:?}")),
        Shape::Option(inner) => walk(path, inner, found),
        Shape::List(inner) => walk(&format!("{path}[]"), inner, found),
        Shape::Struct { fields, .. } => {
            for (name, field) in fields {
                walk(&format!("{path}.{name}"), field, found);
            }
        }
        Shape::Variants { variants, .. } => {
            for (variant, fields) in variants {
                for (name, field) in fields {
                    walk(&format!("{path}::{variant}.{name}"), field, found);
                }
            }
        }
        Shape::Code { max_len, name } if *max_len > 35 => {
            found.push(format!("{path}: code {name} of up to {max_len} characters is long enough for a sentence"));
        }
        Shape::Account
        | Shape::Amount
        | Shape::Hash
        | Shape::Time
        | Shape::Height
        | Shape::Nonce
        | Shape::Id
        | Shape::Count
        | Shape::Flag
        | Shape::Signature
        | Shape::Code { .. }
        | Shape::Enum { .. }
        | Shape::Rendered(_) => {}
    }
}

macro_rules! leaf {
    ($shape:expr => $($t:ty),*) => {$(
        impl Described for $t {
            fn shape() -> Shape {
                $shape
            }
        }
    )*};
}

use crate::primitives::{
    AccountId, Amount, BudgetCode, ChainId, ClaimId, Hash, Height, IdempotencyKey, Nonce, PaymentRef, PayoutRef,
    ProposalId, RedemptionId, Role, RoleSet, TaskId, Timestamp, WorkOrderRef,
};

leaf!(Shape::Account => AccountId);
leaf!(Shape::Amount => Amount);
leaf!(Shape::Hash => Hash, IdempotencyKey);
leaf!(Shape::Time => Timestamp);
leaf!(Shape::Height => Height);
leaf!(Shape::Nonce => Nonce);
leaf!(Shape::Id => TaskId, ClaimId, RedemptionId, ProposalId);
leaf!(Shape::Count => u16, u32, u64);
leaf!(Shape::Flag => bool);
leaf!(Shape::Signature => crate::crypto::Signature);
leaf!(Shape::Text => String);
leaf!(Shape::Bytes => Vec<u8>, [u8; 32]);

/// A single byte is a small count; a list of them is caught as [`Shape::Bytes`] by its own impl.
impl Described for u8 {
    fn shape() -> Shape {
        Shape::Count
    }
}

macro_rules! code {
    ($($t:ident),*) => {$(
        impl Described for $t {
            fn shape() -> Shape {
                Shape::Code { name: stringify!($t), max_len: $t::MAX_LEN }
            }
        }
    )*};
}
code!(BudgetCode, PayoutRef, PaymentRef, ChainId, WorkOrderRef);

leaf!(Shape::List(Box::new(Role::shape())) => RoleSet);

impl ListItem for AccountId {}
impl ListItem for ClaimId {}
impl ListItem for RedemptionId {}

impl<T: Described> Described for Option<T> {
    fn shape() -> Shape {
        Shape::Option(Box::new(T::shape()))
    }
}

/// Lists of described items. `Vec<u8>` is described as bytes above, so this covers the rest
/// through a marker: every list element type except `u8` implements [`ListItem`].
pub trait ListItem: Described {}

impl<T: ListItem> Described for Vec<T> {
    fn shape() -> Shape {
        Shape::List(Box::new(T::shape()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Leaky {
        account: AccountId,
        note: String,
        blob: Vec<u8>,
    }

    impl Described for Leaky {
        fn shape() -> Shape {
            Shape::Struct {
                name: "Leaky",
                fields: vec![
                    ("account", shape_of(|s: &Self| &s.account)),
                    ("note", shape_of(|s: &Self| &s.note)),
                    ("blob", shape_of(|s: &Self| &s.blob)),
                ],
            }
        }
    }

    #[test]
    fn r_priv_1_a_text_or_byte_field_is_reported_and_an_account_is_not() {
        let found = personal_data_paths("Leaky", &Leaky::shape());
        assert_eq!(found, vec!["Leaky.note: Text".to_owned(), "Leaky.blob: Bytes".to_owned()]);
        let _ = Leaky { account: AccountId([0; 32]), note: String::new(), blob: Vec::new() };
    }
}
