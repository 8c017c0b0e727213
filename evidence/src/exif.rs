//! Just enough TIFF reading to tell whether an EXIF block holds a GPS position.

/// The IFD0 tag that points to the GPS IFD.
const GPS_IFD_POINTER: u16 = 0x8825;

/// Whether the TIFF structure in `tiff` (an EXIF payload after `Exif\0\0`, or a PNG eXIf chunk)
/// has a GPS IFD pointer in IFD0. Any malformation reads as "no GPS": the block is removed
/// either way, this only decides what the resident is told.
pub(crate) fn tiff_has_gps(tiff: &[u8]) -> bool {
    let big_endian = match tiff.get(0..2) {
        Some(b"MM") => true,
        Some(b"II") => false,
        _ => return false,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let bytes: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big_endian { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let bytes: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) })
    };
    let scan = || -> Option<bool> {
        if u16_at(2)? != 42 {
            return None;
        }
        let ifd = usize::try_from(u32_at(4)?).ok()?;
        let count = usize::from(u16_at(ifd)?);
        let first = ifd.checked_add(2)?;
        // Each entry is 12 bytes; stop at the end of the data rather than trusting `count`.
        for index in 0..count {
            let tag = u16_at(first.checked_add(index.checked_mul(12)?)?)?;
            if tag == GPS_IFD_POINTER {
                return Some(true);
            }
        }
        Some(false)
    };
    scan().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_gps_pointer_in_both_byte_orders() {
        let little = [b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0];
        let big = [b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0];
        assert!(tiff_has_gps(&little));
        assert!(tiff_has_gps(&big));
        assert!(!tiff_has_gps(&little[..11]));
        assert!(!tiff_has_gps(b"II*\0\xff\xff\xff\xff"));
    }
}
