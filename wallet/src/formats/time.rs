//! Civil time in UTC without a date library: block times for people, and task deadlines from
//! what people type. Uses Howard Hinnant's `days_from_civil` and `civil_from_days`.

use std::time::{SystemTime, UNIX_EPOCH};

use contracts::Timestamp;
use thiserror::Error;

const MS_PER_SECOND: u64 = 1000;
const MS_PER_DAY: u64 = 86_400_000;
/// Furthest `+Nd` deadline accepted: about 100 years.
const MAX_DAYS_AHEAD: u64 = 36_600;

/// Why a deadline could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeadlineError {
    /// Not one of the accepted forms.
    #[error(
        "deadline {0:?} is not understood; write YYYY-MM-DD (end of that day, UTC), \
         YYYY-MM-DDTHH:MM (UTC), or +N followed by d, h, m or s (days, hours, minutes or seconds from now)"
    )]
    Format(String),
    /// A date that does not exist, like 2026-02-30.
    #[error("deadline {0:?} is not a real date or time")]
    NoSuchDate(String),
    /// Not in the future.
    #[error("deadline {0:?} is not in the future")]
    Past(String),
}

/// Milliseconds since the Unix epoch now, by this computer's clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// `YYYY-MM-DD HH:MM:SS` in UTC.
pub fn format_utc(time: Timestamp) -> String {
    let seconds = time.0 / MS_PER_SECOND;
    let days = seconds / 86_400;
    let in_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(i64::try_from(days).unwrap_or(i64::MAX / 2));
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", in_day / 3600, in_day % 3600 / 60, in_day % 60)
}

/// Reads a deadline: `YYYY-MM-DD` (23:59:59 UTC that day), `YYYY-MM-DDTHH:MM` (UTC) or `+Nd`, `+Nh`, `+Nm`, `+Ns`
/// (N days after `now_ms`). It must lie after `now_ms`.
pub fn parse_deadline(text: &str, now_ms: u64) -> Result<Timestamp, DeadlineError> {
    let input = text.trim();
    let format = || DeadlineError::Format(input.to_owned());
    let no_such = || DeadlineError::NoSuchDate(input.to_owned());
    let at = if let Some(span) = input.strip_prefix('+') {
        // +Nd days, +Nh hours, +Nm minutes, +Ns seconds from now.
        let (count, unit_ms) = match span.as_bytes().last() {
            Some(b'd') => (&span[..span.len() - 1], MS_PER_DAY),
            Some(b'h') => (&span[..span.len() - 1], 3_600_000),
            Some(b'm') => (&span[..span.len() - 1], 60_000),
            Some(b's') => (&span[..span.len() - 1], 1_000),
            _ => return Err(format()),
        };
        if count.is_empty() || count.len() > 7 || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format());
        }
        let count: u64 = count.parse().map_err(|_| format())?;
        let ms = count.checked_mul(unit_ms).ok_or_else(no_such)?;
        if ms == 0 || ms > MAX_DAYS_AHEAD * MS_PER_DAY {
            return Err(no_such());
        }
        now_ms.checked_add(ms).ok_or_else(no_such)?
    } else {
        let bytes = input.as_bytes();
        let (date, time) = match bytes.len() {
            10 => (input, None),
            16 if matches!(bytes.get(10), Some(b'T' | b't' | b' ')) => {
                (input.get(..10).ok_or_else(format)?, Some(input.get(11..).ok_or_else(format)?))
            }
            _ => return Err(format()),
        };
        let (year, month, day) = parse_date(date).ok_or_else(format)?;
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(no_such());
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(no_such());
        }
        let (hour, minute, second) = match time {
            None => (23, 59, 59),
            Some(time) => {
                let (hour, minute) = parse_time(time).ok_or_else(format)?;
                if hour > 23 || minute > 59 {
                    return Err(no_such());
                }
                (hour, minute, 0)
            }
        };
        let days = u64::try_from(days_from_civil(year, month, day)).map_err(|_| no_such())?;
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
        seconds * MS_PER_SECOND
    };
    if at <= now_ms {
        return Err(DeadlineError::Past(input.to_owned()));
    }
    Ok(Timestamp(at))
}

/// The first millisecond of a day given as `YYYY-MM-DD` (UTC).
pub fn parse_day(text: &str) -> Result<u64, DeadlineError> {
    let input = text.trim();
    let (year, month, day) = parse_date(input).ok_or_else(|| DeadlineError::Format(input.to_owned()))?;
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(DeadlineError::NoSuchDate(input.to_owned()));
    }
    let days = u64::try_from(days_from_civil(year, month, day)).map_err(|_| DeadlineError::NoSuchDate(input.into()))?;
    Ok(days * 86_400 * MS_PER_SECOND)
}

