//! The evidence policy (AVG/GDPR) as pure decisions: who may upload evidence for a claim, who
//! may read a record (R-EVI-3), when its owner may have it erased (R-EVI-2) and when its
//! retention runs out (R-EVI-1, R-PRIV-3). It reads nothing but its arguments; the node applies
//! it to its committed state and turns each decision into an answer.

use contracts::state::{Claim, ClaimStatus};
use contracts::{AccountId, Hash, Timestamp};

/// Live records one claim may hold at a time, so that a resident cannot fill every
/// validator's disk by uploading again and again.
pub const MAX_RECORDS_PER_CLAIM: usize = 4;
/// R-PRIV-3: a record is kept at most this far ahead of its sealing.
pub const MAX_RETENTION_MS: u64 = 730 * 86_400_000;

/// The status word of the API (`in_objection_window`).
pub const fn status_name(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Claimed => "claimed",
        ClaimStatus::Submitted => "submitted",
        ClaimStatus::InObjectionWindow => "in_objection_window",
        ClaimStatus::Rejected => "rejected",
        ClaimStatus::Cancelled => "cancelled",
        ClaimStatus::UnderReview => "under_review",
        ClaimStatus::Objected => "objected",
        ClaimStatus::Rewarded => "rewarded",
        ClaimStatus::Expired => "expired",
    }
}

/// Whether a rejected claim may still be resubmitted at `now`.
pub fn may_resubmit(claim: &Claim, now: Timestamp) -> bool {
    claim.status == ClaimStatus::Rejected
        && claim.submissions < 2
        && claim.resubmit_until.is_some_and(|until| now < until)
}

/// Why an upload for a claim is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadDenied {
    /// No such claim.
    UnknownClaim,
    /// The signer is not the claim's worker.
    NotYourClaim {
        /// The claim's worker.
        worker: AccountId,
    },
    /// The claim does not take evidence now.
    ClaimClosed {
        /// Its status word.
        status: &'static str,
    },
}

/// Whether `signer` may upload evidence for `claim` (`None`: no such claim) at `now`: the signer
/// is its worker and it takes evidence (claimed, or rejected with a resubmission right).
pub fn check_upload(signer: AccountId, claim: Option<&Claim>, now: Timestamp) -> Result<(), UploadDenied> {
    let claim = claim.ok_or(UploadDenied::UnknownClaim)?;
    if claim.worker != signer {
        return Err(UploadDenied::NotYourClaim { worker: claim.worker });
    }
    if claim.status != ClaimStatus::Claimed && !may_resubmit(claim, now) {
        return Err(UploadDenied::ClaimClosed { status: status_name(claim.status) });
    }
    Ok(())
}

/// Whether one more record fits beside the `held` live records of a claim.
pub const fn has_room(held: usize) -> bool {
    held < MAX_RECORDS_PER_CLAIM
}

/// Whether a retention date asked for at `now` is after now and at most [`MAX_RETENTION_MS`]
/// ahead.
pub fn retention_allowed(retain_until: Timestamp, now: Timestamp) -> bool {
    retain_until > now && retain_until <= now.plus_ms(MAX_RETENTION_MS)
}

/// Whether a replicated record sealed at `sealed_at` is still within its retention period at the
/// block time `block_time`, and its retention date is not beyond what R-PRIV-3 allows.
pub fn replica_in_retention(sealed_at: Timestamp, retain_until: Timestamp, block_time: Timestamp) -> bool {
    retain_until > block_time && retain_until <= sealed_at.plus_ms(MAX_RETENTION_MS)
}

/// The reader's staff roles in the committed state, as far as R-EVI-3 asks about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StaffRoles {
    /// Holds the verifier role.
    pub verifier: bool,
    /// Holds the officer role.
    pub officer: bool,
}

/// Why a reader may read a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The resident who submitted it.
    Owner,
    /// A drawn verifier or the officer who posted the task, reviewing the work.
    Review,
}

/// The record a read asks for: its commitment, its owner, and its claim (`None` if the chain
/// has no such claim) with the poster of the claim's task (`None` if unknown).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The commitment.
    pub commitment: Hash,
    /// The owner (the claim's worker when sealed).
    pub owner: AccountId,
    /// The claim on chain.
    pub claim: Option<&'a Claim>,
    /// Who posted the claim's task.
    pub poster: Option<AccountId>,
}

/// R-EVI-3: whether `reader` with `roles` may read `record`. A record is read only by its owner,
/// the verifiers drawn for the claim that references it and the officer who posted its task
/// (each still holding their role). `None` is a refusal.
pub fn access(reader: AccountId, roles: StaffRoles, record: Record<'_>) -> Option<Access> {
    if reader == record.owner {
        return Some(Access::Owner);
    }
    let staff = record.claim.filter(|claim| claim.evidence == Some(record.commitment)).is_some_and(|claim| {
        let drawn = claim.reviewers.contains(&reader) && roles.verifier;
        let poster = record.poster == Some(reader) && roles.officer;
        drawn || poster
    });
    staff.then_some(Access::Review)
}

