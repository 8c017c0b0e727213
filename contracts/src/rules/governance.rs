//! Council governance: k-of-n proposals for minting, roles and the threshold (R-GOV-*).

use crate::error::Rejection;
use crate::primitives::{AccountId, ProposalId, Role, Timestamp};
use crate::receipt::Event;
use crate::state::{BlockContext, MAX_COUNCIL, Overlay, Proposal, ProposalStatus};
use crate::tx::{Approve, CouncilAction, Propose};

use super::common::{credit, globals, positive, require_role};

/// R-GOV-1: only council members propose; the proposal counts as the proposer's approval.
pub(super) fn apply_propose(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    p: &Propose,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Council)?;
    check_action(view, &p.action)?;
    let mut g = globals(view)?;
    let id = g.next_proposal;
    g.next_proposal = ProposalId(id.0.checked_add(1).ok_or(Rejection::Overflow)?);
    let expires_at = Timestamp(ctx.time.0.checked_add(g.params.proposal_ttl_ms).ok_or(Rejection::Overflow)?);
    view.put_globals(g);
    let proposal = Proposal {
        proposer: signer,
        action: p.action.clone(),
        approvals: vec![signer],
        status: ProposalStatus::Open,
        created_at: ctx.time,
        expires_at,
    };
    let mut events = vec![Event::ProposalCreated { proposal: id, proposer: signer }];
    record_approval(view, id, proposal, signer, &mut events)?;
    Ok(events)
}

/// R-GOV-2: another member approves; at the threshold the action executes in this transaction.
pub(super) fn apply_approve(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    signer: AccountId,
    a: &Approve,
) -> Result<Vec<Event>, Rejection> {
    require_role(view, signer, Role::Council)?;
    let mut proposal = view.proposal(a.proposal).ok_or(Rejection::UnknownProposal(a.proposal))?;
    if proposal.status == ProposalStatus::Executed {
        return Err(Rejection::ProposalExecuted(a.proposal));
    }
    if ctx.time > proposal.expires_at {
        return Err(Rejection::ProposalExpired(a.proposal));
    }
    if proposal.approvals.contains(&signer) {
        return Err(Rejection::AlreadyApproved(a.proposal));
    }
    // Approvals of members whose council role was revoked since no longer count.
    proposal.approvals.retain(|member| view.account(*member).is_some_and(|acc| acc.roles.has(Role::Council)));
    let mut events = Vec::new();
    record_approval(view, a.proposal, proposal, signer, &mut events)?;
    Ok(events)
}

fn record_approval(
    view: &mut Overlay<'_>,
    id: ProposalId,
    mut proposal: Proposal,
    approver: AccountId,
    events: &mut Vec<Event>,
) -> Result<(), Rejection> {
    if !proposal.approvals.contains(&approver) {
        proposal.approvals.push(approver);
    }
    proposal.approvals.sort();
    let threshold = globals(view)?.params.council_threshold;
    let approvals = u8::try_from(proposal.approvals.len()).unwrap_or(u8::MAX);
    events.push(Event::ProposalApproved { proposal: id, approver, approvals, threshold });
    if approvals >= threshold {
        events.extend(execute_action(view, id, &proposal.action)?);
        proposal.status = ProposalStatus::Executed;
    }
    view.put_proposal(id, proposal);
    Ok(())
}

fn check_action(view: &Overlay<'_>, action: &CouncilAction) -> Result<(), Rejection> {
    let g = globals(view)?;
    match action {
        CouncilAction::Mint { amount } => {
            positive(*amount)?;
            g.minted.checked_add(*amount).ok_or(Rejection::Overflow)?;
        }
        CouncilAction::GrantRole { account, role } => {
            if view.account(*account).is_some_and(|a| a.roles.has(*role)) {
                return Err(Rejection::RoleAlreadyHeld(*account, *role));
            }
            if *role == Role::Council && usize::from(g.council_size) >= MAX_COUNCIL {
                return Err(Rejection::CouncilFull(MAX_COUNCIL));
            }
        }
        CouncilAction::RevokeRole { account, role } => {
            if !view.account(*account).is_some_and(|a| a.roles.has(*role)) {
                return Err(Rejection::RoleNotHeld(*account, *role));
            }
            if *role == Role::Council {
                let members = usize::from(g.council_size).saturating_sub(1);
                if members < usize::from(g.params.council_threshold) {
                    return Err(Rejection::CouncilTooSmall { members, threshold: g.params.council_threshold });
                }
            }
        }
        CouncilAction::SetThreshold { threshold } => {
            // R-GOV-4: at least two signatures whenever the council has two members or more.
            let members = usize::from(g.council_size);
            let minimum = members.min(2);
            if usize::from(*threshold) < minimum.max(1) || usize::from(*threshold) > members {
                return Err(Rejection::ThresholdOutOfRange { threshold: *threshold, members });
            }
        }
    }
    Ok(())
}

/// Runs an approved action. Checks run again: the state may have moved since the proposal.
fn execute_action(view: &mut Overlay<'_>, id: ProposalId, action: &CouncilAction) -> Result<Vec<Event>, Rejection> {
    check_action(view, action)?;
    let mut g = globals(view)?;
    let event = match action {
        CouncilAction::Mint { amount } => {
            // R-SUP-2: minting is the only way coins come into existence, into the treasury.
            g.minted = credit(g.minted, *amount)?;
            g.treasury = credit(g.treasury, *amount)?;
            Event::Minted { proposal: id, amount: *amount }
        }
        CouncilAction::GrantRole { account, role } => {
            let mut acc = view.account(*account).unwrap_or_default();
            acc.roles = acc.roles.with(*role);
            view.put_account(*account, acc);
            let mut events = vec![Event::RoleGranted { proposal: id, account: *account, role: *role }];
            if *role == Role::Council {
                g.council_size = g.council_size.checked_add(1).ok_or(Rejection::Overflow)?;
                // R-GOV-4: a council that grows to two members needs two signatures from now on.
                if g.council_size >= 2 && g.params.council_threshold < 2 {
                    g.params.council_threshold = 2;
                    events.push(Event::ThresholdSet { proposal: id, threshold: 2 });
                }
            }
            view.put_globals(g);
            return Ok(events);
        }
        CouncilAction::RevokeRole { account, role } => {
            let mut acc = view.account(*account).ok_or(Rejection::RoleNotHeld(*account, *role))?;
            acc.roles = acc.roles.without(*role);
            view.put_account(*account, acc);
            if *role == Role::Council {
                g.council_size = g.council_size.saturating_sub(1);
            }
            Event::RoleRevoked { proposal: id, account: *account, role: *role }
        }
        CouncilAction::SetThreshold { threshold } => {
            g.params.council_threshold = *threshold;
            Event::ThresholdSet { proposal: id, threshold: *threshold }
        }
    };
    view.put_globals(g);
    Ok(vec![event])
}
