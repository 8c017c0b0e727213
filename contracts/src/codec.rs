//! The one canonical binary encoding: every byte that is hashed or signed comes from here.
//!
//! Rules (R-COD-1..5, see `docs/rules.md`):
//! - fields are written in declaration order, integers as fixed-width big-endian;
//! - `bool` is one byte, 0 or 1, anything else is refused;
//! - enums are one tag byte followed by the variant's fields;
//! - variable-length data carries a `u32` length prefix and a per-field cap;
//! - a top-level decode refuses leftover bytes.
//!
//! serde is used only for JSON at the edges, never for bytes that are hashed or signed.

use thiserror::Error;

/// Why bytes could not be decoded. Decoders never panic on outside input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The input ended before the value was complete.
    #[error("input ends early: {needed} more bytes needed while reading {what}")]
    UnexpectedEnd {
        /// Bytes still needed.
        needed: usize,
        /// What was being read.
        what: &'static str,
    },
    /// Bytes were left after a complete top-level value.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// An enum tag is not known.
    #[error("unknown tag {tag} for {what}")]
    UnknownTag {
        /// The tag read.
        tag: u8,
        /// The enum being read.
        what: &'static str,
    },
    /// A length prefix exceeds the field's cap.
    #[error("{what} is {len} long, above the limit of {max}")]
    TooLong {
        /// The field.
        what: &'static str,
        /// The length read.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A value is structurally well-formed but not allowed (bad bool, bad text, bad key).
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// A type with one canonical byte encoding.
pub trait Encode {
    /// Appends the canonical bytes of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// The canonical bytes of `self`.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// A type that can be read back from its canonical encoding.
pub trait Decode: Sized {
    /// Reads one value from the reader.
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes a complete value, refusing leftover bytes (R-COD-5).
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }
}

/// A cursor over input bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Takes exactly `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::UnexpectedEnd { needed: n - self.bytes.len(), what });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a length prefix and checks it against `max`.
    pub fn len(&mut self, what: &'static str, max: usize) -> Result<usize, DecodeError> {
        let len = u32::from_be_bytes(self.array::<4>(what)?) as usize;
        if len > max {
            return Err(DecodeError::TooLong { what, len, max });
        }
        Ok(len)
    }

    /// Reads length-prefixed bytes of at most `max` bytes.
    pub fn bytes(&mut self, what: &'static str, max: usize) -> Result<&'a [u8], DecodeError> {
        let len = self.len(what, max)?;
        self.take(len, what)
    }

    /// Reads a length-prefixed list of at most `max` items.
    pub fn list<T: Decode>(&mut self, what: &'static str, max: usize) -> Result<Vec<T>, DecodeError> {
        let len = self.len(what, max)?;
        // Never pre-allocate from an untrusted length beyond what the input could hold.
        let mut items = Vec::with_capacity(len.min(self.bytes.len()));
        for _ in 0..len {
            items.push(T::decode(self)?);
        }
        Ok(items)
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// Fails if any bytes are left.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() { Ok(()) } else { Err(DecodeError::TrailingBytes(self.bytes.len())) }
    }
}

/// Writes a length prefix. Callers cap their lengths far below `u32::MAX`.
pub fn put_len(out: &mut Vec<u8>, len: usize) {
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
}

/// Writes length-prefixed bytes.
pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Writes a length-prefixed list.
pub fn put_list<T: Encode>(out: &mut Vec<u8>, items: &[T]) {
    put_len(out, items.len());
    for item in items {
        item.encode(out);
    }
}

macro_rules! int_codec {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
        }
        impl Decode for $t {
            fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(<$t>::from_be_bytes(reader.array(stringify!($t))?))
            }
        }
    )*};
}
int_codec!(u8, u16, u32, u64);

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Decode for bool {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match reader.u8("bool")? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid { what: "bool", reason: "must be 0 or 1" }),
        }
    }
}

impl Encode for [u8; 32] {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl Decode for [u8; 32] {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        reader.array("32 bytes")
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.encode(out);
            }
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match reader.u8("option tag")? {
            0 => Ok(None),
            1 => Ok(Some(T::decode(reader)?)),
            tag => Err(DecodeError::UnknownTag { tag, what: "option" }),
        }
    }
}

