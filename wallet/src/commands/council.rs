//! `heitje council`: propose and approve mints, role changes and the approval threshold, and list
//! proposals.

use clap::Subcommand;
use contracts::primitives::ProposalId;
use contracts::tx::{Approve, CouncilAction, Propose};
use contracts::{Action, Amount, Event, Role};
use serde_json::{Map, Value, json};

use crate::context::Context;
use crate::describe;
use crate::formats::time::format_utc;
use crate::output::Table;
use crate::submit::{self, begin, events, finality, report};

/// `heitje council …`.
#[derive(Debug, Subcommand)]
pub enum CouncilCommand {
    /// Propose a change; your proposal counts as your approval.
    #[command(subcommand)]
    Propose(ProposeCommand),

    /// Approve a proposal; at the threshold it executes.
    Approve {
        /// Proposal id.
        proposal: u64,
    },

    /// List proposals.
    Proposals,
}

/// `heitje council propose …`.
#[derive(Debug, Subcommand)]
pub enum ProposeCommand {
    /// Change the task-review rules; options left out keep their current value.
    TaskRules {
        /// Objection window in hours of block time.
        #[arg(long, value_name = "HOURS")]
        objection_window_hours: Option<u64>,
        /// Resubmission window in days.
        #[arg(long, value_name = "DAYS")]
        resubmit_days: Option<u64>,
        /// Annual earning cap per resident, in coins.
        #[arg(long, value_name = "COINS")]
        annual_cap: Option<Amount>,
        /// Largest share of one worker's reviews per verifier, in percent.
        #[arg(long, value_name = "PERCENT")]
        review_share: Option<u8>,
    },

    /// Mint new coins into the treasury.
    Mint {
        /// Coins to mint.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Give an account a role.
    Grant {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
        /// council, treasurer, registrar, officer, verifier or merchant.
        role: Role,
    },

    /// Take a role away from an account.
    Revoke {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
        /// council, treasurer, registrar, officer, verifier or merchant.
        role: Role,
    },

    /// Change how many council approvals a proposal needs.
    Threshold {
        /// Approvals needed.
        #[arg(value_parser = clap::value_parser!(u8).range(1..))]
        threshold: u8,
    },

    /// Add a validator. It votes from a few heights after approval (the same height on every
    /// node); its operator must also be added to the other validators' `[p2p] peers`.
    AddValidator {
        /// The validator's key as an address (`heitje-node` prints it; `GET /v1/status` shows
        /// it as `validator`).
        #[arg(value_name = "KEY")]
        key: String,
        /// Voting power.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        power: u64,
    },

    /// Remove a validator.
    RemoveValidator {
        /// The validator's key as an address.
        #[arg(value_name = "KEY")]
        key: String,
    },

    /// Replace a validator's key (a rotated or compromised key); the power stays.
    RotateValidator {
        /// The key in the set now.
        #[arg(value_name = "OLD_KEY")]
        old: String,
        /// The key that replaces it.
        #[arg(value_name = "NEW_KEY")]
        new: String,
    },

    /// Set the flat fee every redemption pays into the treasury (at most 100.00).
    RedemptionFee {
        /// The fee in coins, like 0.25.
        fee: Amount,
    },

    /// Set the smallest amount a shop may redeem (at most 10,000.00).
    RedemptionMinimum {
        /// The minimum in coins, like 5.00.
        min: Amount,
    },
}

/// Runs `heitje council …`.
pub(crate) fn run(ctx: &Context, command: CouncilCommand) -> anyhow::Result<()> {
    match command {
        CouncilCommand::Propose(propose) => self::propose(ctx, &propose),
        CouncilCommand::Approve { proposal } => approve(ctx, proposal),
        CouncilCommand::Proposals => proposals(ctx),
    }
}

/// `council propose …`.
pub(crate) fn propose(ctx: &Context, command: &ProposeCommand) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let action = match command {
        ProposeCommand::Mint { amount } => {
            if amount.is_zero() {
                anyhow::bail!("the amount to mint must be more than 0.00");
            }
            CouncilAction::Mint { amount: *amount }
        }
        ProposeCommand::Grant { target, role } => {
            CouncilAction::GrantRole { account: ctx.resolve(target)?, role: *role }
        }
        ProposeCommand::Revoke { target, role } => {
            CouncilAction::RevokeRole { account: ctx.resolve(target)?, role: *role }
        }
        ProposeCommand::Threshold { threshold } => CouncilAction::SetThreshold { threshold: *threshold },
        ProposeCommand::AddValidator { key, power } => {
            CouncilAction::AddValidator { key: ctx.resolve(key)?, power: *power }
        }
        ProposeCommand::RemoveValidator { key } => CouncilAction::RemoveValidator { key: ctx.resolve(key)? },
        ProposeCommand::RotateValidator { old, new } => {
            CouncilAction::RotateValidatorKey { old: ctx.resolve(old)?, new: ctx.resolve(new)? }
        }
        ProposeCommand::RedemptionFee { fee } => CouncilAction::SetRedemptionFee { fee: *fee },
        ProposeCommand::RedemptionMinimum { min } => CouncilAction::SetRedemptionMinimum { min: *min },
        ProposeCommand::TaskRules { objection_window_hours, resubmit_days, annual_cap, review_share } => {
            let now = ctx.client().params()?;
            let hours = |h: u64| h.checked_mul(3_600_000).ok_or_else(|| anyhow::anyhow!("{h} hours is too long"));
            let days = |d: u64| d.checked_mul(86_400_000).ok_or_else(|| anyhow::anyhow!("{d} days is too long"));
            CouncilAction::SetTaskRules {
                objection_window_ms: objection_window_hours.map(hours).transpose()?.unwrap_or(now.objection_window_ms),
                resubmit_window_ms: resubmit_days.map(days).transpose()?.unwrap_or(now.resubmit_window_ms),
                annual_cap: annual_cap.unwrap_or(now.annual_cap),
                max_review_share_pct: review_share.unwrap_or(now.max_review_share_pct),
            }
        }
    };
    let summary = format!("Propose to the council: {}", describe::council_action(&action));
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Propose(Propose { action: action.clone() })))?;
    let (headline, extra) = progress(events(&status), "PROPOSED", None);
    report(ctx, &status, headline.map(|h| format!("{h} {}", finality(&status))), extra)
}

