//! The batch's creation time and execution date: real dates, in the right order, not too far apart.

use super::batch::{BatchHeader, MAX_DAYS_AHEAD, SettlementError};
use crate::formats::time::calendar_date;

/// Checks both dates are real and the execution date lies 0 to [`MAX_DAYS_AHEAD`] days after
/// the creation date.
pub(super) fn check_dates(header: &BatchHeader) -> Result<(), SettlementError> {
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

/// Reads exactly `YYYY-MM-DD` of a real day in the years 2000 to 9999, as a Julian day number.
fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = number(text.get(0..4)?)?;
    let month = number(text.get(5..7)?)?;
    let day = number(text.get(8..10)?)?;
    if !(2000..=9999).contains(&year) {
        return None;
    }
    let date = calendar_date(i64::from(year), u64::from(month), u64::from(day))?;
    Some(i64::from(date.to_julian_day()))
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