/// Implements [`Encode`] and [`Decode`] for a struct by writing its fields in the listed order.
#[macro_export]
macro_rules! codec_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                $( $crate::codec::Encode::encode(&self.$field, out); )*
            }
        }
        impl $crate::codec::Decode for $name {
            fn decode(reader: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                Ok(Self { $( $field: $crate::codec::Decode::decode(reader)?, )* })
            }
        }
        $crate::described_struct!($name { $($field),* });
    };
}

/// Implements [`crate::schema::Described`] for a struct from its field list (R-PRIV-1).
#[macro_export]
macro_rules! described_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::schema::Described for $name {
            fn shape() -> $crate::schema::Shape {
                $crate::schema::Shape::Struct {
                    name: stringify!($name),
                    fields: vec![$( (stringify!($field), $crate::schema::shape_of(|s: &$name| &s.$field)) ),*],
                }
            }
        }
        impl $crate::schema::ListItem for $name {}
    };
}

/// Implements [`Encode`] and [`Decode`] for a field-less enum as one tag byte.
#[macro_export]
macro_rules! codec_unit_enum {
    ($name:ident { $($variant:ident = $tag:literal),* $(,)? }) => {
        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                out.push(match self { $( Self::$variant => $tag, )* });
            }
        }
        impl $crate::codec::Decode for $name {
            fn decode(reader: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                match reader.u8(stringify!($name))? {
                    $( $tag => Ok(Self::$variant), )*
                    tag => Err($crate::codec::DecodeError::UnknownTag { tag, what: stringify!($name) }),
                }
            }
        }
        impl $crate::schema::Described for $name {
            fn shape() -> $crate::schema::Shape {
                $crate::schema::Shape::Enum { name: stringify!($name), variants: vec![$( stringify!($variant) ),*] }
            }
        }
        impl $crate::schema::ListItem for $name {}
    };
}

/// Implements [`Encode`] and [`Decode`] for an enum whose variants each wrap one value.
#[macro_export]
macro_rules! codec_newtype_enum {
    ($name:ident { $($variant:ident = $tag:literal),* $(,)? }) => {
        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                match self { $( Self::$variant(inner) => { out.push($tag); $crate::codec::Encode::encode(inner, out); } )* }
            }
        }
        impl $crate::codec::Decode for $name {
            fn decode(reader: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                match reader.u8(stringify!($name))? {
                    $( $tag => Ok(Self::$variant($crate::codec::Decode::decode(reader)?)), )*
                    tag => Err($crate::codec::DecodeError::UnknownTag { tag, what: stringify!($name) }),
                }
            }
        }
        impl $crate::schema::Described for $name {
            fn shape() -> $crate::schema::Shape {
                $crate::schema::Shape::Variants {
                    name: stringify!($name),
                    variants: vec![$( (stringify!($variant), vec![("0", $crate::schema::shape_of_ctor(Self::$variant))]) ),*],
                }
            }
        }
        impl $crate::schema::ListItem for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_cod_5_trailing_bytes_are_refused() {
        assert_eq!(u32::from_bytes(&[0, 0, 0, 1, 9]), Err(DecodeError::TrailingBytes(1)));
        assert_eq!(u32::from_bytes(&[0, 0, 0, 1]), Ok(1));
    }

    #[test]
    fn r_cod_2_bool_must_be_zero_or_one() {
        assert_eq!(bool::from_bytes(&[1]), Ok(true));
        assert!(matches!(bool::from_bytes(&[2]), Err(DecodeError::Invalid { .. })));
    }

    #[test]
    fn r_cod_4_length_caps_hold_before_allocation() {
        let mut reader = Reader::new(&[0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(reader.bytes("blob", 16), Err(DecodeError::TooLong { len: 0xffff_ffff, .. })));
        let mut short = Reader::new(&[0, 0, 0, 8, 1, 2]);
        assert!(matches!(short.bytes("blob", 16), Err(DecodeError::UnexpectedEnd { needed: 6, .. })));
    }

    #[test]
    fn option_round_trips_and_rejects_bad_tags() {
        let some: Option<u16> = Some(7);
        assert_eq!(Option::<u16>::from_bytes(&some.to_bytes()), Ok(some));
        assert!(matches!(Option::<u16>::from_bytes(&[2]), Err(DecodeError::UnknownTag { .. })));
    }
}
