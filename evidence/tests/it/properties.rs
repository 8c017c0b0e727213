//! Properties: decoders of outside bytes never panic and always end, and stripping is
//! idempotent on whatever it accepts.

use evidence::{Bundle, RecordKey, Sealed, strip_photo};
use proptest::prelude::*;

use crate::fixtures::{PNG_SIGNATURE, jpeg_parts, png_file};

fn check_strip(bytes: &[u8]) {
    if let Ok(stripped) = strip_photo(bytes) {
        let again = strip_photo(stripped.bytes()).expect("stripped output strips again");
        assert_eq!(again.bytes(), stripped.bytes());
        assert!(again.removed().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2_048)) {
        check_strip(&bytes);
        let _ = Sealed::from_bytes(&bytes);
        let _ = RecordKey::from_bytes(&bytes);
        let _ = Bundle::from_canonical_bytes(&bytes);
    }

    #[test]
    fn random_bytes_behind_a_jpeg_or_png_start_never_panic(
        png in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..2_048),
    ) {
        let head: &[u8] = if png { &PNG_SIGNATURE } else { &[0xFF, 0xD8, 0xFF] };
        check_strip(&[head, &tail].concat());
    }

    #[test]
    fn damaged_photos_never_panic(
        png in any::<bool>(),
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut file = if png { png_file(0).0 } else { jpeg_parts(300).file() };
        for (at, value) in flips {
            let index = at.index(file.len());
            file[index] = value;
        }
        let end = cut.index(file.len() + 1);
        check_strip(&file[..end]);
    }
}
