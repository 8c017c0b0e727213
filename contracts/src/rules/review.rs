//! R-REV-2, R-REV-3: drawing the verifiers for a submission, deterministically from the pool.

use crate::crypto::HashKind;
use crate::error::Rejection;
use crate::primitives::{AccountId, ClaimId, Hash, Role};
use crate::state::{BlockContext, Claim, Overlay, Task};

use super::common::globals;

/// The draw score of `verifier` for a submission: a keyed hash of the parent block hash, the
/// claim and the submission number. Lowest scores are drawn.
pub fn draw_score(parent: &Hash, claim: ClaimId, submission: u8, verifier: &AccountId) -> Hash {
    let mut hasher = HashKind::VerifierDraw.hasher();
    hasher.update(&parent.0);
    hasher.update(&claim.0.to_be_bytes());
    hasher.update(&[submission]);
    hasher.update(&verifier.0);
    Hash(*hasher.finalize().as_bytes())
}

/// R-REV-3: how many of a worker's draws one verifier may take once this draw is counted:
/// `ceil(share% × (draws so far + n))`, at least 1.
pub fn pair_allowance(share_pct: u8, draws_so_far: u32, n: u8) -> u32 {
    let total = u64::from(draws_so_far) + u64::from(n);
    let allowed = (u64::from(share_pct) * total).div_ceil(100);
    u32::try_from(allowed.max(1)).unwrap_or(u32::MAX)
}

/// R-REV-2: draws `task.reviewers` verifiers for the claim's current submission. Never
/// eligible: the worker, the task's poster, anyone who ever claimed a slot of the task, an account
/// that lost the verifier role, and (R-REV-3) a verifier who already took their share of this
/// worker's draws. Records the draws for the share rule.
pub(super) fn draw(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ClaimId,
    claim: &Claim,
    task: &Task,
) -> Result<Vec<AccountId>, Rejection> {
    let share = globals(view)?.params.max_review_share_pct;
    let mut earner = view.earner(claim.worker).unwrap_or_default();
    let allowance = pair_allowance(share, earner.reviews, task.reviewers);
    let mut scored: Vec<(Hash, AccountId)> = view
        .verifiers()
        .members
        .into_iter()
        .filter(|v| *v != claim.worker && *v != task.poster && view.worked_on((claim.task, *v)).is_none())
        .filter(|v| view.account(*v).is_some_and(|a| a.roles.has(Role::Verifier)))
        .filter(|v| view.review_pair((claim.worker, *v)).unwrap_or(0) < allowance)
        .map(|v| (draw_score(&ctx.parent, id, claim.submissions, &v), v))
        .collect();
    let needed = usize::from(task.reviewers);
    if scored.len() < needed {
        return Err(Rejection::NotEnoughVerifiers {
            needed: task.reviewers,
            eligible: u32::try_from(scored.len()).unwrap_or(u32::MAX),
        });
    }
    scored.sort();
    let drawn: Vec<AccountId> = scored.into_iter().take(needed).map(|(_, v)| v).collect();
    for verifier in &drawn {
        let count = view.review_pair((claim.worker, *verifier)).unwrap_or(0);
        view.put_review_pair((claim.worker, *verifier), count.saturating_add(1));
        view.put_reviewed(claim.task, *verifier);
    }
    earner.reviews = earner.reviews.saturating_add(u32::from(task.reviewers));
    view.put_earner(claim.worker, earner);
    Ok(drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_rev_3_allowance_is_a_rounded_up_share_and_never_zero() {
        assert_eq!(pair_allowance(50, 0, 3), 2);
        assert_eq!(pair_allowance(50, 3, 3), 3);
        assert_eq!(pair_allowance(50, 0, 1), 1);
        assert_eq!(pair_allowance(1, 0, 1), 1);
        assert_eq!(pair_allowance(100, 10, 2), 12);
        assert_eq!(pair_allowance(34, 9, 3), 5);
    }

    #[test]
    fn r_rev_2_scores_depend_on_every_input() {
        let parent = Hash([1; 32]);
        let v = AccountId([2; 32]);
        let base = draw_score(&parent, ClaimId(1), 1, &v);
        assert_ne!(base, draw_score(&Hash([3; 32]), ClaimId(1), 1, &v));
        assert_ne!(base, draw_score(&parent, ClaimId(2), 1, &v));
        assert_ne!(base, draw_score(&parent, ClaimId(1), 2, &v));
        assert_ne!(base, draw_score(&parent, ClaimId(1), 1, &AccountId([4; 32])));
        assert_eq!(base, draw_score(&parent, ClaimId(1), 1, &v));
    }
}
