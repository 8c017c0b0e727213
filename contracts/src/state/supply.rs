//! R-SUP-1: the supply figures of a state, summed over every entry, and the conservation check.

use serde::{Deserialize, Serialize};

use super::keyspace::Value;
use super::root::State;
use crate::status::RedemptionStatus;

impl State {
    /// The supply figures, summed over the whole state (R-SUP-1).
    pub fn supply(&self) -> Supply {
        let mut supply = Supply::default();
        if let Some(g) = self.globals() {
            supply.minted = u128::from(g.minted.0);
            supply.burned = u128::from(g.burned.0);
            supply.settled = u128::from(g.settled.0);
            supply.treasury = u128::from(g.treasury.0);
            supply.redemption_fees = u128::from(g.redemption_fees.0);
        }
        for (_, value) in self.entries() {
            match value {
                Value::Account(a) => supply.balances += u128::from(a.balance.0),
                Value::Budget(b) => supply.budgets += u128::from(b.balance.0),
                Value::Task(t) => supply.escrow += u128::from(t.escrow.0),
                Value::Redemption(r) => {
                    supply.fees_recorded += u128::from(r.fee.0);
                    if r.status == RedemptionStatus::Pending {
                        supply.pending_redemptions += u128::from(r.amount.0);
                    }
                }
                _ => {}
            }
        }
        supply
    }
}

/// Supply figures in cents, summed in 128 bits so a sum can never wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Supply {
    /// All coins ever minted.
    pub minted: u128,
    /// All coins ever burned.
    pub burned: u128,
    /// Burned coins whose payout is settled.
    pub settled: u128,
    /// Burned coins whose payout is pending, summed over redemptions.
    pub pending_redemptions: u128,
    /// The treasury.
    pub treasury: u128,
    /// All account balances.
    pub balances: u128,
    /// All budgets.
    pub budgets: u128,
    /// All task escrow.
    pub escrow: u128,
    /// Redemption fees the treasury received, by its own count (R-RED-4).
    pub redemption_fees: u128,
    /// Redemption fees recorded on the redemptions, summed.
    pub fees_recorded: u128,
}

impl Supply {
    /// Coins in circulation anywhere: treasury, budgets, escrow and balances.
    pub fn outstanding(&self) -> u128 {
        self.treasury + self.budgets + self.escrow + self.balances
    }

    /// R-SUP-1: minted − burned = outstanding, burned = settled + pending, and the fees the
    /// treasury received are the fees recorded on redemptions.
    pub fn is_conserved(&self) -> bool {
        self.minted.checked_sub(self.burned) == Some(self.outstanding())
            && self.burned == self.settled + self.pending_redemptions
            && self.redemption_fees == self.fees_recorded
    }
}
