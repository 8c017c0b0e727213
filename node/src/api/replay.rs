//! The replay guard of signed requests: the nonces this node accepted while their headers are
//! still within the validity window, so that a captured `Authorization` header is refused the
//! second time (issue 12).
//!
//! A nonce is remembered until its signed time plus `api::staff::MAX_SKEW_MS` has passed on
//! this node's clock; from then on the time check refuses the header anyway. The node's clock as
//! seen here never runs backwards (a step back of the wall clock would otherwise let a forgotten
//! nonce in again). The guard is bounded: at most [`Limits::per_reader`] nonces of one reader
//! and [`Limits::total`] in all. When full it refuses (503 `replay_guard_full`, or 429
//! `too_many_signed_requests` for one reader) rather than forget a nonce that is still valid.
//!
//! The guard is one small map behind a `std::sync::Mutex`, held for a few map operations and
//! never across an `.await`: a task with a channel would add a hop to every signed request for
//! no gain.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use api::staff::{MAX_SKEW_MS, NONCE_BYTES};
use contracts::{AccountId, Timestamp};

/// How many nonces the guard holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// In all.
    pub total: usize,
    /// Of one reader.
    pub per_reader: usize,
}

impl Default for Limits {
    /// 65,536 in all (about 1,000 signed requests a second over the 60 s window, a few MB), 256
    /// of one reader (4 a second, sustained).
    fn default() -> Self {
        Self { total: 65_536, per_reader: 256 }
    }
}

/// Why a signed request's nonce is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Seen before, within the window: a replay.
    Replayed,
    /// Older than the window by the guard's clock.
    Stale,
    /// The reader holds its whole share of the guard.
    ReaderFull,
    /// The guard is full.
    Full,
}

type Nonce = [u8; NONCE_BYTES];

#[derive(Debug, Default)]
struct Seen {
    /// The highest time this guard was asked at: its clock, which never runs backwards.
    clock: u64,
    /// (expiry, reader, nonce) for every nonce held, soonest first.
    by_expiry: BTreeSet<(u64, AccountId, Nonce)>,
    /// (reader, nonce) for every nonce held.
    held: BTreeSet<(AccountId, Nonce)>,
    /// How many nonces each reader holds.
    per_reader: BTreeMap<AccountId, usize>,
}

impl Seen {
    fn forget_expired(&mut self) {
        while let Some(&(expiry, reader, nonce)) = self.by_expiry.first() {
            if expiry > self.clock {
                break;
            }
            self.by_expiry.pop_first();
            self.held.remove(&(reader, nonce));
            if let Some(count) = self.per_reader.get_mut(&reader) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.per_reader.remove(&reader);
                }
            }
        }
    }
}

/// The nonces of accepted signed requests; cheap to clone (one shared guard per node).
#[derive(Debug, Clone)]
pub struct ReplayGuard {
    limits: Limits,
    seen: Arc<Mutex<Seen>>,
}

impl ReplayGuard {
    /// An empty guard holding at most `limits`.
    pub fn new(limits: Limits) -> Self {
        Self { limits, seen: Arc::new(Mutex::new(Seen::default())) }
    }

    /// Accepts `nonce` of `reader`, signed at `signed`, at this node's time `now`: remembers it
    /// until the window closes, or refuses it.
    pub fn admit(&self, reader: AccountId, nonce: Nonce, signed: Timestamp, now: Timestamp) -> Result<(), Refusal> {
        // A panic elsewhere while holding the lock leaves the sets consistent (each step below
        // is a whole insert or remove), so a poisoned guard is still a good guard.
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.clock = seen.clock.max(now.0);
        seen.forget_expired();
        let expiry = signed.0.saturating_add(MAX_SKEW_MS).saturating_add(1);
        if expiry <= seen.clock {
            return Err(Refusal::Stale);
        }
        if seen.held.contains(&(reader, nonce)) {
            return Err(Refusal::Replayed);
        }
        let mine = seen.per_reader.get(&reader).copied().unwrap_or(0);
        if mine >= self.limits.per_reader {
            return Err(Refusal::ReaderFull);
        }
        if seen.held.len() >= self.limits.total {
            return Err(Refusal::Full);
        }
        seen.held.insert((reader, nonce));
        seen.by_expiry.insert((expiry, reader, nonce));
        seen.per_reader.insert(reader, mine.saturating_add(1));
        Ok(())
    }

    /// How many nonces the guard holds now.
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).held.len()
    }

    /// Whether the guard holds no nonce.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(byte: u8) -> AccountId {
        contracts::crypto::account_of(&ed25519_dalek::SigningKey::from_bytes(&[byte; 32]))
    }

    #[test]
    fn issue_12_a_nonce_is_refused_until_its_window_closes_then_forgotten() {
        let guard = ReplayGuard::new(Limits::default());
        let (alice, bob) = (reader(1), reader(2));
        let t = Timestamp(1_000_000);
        assert_eq!(guard.admit(alice, [1; 16], t, t), Ok(()));
        assert_eq!(guard.admit(alice, [1; 16], t, Timestamp(t.0 + 5)), Err(Refusal::Replayed));
        assert_eq!(guard.admit(bob, [1; 16], t, t), Ok(()), "another reader's nonce is its own");
        assert_eq!(guard.admit(alice, [2; 16], t, t), Ok(()));
        assert_eq!(guard.len(), 3);
        // Past the window the header is stale, and the guard forgets it.
        let later = Timestamp(t.0 + MAX_SKEW_MS + 1);
        assert_eq!(guard.admit(alice, [1; 16], t, later), Err(Refusal::Stale));
        assert!(guard.is_empty());
        // The guard's clock never runs backwards: a step back of the wall clock does not let a
        // forgotten nonce in again.
        assert_eq!(guard.admit(alice, [1; 16], t, t), Err(Refusal::Stale));
    }

    #[test]
    fn issue_12_a_full_guard_refuses_rather_than_forgets() {
        let guard = ReplayGuard::new(Limits { total: 3, per_reader: 2 });
        let t = Timestamp(5_000_000);
        let (alice, bob) = (reader(1), reader(2));
        assert_eq!(guard.admit(alice, [1; 16], t, t), Ok(()));
        assert_eq!(guard.admit(alice, [2; 16], t, t), Ok(()));
        assert_eq!(guard.admit(alice, [3; 16], t, t), Err(Refusal::ReaderFull));
        assert_eq!(guard.admit(bob, [1; 16], t, t), Ok(()));
        assert_eq!(guard.admit(reader(3), [1; 16], t, t), Err(Refusal::Full));
        assert_eq!(guard.admit(alice, [1; 16], t, t), Err(Refusal::Replayed), "nothing was forgotten");
        // Once the window closes there is room again.
        let later = Timestamp(t.0 + MAX_SKEW_MS + 1);
        assert_eq!(guard.admit(reader(3), [1; 16], later, later), Ok(()));
    }
}
