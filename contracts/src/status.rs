//! Where a record stands: the lifecycle states of tasks, claims, redemptions and proposals.
//!
//! They sit below both [`crate::state`], whose records carry them, and [`crate::error`], whose
//! [`Rejection::ClaimStatus`](crate::Rejection::ClaimStatus) names a claim's status, so neither
//! of those modules imports the other. Re-exported from [`crate::state`], the path to use.

use serde::{Deserialize, Serialize};

use crate::codec_unit_enum;

/// Where a task stands (R-TASK-1..11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Accepting claims until the deadline while slots remain.
    Open,
    /// Cancelled by its poster; unpaid escrow went back to the budget.
    Cancelled,
    /// Written by an officer but not published: no escrow, no claims.
    Draft,
    /// The deadline passed: escrow of free slots went back to the budget; claims under review
    /// finish.
    Expired,
}
codec_unit_enum!(TaskStatus { Open = 1, Cancelled = 2, Draft = 3, Expired = 4 });

/// Where a claim stands (R-TASK-3..9, R-REV-*, R-OBJ-*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Slot held; work not yet submitted.
    Claimed,
    /// Work submitted and verifiers drawn; no verdict yet.
    Submitted,
    /// Approved by k verifiers: the objection window is open; nothing is paid yet.
    InObjectionWindow,
    /// Rejected with reason codes. While `resubmit_until` is set the worker may submit once
    /// more; after that the slot is free.
    Rejected,
    /// The task was cancelled before this claim was paid.
    Cancelled,
    /// At least one verifier voted; k approvals are not reached and rejection is not certain.
    UnderReview,
    /// A verifier objected during the window; an officer decides.
    Objected,
    /// The window closed without a successful objection; the reward is paid.
    Rewarded,
    /// The deadline passed before the work was submitted.
    Expired,
}
codec_unit_enum!(ClaimStatus {
    Claimed = 1,
    Submitted = 2,
    InObjectionWindow = 3,
    Rejected = 4,
    Cancelled = 5,
    UnderReview = 6,
    Objected = 7,
    Rewarded = 8,
    Expired = 9,
});

impl ClaimStatus {
    /// Holds a slot and its escrow and may still be paid.
    pub const fn is_live(self) -> bool {
        matches!(self, Self::Claimed | Self::Submitted | Self::UnderReview | Self::InObjectionWindow | Self::Objected)
    }

    /// Waiting for a verifier's vote.
    pub const fn awaits_review(self) -> bool {
        matches!(self, Self::Submitted | Self::UnderReview)
    }
}

/// Where a redemption stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionStatus {
    /// Burned; euros not yet paid.
    Pending,
    /// Paid out; see the reference.
    Settled,
}
codec_unit_enum!(RedemptionStatus { Pending = 1, Settled = 2 });

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Collecting approvals.
    Open,
    /// Reached the threshold and executed.
    Executed,
}
codec_unit_enum!(ProposalStatus { Open = 1, Executed = 2 });
