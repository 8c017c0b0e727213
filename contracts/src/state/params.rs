//! Chain parameters: set in genesis, changed by the council, and the bounds the council must
//! keep them within.

use serde::{Deserialize, Serialize};

use crate::codec_struct;
use crate::error::Rejection;
use crate::primitives::Amount;

/// Highest redemption fee the council may set: 100.00 coins (R-RED-4).
pub const MAX_REDEMPTION_FEE: Amount = Amount(10_000);
/// Highest redemption minimum the council may set: 10,000.00 coins (R-RED-5).
pub const MAX_REDEMPTION_MIN: Amount = Amount(1_000_000);

/// Chain parameters, set in genesis and changed by the council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Council approvals a proposal needs.
    pub council_threshold: u8,
    /// How long a proposal stays open, in milliseconds of block time.
    pub proposal_ttl_ms: u64,
    /// R-RED-4: flat fee of every redemption, moved to the treasury; 0.00 unless set.
    #[serde(default)]
    pub redemption_fee: Amount,
    /// R-RED-5: smallest amount a merchant may redeem; 0.00 unless set.
    #[serde(default)]
    pub redemption_min: Amount,
    /// R-OBJ-1: how long an approval waits for objections before paying, in milliseconds of
    /// block time (48 hours unless set).
    #[serde(default = "Params::default_objection_window_ms")]
    pub objection_window_ms: u64,
    /// R-REV-6: how long a rejected worker may resubmit, in milliseconds (7 days unless set).
    #[serde(default = "Params::default_resubmit_window_ms")]
    pub resubmit_window_ms: u64,
    /// R-CAP-1: most rewards one resident may earn in a calendar year (1,500.00 unless set).
    #[serde(default = "Params::default_annual_cap")]
    pub annual_cap: Amount,
    /// R-REV-3: largest share, in percent, of one worker's verifier draws that one verifier
    /// may take (50 unless set).
    #[serde(default = "Params::default_review_share")]
    pub max_review_share_pct: u8,
}
codec_struct!(Params {
    council_threshold,
    proposal_ttl_ms,
    redemption_fee,
    redemption_min,
    objection_window_ms,
    resubmit_window_ms,
    annual_cap,
    max_review_share_pct
});

/// Longest objection window the council may set: 30 days (R-OBJ-1).
pub const MAX_OBJECTION_WINDOW_MS: u64 = 30 * 86_400_000;
/// Highest annual cap the council may set: 100,000.00 coins (R-CAP-1).
pub const MAX_ANNUAL_CAP: Amount = Amount(10_000_000);

impl Params {
    /// 48 hours.
    pub const fn default_objection_window_ms() -> u64 {
        48 * 3_600_000
    }

    /// 7 days.
    pub const fn default_resubmit_window_ms() -> u64 {
        7 * 86_400_000
    }

    /// EUR 1,500.
    pub const fn default_annual_cap() -> Amount {
        Amount(150_000)
    }

    /// 50 percent.
    pub const fn default_review_share() -> u8 {
        50
    }

    /// R-OBJ-1, R-CAP-1, R-REV-3: the task-review parameters are within bounds.
    pub fn check_task_rules(&self) -> Result<(), Rejection> {
        if self.objection_window_ms > MAX_OBJECTION_WINDOW_MS || self.resubmit_window_ms > MAX_OBJECTION_WINDOW_MS {
            return Err(Rejection::WindowTooLong { max_ms: MAX_OBJECTION_WINDOW_MS });
        }
        if self.annual_cap > MAX_ANNUAL_CAP {
            return Err(Rejection::AnnualCapTooHigh { cap: self.annual_cap, max: MAX_ANNUAL_CAP });
        }
        if self.max_review_share_pct == 0 || self.max_review_share_pct > 100 {
            return Err(Rejection::ReviewShareOutOfRange(self.max_review_share_pct));
        }
        Ok(())
    }

    /// R-RED-4: a redemption fee is at most [`MAX_REDEMPTION_FEE`].
    pub fn check_redemption_fee(fee: Amount) -> Result<(), Rejection> {
        if fee > MAX_REDEMPTION_FEE {
            return Err(Rejection::RedemptionFeeTooHigh { fee, max: MAX_REDEMPTION_FEE });
        }
        Ok(())
    }

    /// R-RED-5: a redemption minimum is at most [`MAX_REDEMPTION_MIN`].
    pub fn check_redemption_min(min: Amount) -> Result<(), Rejection> {
        if min > MAX_REDEMPTION_MIN {
            return Err(Rejection::RedemptionMinimumTooHigh { min, max: MAX_REDEMPTION_MIN });
        }
        Ok(())
    }
}