/// Why a record is still needed and may not be erased on request yet (R-EVI-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// Rejected, and may be resubmitted until then: the verifiers compare a resubmission with it.
    Resubmittable {
        /// The end of the resubmission right.
        until: Timestamp,
    },
    /// Submitted or under review: the drawn verifiers need it.
    UnderReview,
    /// In its objection window until then: an objection is decided on it.
    ObjectionWindow {
        /// When the window closes.
        closes: Timestamp,
    },
    /// An objection awaits the officer's decision.
    Objected,
}

/// R-EVI-2: whether the owner may have the record `commitment` of `claim` (`None`: no such
/// claim) erased at `now`. Allowed once the claim is final (rewarded, expired, cancelled, or
/// rejected without a resubmission right), while it is only claimed, or when the claim does not
/// reference the record (never submitted, or superseded by a resubmission).
pub fn check_erasure(commitment: &Hash, claim: Option<&Claim>, now: Timestamp) -> Result<(), Needed> {
    let Some(claim) = claim else { return Ok(()) };
    if claim.evidence != Some(*commitment) {
        return Ok(());
    }
    match claim.status {
        ClaimStatus::Rewarded | ClaimStatus::Expired | ClaimStatus::Cancelled | ClaimStatus::Claimed => Ok(()),
        ClaimStatus::Rejected if !may_resubmit(claim, now) => Ok(()),
        ClaimStatus::Rejected => Err(Needed::Resubmittable { until: claim.resubmit_until.unwrap_or(now) }),
        ClaimStatus::Submitted | ClaimStatus::UnderReview => Err(Needed::UnderReview),
        ClaimStatus::InObjectionWindow => Err(Needed::ObjectionWindow { closes: claim.window_closes.unwrap_or(now) }),
        ClaimStatus::Objected => Err(Needed::Objected),
    }
}

/// R-EVI-1: whether the record `commitment` with header retention date `retain_until` is due for
/// erasure at the block time `block_time`. Its date is the earlier of the header's and its
/// claim's `retain_until` on chain (when the claim references this record); block time, not the
/// wall clock, so that all validators agree without talking.
pub fn retention_over(
    commitment: &Hash,
    retain_until: Timestamp,
    claim: Option<&Claim>,
    block_time: Timestamp,
) -> bool {
    let on_chain = claim.filter(|claim| claim.evidence == Some(*commitment)).and_then(|claim| claim.retain_until);
    let due = on_chain.map_or(retain_until, |chain| chain.min(retain_until));
    due <= block_time
}

#[cfg(test)]
mod tests {
    use contracts::primitives::TaskId;

    use super::*;

    const WORKER: AccountId = AccountId([1; 32]);
    const VERIFIER: AccountId = AccountId([2; 32]);
    const OFFICER: AccountId = AccountId([3; 32]);
    const STRANGER: AccountId = AccountId([4; 32]);
    const RECORD: Hash = Hash([7; 32]);

    fn claim(status: ClaimStatus) -> Claim {
        Claim {
            task: TaskId(1),
            worker: WORKER,
            status,
            evidence: Some(RECORD),
            retain_until: None,
            reason: None,
            claimed_at: Timestamp(0),
            submissions: 1,
            submitted_at: Some(Timestamp(10)),
            reviewers: vec![VERIFIER],
            votes: Vec::new(),
            window_closes: None,
            objection: None,
            resubmit_until: None,
            closed_at: None,
        }
    }

