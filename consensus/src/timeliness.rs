//! Timely proposals: a validator votes for a freshly proposed block only if the block's time is
//! not ahead of its own clock by more than [`MAX_AHEAD_MS`] (issue 12; ADR 004).
//!
//! Block time drives objection windows, deadlines, payment-request expiry and evidence
//! retention, so a proposer with a fast clock (or a lying one, up to `u64::MAX`) must not be able
//! to move the chain's time. Every proposal is checked against the receiving validator's clock;
//! one from a clock too far ahead gets a nil prevote, the round fails, and the next proposer's
//! block is decided. The check is deliberately one-sided: a block dated in the past is harmless,
//! since the next honest proposer dates its block by its own clock again, so nothing accumulates.
//! Only live proposals that do not re-propose a locked block are checked; synced blocks carry a
//! commit certificate, and a re-proposed block was timely when it was first voted on (time only
//! moves on).

use contracts::Timestamp;

/// How far a proposal's time may be ahead of this validator's clock: clock precision (NTP keeps
/// honest clocks within tens of milliseconds) plus room for a proposer whose parent was itself
/// slightly ahead. A validator whose clock lags the others by more than this votes nil on their
/// proposals, and so counts against the one fault that 4 validators tolerate.
pub const MAX_AHEAD_MS: u64 = 2_000;

/// Why a proposal is not timely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the proposal is dated {ahead_ms} ms ahead of this validator's clock (at most {MAX_AHEAD_MS} ms is accepted); \
     if several proposers are refused, check this machine's clock (NTP)"
)]
pub struct TooEarly {
    /// How far ahead of the local clock the proposal is dated.
    pub ahead_ms: u64,
}

/// Checks a fresh proposal's `time` against this validator's clock `now`.
pub fn check(time: Timestamp, now: Timestamp) -> Result<(), TooEarly> {
    let ahead_ms = time.0.saturating_sub(now.0);
    if ahead_ms > MAX_AHEAD_MS { Err(TooEarly { ahead_ms }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_796_000_000_000);

    #[test]
    fn issue_12_a_clock_days_ahead_or_the_end_of_time_is_refused() {
        let two_days = 2 * 24 * 3_600 * 1_000;
        assert_eq!(check(Timestamp(NOW.0 + two_days), NOW), Err(TooEarly { ahead_ms: two_days }));
        assert_eq!(check(Timestamp(u64::MAX), NOW), Err(TooEarly { ahead_ms: u64::MAX - NOW.0 }));
        assert!(check(Timestamp(NOW.0 + MAX_AHEAD_MS + 1), NOW).is_err());
    }

    #[test]
    fn issue_12_small_drift_and_the_past_are_accepted() {
        assert_eq!(check(Timestamp(NOW.0 + MAX_AHEAD_MS), NOW), Ok(()));
        assert_eq!(check(NOW, NOW), Ok(()));
        assert_eq!(check(Timestamp(NOW.0 - 60_000), NOW), Ok(()), "a block from the past moves no deadline");
        assert_eq!(check(Timestamp(0), NOW), Ok(()));
    }
}
