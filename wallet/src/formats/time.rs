//! Civil time in UTC: block times for people, and task deadlines and days from what people type.
//! The calendar arithmetic is the `time` crate's; the accepted forms are read here.

use std::time::{SystemTime, UNIX_EPOCH};

use contracts::Timestamp;
use thiserror::Error;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

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

/// `YYYY-MM-DD HH:MM:SS` in UTC (times after the year 9999 as seconds since 1970).
pub fn format_utc(time: Timestamp) -> String {
    let seconds = time.0 / MS_PER_SECOND;
    match i64::try_from(seconds).ok().and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok()) {
        Some(at) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        ),
        None => format!("{seconds} s after 1970-01-01"),
    }
}

/// The calendar day `year-month-day`, if it exists (proleptic Gregorian).
pub fn calendar_date(year: i64, month: u64, day: u64) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// Milliseconds since the Unix epoch of `date` at `hour:minute:second` UTC.
fn unix_ms(date: Date, hour: u64, minute: u64, second: u64) -> Option<u64> {
    let clock =
        Time::from_hms(u8::try_from(hour).ok()?, u8::try_from(minute).ok()?, u8::try_from(second).ok()?).ok()?;
    let seconds = u64::try_from(PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp()).ok()?;
    seconds.checked_mul(MS_PER_SECOND)
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
        if !(1970..=9999).contains(&year) {
            return Err(no_such());
        }
        let date = calendar_date(year, month, day).ok_or_else(no_such)?;
        let (hour, minute, second) = match time {
            None => (23, 59, 59),
            Some(time) => {
                let (hour, minute) = parse_time(time).ok_or_else(format)?;
                (hour, minute, 0)
            }
        };
        unix_ms(date, hour, minute, second).ok_or_else(no_such)?
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
    let no_such = || DeadlineError::NoSuchDate(input.to_owned());
    if !(1970..=9999).contains(&year) {
        return Err(no_such());
    }
    let date = calendar_date(year, month, day).ok_or_else(no_such)?;
    unix_ms(date, 0, 0, 0).ok_or_else(no_such)
}

/// `YYYY-MM-DD` of a time (UTC).
pub fn format_day(time: Timestamp) -> String {
    format_utc(time).chars().take(10).collect()
}

/// Reads a duration like `90s`, `15m`, `2h` or `1d` (at most 30 days) into milliseconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let input = text.trim();
    let bad = || format!("duration {input:?} must be a whole number with s, m, h or d, like 90s, 15m or 2h");
    // The unit is one ASCII letter; anything else at the end (even a multi-byte character) is refused.
    let split = input.len().checked_sub(1).filter(|&at| input.is_char_boundary(at)).ok_or_else(bad)?;
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

    #[test]
    fn issue_11_a_duration_ending_in_a_multibyte_character_is_refused_not_a_panic() {
        // Found by the property test below: splitting off the unit cut the character in two.
        assert!(parse_duration("Ѩ").is_err());
        assert!(parse_duration("15Ѩ").is_err());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn readers_never_panic(text in "\\PC{0,40}", now in any::<u64>()) {
                let _ = parse_deadline(&text, now);
                let _ = parse_day(&text);
                let _ = parse_duration(&text);
            }

            #[test]
            fn readers_never_panic_on_date_like_text(text in "[+0-9T:dhms-]{0,20}", now in any::<u64>()) {
                let _ = parse_deadline(&text, now);
                let _ = parse_day(&text);
            }

            #[test]
            fn every_day_reads_back(days in 0u64..2_932_896) {
                let day = format_day(Timestamp(days * MS_PER_DAY));
                prop_assert_eq!(parse_day(&day), Ok(days * MS_PER_DAY));
            }
        }
    }
}
