//! `council …`: propose and approve mints, role changes and the approval threshold.

use contracts::primitives::ProposalId;
use contracts::tx::{Approve, CouncilAction, Propose};
use contracts::{Action, Event};
use serde_json::{Map, Value, json};

use crate::cli::ProposeCommand;
use crate::context::Context;
use crate::describe;
use crate::submit::{self, begin, events, finality, report};

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