/// `YYYY-MM-DD` of a time (UTC).
pub fn format_day(time: Timestamp) -> String {
    format_utc(time).chars().take(10).collect()
}

/// Reads a duration like `90s`, `15m`, `2h` or `1d` (at most 30 days) into milliseconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let input = text.trim();
    let bad = || format!("duration {input:?} must be a whole number with s, m, h or d, like 90s, 15m or 2h");
    let split = input.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = input.split_at(split);
    let number = digits(number).ok_or_else(bad)?;
    let unit_ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    let ms = number.checked_mul(unit_ms).ok_or_else(bad)?;
    if ms == 0 || ms > 30 * 86_400_000 {
        return Err(format!("duration {input:?} must be more than 0 and at most 30 days"));
    }
    Ok(ms)
}

fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_date(text: &str) -> Option<(i64, u64, u64)> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    Some((i64::try_from(digits(year)?).ok()?, digits(month)?, digits(day)?))
}

fn parse_time(text: &str) -> Option<(u64, u64)> {
    let (hour, minute) = text.split_once(':')?;
    if hour.len() != 2 || minute.len() != 2 {
        return None;
    }
    Some((digits(hour)?, digits(minute)?))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u64) -> u64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12, day 1..=31).
pub(crate) fn days_from_civil(year: i64, month: u64, day: u64) -> i64 {
    let month = i64::try_from(month).unwrap_or(1);
    let day = i64::try_from(day).unwrap_or(1);
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, u64::try_from(month).unwrap_or(1), u64::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 12:00:00 UTC.
    const NOW: u64 = 1_795_435_200_000;

    #[test]
    fn block_times_format_as_utc() {
        assert_eq!(format_utc(Timestamp(0)), "1970-01-01 00:00:00");
        assert_eq!(format_utc(Timestamp(NOW)), "2026-11-23 12:00:00");
        assert_eq!(format_utc(Timestamp(951_782_400_000)), "2000-02-29 00:00:00");
        assert_eq!(format_utc(Timestamp(4_102_444_799_999)), "2099-12-31 23:59:59");
        // Far future values do not panic.
        assert!(!format_utc(Timestamp(u64::MAX)).is_empty());
    }

    #[test]
    fn dates_round_trip_through_day_counts() {
        for days in (-800_000..800_000).step_by(997) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn deadlines_in_each_form() {
        assert_eq!(parse_deadline("2026-12-31", NOW).map(format_utc), Ok("2026-12-31 23:59:59".to_owned()));
        assert_eq!(parse_deadline("2026-12-01T18:30", NOW).map(format_utc), Ok("2026-12-01 18:30:00".to_owned()));
        assert_eq!(parse_deadline("+7d", NOW), Ok(Timestamp(NOW + 7 * MS_PER_DAY)));
        assert_eq!(parse_deadline("+2h", NOW), Ok(Timestamp(NOW + 7_200_000)));
        assert_eq!(parse_deadline("+90m", NOW), Ok(Timestamp(NOW + 5_400_000)));
        assert_eq!(parse_deadline("+30s", NOW), Ok(Timestamp(NOW + 30_000)));
        assert_eq!(parse_deadline("2028-02-29", NOW).map(format_utc), Ok("2028-02-29 23:59:59".to_owned()));
        // The end of today is still in the future at noon.
        assert!(parse_deadline("2026-11-23", NOW).is_ok());
    }

    #[test]
    fn bad_deadlines_are_explained() {
        for bad in [
            "",
            "tomorrow",
            "31-12-2026",
            "2026-1-5",
            "+d",
            "+7",
            "+-1d",
            "2026-12-31T1830",
            "+99999999d",
            "+5w",
            "+1.5h",
        ] {
            assert!(
                matches!(parse_deadline(bad, NOW), Err(DeadlineError::Format(_))),
                "{bad:?} must be a format error"
            );
        }
        for impossible in ["2027-02-29", "2026-13-01", "2026-04-31", "2026-12-01T24:00", "+0d", "+0s", "+999999d"] {
            assert!(
                matches!(parse_deadline(impossible, NOW), Err(DeadlineError::NoSuchDate(_))),
                "{impossible:?} must be refused as no such date"
            );
        }
        assert!(matches!(parse_deadline("2026-11-22", NOW), Err(DeadlineError::Past(_))));
        assert!(matches!(parse_deadline("2026-11-23T11:59", NOW), Err(DeadlineError::Past(_))));
    }
}