/// `council approve PROPOSAL_ID`.
pub(crate) fn approve(ctx: &Context, proposal: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let proposal = ProposalId(proposal);
    let summary = format!("Approve council proposal {proposal}");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Approve(Approve { proposal })))?;
    let (headline, extra) = progress(events(&status), "APPROVED", Some(proposal));
    report(ctx, &status, headline.map(|h| format!("{h} {}", finality(&status))), extra)
}

/// `proposals` and `council proposals`.
pub(crate) fn proposals(ctx: &Context) -> anyhow::Result<()> {
    let proposals = ctx.client().proposals()?;
    ctx.out.result(&json!({ "proposals": proposals }), || {
        if proposals.is_empty() {
            return "No proposals.".to_owned();
        }
        let mut table = Table::new(&["ID", "PROPOSAL", "APPROVALS", "STATUS", "EXPIRES (UTC)", "PROPOSER"]);
        for proposal in &proposals {
            let status = match proposal.status {
                contracts::state::ProposalStatus::Executed => "executed",
                contracts::state::ProposalStatus::Open if proposal.expired => "expired",
                contracts::state::ProposalStatus::Open => "open",
            };
            table.row(vec![
                proposal.id.to_string(),
                describe::council_action(&proposal.action),
                format!("{}/{}", proposal.approvals.len(), proposal.threshold),
                status.to_owned(),
                format_utc(proposal.expires_at),
                proposal.proposer.short(),
            ]);
        }
        table.render()
    })?;
    Ok(())
}

/// The proposal id and approvals k/n from the events, and whether it executed.
fn progress(events: &[Event], verb: &str, known: Option<ProposalId>) -> (Option<String>, Map<String, Value>) {
    let mut id = known;
    let mut count = None;
    for event in events {
        match event {
            Event::ProposalCreated { proposal, .. } => id = Some(*proposal),
            Event::ProposalApproved { proposal, approvals, threshold, .. } => {
                id = Some(*proposal);
                count = Some((*approvals, *threshold));
            }
            _ => {}
        }
    }
    let executed = events.iter().any(|event| {
        matches!(
            event,
            Event::Minted { .. }
                | Event::RoleGranted { .. }
                | Event::RoleRevoked { .. }
                | Event::ThresholdSet { .. }
                | Event::ValidatorSetScheduled { .. }
        )
    });
    let Some(id) = id else {
        return (None, Map::new());
    };
    let mut headline = format!("{verb} proposal {id}");
    if let Some((approvals, threshold)) = count {
        headline.push_str(&format!(": {approvals}/{threshold} approvals"));
    }
    if executed {
        headline.push_str(", threshold reached and executed");
    }
    let mut extra = Map::new();
    extra.insert("proposal".to_owned(), json!(id));
    if let Some((approvals, threshold)) = count {
        extra.insert("approvals".to_owned(), json!(approvals));
        extra.insert("threshold".to_owned(), json!(threshold));
    }
    extra.insert("executed".to_owned(), json!(executed));
    (Some(headline), extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::{AccountId, Amount};

    #[test]
    fn the_proposal_id_and_approvals_come_from_the_events() {
        let who = AccountId([1; 32]);
        let events = [
            Event::ProposalCreated { proposal: ProposalId(7), proposer: who },
            Event::ProposalApproved { proposal: ProposalId(7), approver: who, approvals: 1, threshold: 3 },
        ];
        let (headline, extra) = progress(&events, "PROPOSED", None);
        assert_eq!(headline.as_deref(), Some("PROPOSED proposal 7: 1/3 approvals"));
        assert_eq!(extra.get("proposal"), Some(&json!(7)));
        assert_eq!(extra.get("executed"), Some(&json!(false)));

        let executed = [
            Event::ProposalApproved { proposal: ProposalId(7), approver: who, approvals: 3, threshold: 3 },
            Event::Minted { proposal: ProposalId(7), amount: Amount::coins(10) },
        ];
        let (headline, _) = progress(&executed, "APPROVED", Some(ProposalId(7)));
        assert_eq!(headline.as_deref(), Some("APPROVED proposal 7: 3/3 approvals, threshold reached and executed"));
    }
}