    fn record(claim: &Claim) -> Record<'_> {
        Record { commitment: RECORD, owner: WORKER, claim: Some(claim), poster: Some(OFFICER) }
    }

    const VERIFIER_ROLE: StaffRoles = StaffRoles { verifier: true, officer: false };
    const OFFICER_ROLE: StaffRoles = StaffRoles { verifier: false, officer: true };

    #[test]
    fn r_evi_3_the_owner_the_drawn_verifier_and_the_posting_officer_read() {
        let c = claim(ClaimStatus::UnderReview);
        assert_eq!(access(WORKER, StaffRoles::default(), record(&c)), Some(Access::Owner));
        assert_eq!(access(VERIFIER, VERIFIER_ROLE, record(&c)), Some(Access::Review));
        assert_eq!(access(OFFICER, OFFICER_ROLE, record(&c)), Some(Access::Review));
        assert_eq!(access(STRANGER, StaffRoles { verifier: true, officer: true }, record(&c)), None);
    }

    #[test]
    fn r_evi_3_staff_without_their_role_or_of_another_record_do_not_read() {
        let c = claim(ClaimStatus::UnderReview);
        assert_eq!(access(VERIFIER, StaffRoles::default(), record(&c)), None, "drawn, role revoked");
        assert_eq!(access(OFFICER, VERIFIER_ROLE, record(&c)), None, "poster without the officer role");
        let superseded = Claim { evidence: Some(Hash([8; 32])), ..c.clone() };
        assert_eq!(access(VERIFIER, VERIFIER_ROLE, record(&superseded)), None, "the claim cites another record");
        let gone = Record { claim: None, ..record(&c) };
        assert_eq!(access(VERIFIER, VERIFIER_ROLE, gone), None, "no claim on chain");
        assert_eq!(access(WORKER, StaffRoles::default(), gone), Some(Access::Owner));
    }

    #[test]
    fn r_evi_2_erasure_waits_while_the_work_is_decided() {
        let now = Timestamp(1_000);
        for status in [ClaimStatus::Rewarded, ClaimStatus::Expired, ClaimStatus::Cancelled, ClaimStatus::Claimed] {
            assert_eq!(check_erasure(&RECORD, Some(&claim(status)), now), Ok(()), "{status:?}");
        }
        for status in [ClaimStatus::Submitted, ClaimStatus::UnderReview] {
            assert_eq!(check_erasure(&RECORD, Some(&claim(status)), now), Err(Needed::UnderReview), "{status:?}");
        }
        let window = Claim { window_closes: Some(Timestamp(5_000)), ..claim(ClaimStatus::InObjectionWindow) };
        assert_eq!(
            check_erasure(&RECORD, Some(&window), now),
            Err(Needed::ObjectionWindow { closes: Timestamp(5_000) })
        );
        assert_eq!(check_erasure(&RECORD, Some(&claim(ClaimStatus::Objected)), now), Err(Needed::Objected));
    }

    #[test]
    fn r_evi_2_a_rejection_frees_the_record_once_it_cannot_be_resubmitted() {
        let resubmittable = Claim { resubmit_until: Some(Timestamp(2_000)), ..claim(ClaimStatus::Rejected) };
        assert_eq!(
            check_erasure(&RECORD, Some(&resubmittable), Timestamp(1_000)),
            Err(Needed::Resubmittable { until: Timestamp(2_000) })
        );
        assert_eq!(check_erasure(&RECORD, Some(&resubmittable), Timestamp(2_000)), Ok(()), "the right ran out");
        let twice = Claim { submissions: 2, ..resubmittable.clone() };
        assert_eq!(check_erasure(&RECORD, Some(&twice), Timestamp(1_000)), Ok(()), "no second resubmission");
        let other = Claim { evidence: Some(Hash([8; 32])), ..resubmittable };
        assert_eq!(check_erasure(&RECORD, Some(&other), Timestamp(1_000)), Ok(()), "superseded");
        assert_eq!(check_erasure(&RECORD, None, Timestamp(1_000)), Ok(()), "no claim");
    }

    #[test]
    fn uploads_go_to_the_worker_of_a_claim_that_takes_evidence() {
        let now = Timestamp(1_000);
        assert_eq!(check_upload(WORKER, Some(&claim(ClaimStatus::Claimed)), now), Ok(()));
        assert_eq!(check_upload(WORKER, None, now), Err(UploadDenied::UnknownClaim));
        assert_eq!(
            check_upload(STRANGER, Some(&claim(ClaimStatus::Claimed)), now),
            Err(UploadDenied::NotYourClaim { worker: WORKER })
        );
        assert_eq!(
            check_upload(WORKER, Some(&claim(ClaimStatus::InObjectionWindow)), now),
            Err(UploadDenied::ClaimClosed { status: "in_objection_window" })
        );
        let resubmittable = Claim { resubmit_until: Some(Timestamp(2_000)), ..claim(ClaimStatus::Rejected) };
        assert_eq!(check_upload(WORKER, Some(&resubmittable), now), Ok(()));
        assert!(has_room(MAX_RECORDS_PER_CLAIM - 1) && !has_room(MAX_RECORDS_PER_CLAIM));
    }

    #[test]
    fn r_priv_3_retention_is_after_now_and_at_most_two_years_ahead() {
        let now = Timestamp(1_000);
        assert!(!retention_allowed(now, now));
        assert!(retention_allowed(now.plus_ms(1), now));
        assert!(retention_allowed(now.plus_ms(MAX_RETENTION_MS), now));
        assert!(!retention_allowed(now.plus_ms(MAX_RETENTION_MS + 1), now));
        let sealed = Timestamp(500);
        assert!(replica_in_retention(sealed, Timestamp(2_000), now));
        assert!(!replica_in_retention(sealed, now, now), "due at the head");
        assert!(!replica_in_retention(sealed, sealed.plus_ms(MAX_RETENTION_MS + 1), now), "too far ahead");
    }

    #[test]
    fn r_evi_1_the_earlier_of_the_header_and_the_chain_date_counts() {
        let header = Timestamp(5_000);
        let chain = Claim { retain_until: Some(Timestamp(3_000)), ..claim(ClaimStatus::Rewarded) };
        assert!(!retention_over(&RECORD, header, None, Timestamp(4_999)));
        assert!(retention_over(&RECORD, header, None, header), "due at its date");
        assert!(retention_over(&RECORD, header, Some(&chain), Timestamp(3_000)), "the chain's date is earlier");
        let other = Claim { evidence: Some(Hash([8; 32])), ..chain };
        assert!(!retention_over(&RECORD, header, Some(&other), Timestamp(3_000)), "another record's date");
    }
}
