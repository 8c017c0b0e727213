//! Council governance: k-of-n proposals for minting, roles, the threshold (R-GOV-*), the
//! validator set (R-VAL-*) and the redemption fee and minimum (R-RED-4/5).

use crate::error::Rejection;
use crate::primitives::Height;
use crate::primitives::{AccountId, ProposalId, Role, Timestamp};
use crate::receipt::Event;
use crate::state::{
    BlockContext, MAX_COUNCIL, MAX_VALIDATOR_POWER, MAX_VALIDATORS, MAX_VERIFIERS, Overlay, Params, Proposal,
    ProposalStatus, ScheduledSet, VALIDATOR_CHANGE_DELAY, ValidatorEntry, ValidatorSchedule,
};
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
    record_approval(view, ctx, id, proposal, signer, &mut events)?;
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
    record_approval(view, ctx, a.proposal, proposal, signer, &mut events)?;
    Ok(events)
}

fn record_approval(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
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
        events.extend(execute_action(view, ctx, id, &proposal.action)?);
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
        CouncilAction::AddValidator { .. }
        | CouncilAction::RemoveValidator { .. }
        | CouncilAction::RotateValidatorKey { .. } => {
            changed_set(&schedule(view)?, action)?;
        }
        CouncilAction::SetRedemptionFee { fee } => Params::check_redemption_fee(*fee)?,
        CouncilAction::SetRedemptionMinimum { min } => Params::check_redemption_min(*min)?,
        CouncilAction::SetTaskRules { .. } => task_rules(&g.params, action).check_task_rules()?,
    }
    Ok(())
}

/// The parameters with a `SetTaskRules` action applied.
fn task_rules(params: &Params, action: &CouncilAction) -> Params {
    let mut params = params.clone();
    if let CouncilAction::SetTaskRules { objection_window_ms, resubmit_window_ms, annual_cap, max_review_share_pct } =
        action
    {
        params.objection_window_ms = *objection_window_ms;
        params.resubmit_window_ms = *resubmit_window_ms;
        params.annual_cap = *annual_cap;
        params.max_review_share_pct = *max_review_share_pct;
    }
    params
}

/// R-REV-2: keeps the verifier pool equal to the accounts holding the verifier role.
fn update_pool(view: &mut Overlay<'_>, account: AccountId, member: bool) -> Result<(), Rejection> {
    let mut pool = view.verifiers();
    match (pool.members.binary_search(&account), member) {
        (Err(at), true) => {
            if pool.members.len() >= MAX_VERIFIERS {
                return Err(Rejection::VerifierPoolFull(MAX_VERIFIERS));
            }
            pool.members.insert(at, account);
        }
        (Ok(at), false) => {
            pool.members.remove(at);
        }
        _ => {}
    }
    view.put_verifiers(pool);
    Ok(())
}

fn schedule(view: &Overlay<'_>) -> Result<ValidatorSchedule, Rejection> {
    // The genesis state always holds the schedule; without one the set is empty.
    view.validators().ok_or(Rejection::ValidatorSetSize { size: 0, max: MAX_VALIDATORS })
}

/// R-VAL-3: the newest set (scheduled or in force) with `action` applied, in key order.
fn changed_set(schedule: &ValidatorSchedule, action: &CouncilAction) -> Result<Vec<ValidatorEntry>, Rejection> {
    let mut set = schedule.latest().to_vec();
    let position = |set: &[ValidatorEntry], key: &AccountId| set.iter().position(|v| v.key == *key);
    match action {
        CouncilAction::AddValidator { key, power } => {
            if position(&set, key).is_some() {
                return Err(Rejection::ValidatorInSet(*key));
            }
            if *power == 0 || *power > MAX_VALIDATOR_POWER {
                return Err(Rejection::ValidatorPower { power: *power, max: MAX_VALIDATOR_POWER });
            }
            set.push(ValidatorEntry { key: *key, power: *power });
        }
        CouncilAction::RemoveValidator { key } => {
            let at = position(&set, key).ok_or(Rejection::ValidatorNotInSet(*key))?;
            set.remove(at);
        }
        CouncilAction::RotateValidatorKey { old, new } => {
            let at = position(&set, old).ok_or(Rejection::ValidatorNotInSet(*old))?;
            if position(&set, new).is_some() {
                return Err(Rejection::ValidatorInSet(*new));
            }
            set[at].key = *new;
        }
        CouncilAction::Mint { .. }
        | CouncilAction::GrantRole { .. }
        | CouncilAction::RevokeRole { .. }
        | CouncilAction::SetThreshold { .. }
        | CouncilAction::SetRedemptionFee { .. }
        | CouncilAction::SetRedemptionMinimum { .. }
        | CouncilAction::SetTaskRules { .. } => return Ok(set),
    }
    if set.is_empty() || set.len() > MAX_VALIDATORS {
        return Err(Rejection::ValidatorSetSize { size: set.len(), max: MAX_VALIDATORS });
    }
    set.sort();
    Ok(set)
}

/// R-VAL-2: schedules `set` to decide from `ctx.height + VALIDATOR_CHANGE_DELAY`, and drops sets
/// that no height from the next one on can use.
fn schedule_set(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ProposalId,
    set: Vec<ValidatorEntry>,
) -> Result<Event, Rejection> {
    let mut schedule = schedule(view)?;
    let next = Height(ctx.height.0.checked_add(1).ok_or(Rejection::Overflow)?);
    // Keep the set in force at the next height and everything after it.
    let in_force = schedule.sets.iter().rposition(|s| s.from <= next).unwrap_or(0);
    schedule.sets.drain(..in_force);
    let from = Height(ctx.height.0.checked_add(VALIDATOR_CHANGE_DELAY).ok_or(Rejection::Overflow)?);
    let size = u16::try_from(set.len()).map_err(|_| Rejection::Overflow)?;
    match schedule.sets.last_mut() {
        // A second change in the same block replaces the set scheduled by the first.
        Some(last) if last.from == from => last.validators = set,
        _ => schedule.sets.push(ScheduledSet { from, validators: set }),
    }
    view.put_validators(schedule);
    Ok(Event::ValidatorSetScheduled { proposal: id, from, size })
}

/// Runs an approved action. Checks run again: the state may have moved since the proposal.
fn execute_action(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    id: ProposalId,
    action: &CouncilAction,
) -> Result<Vec<Event>, Rejection> {
    check_action(view, action)?;
    if let CouncilAction::AddValidator { .. }
    | CouncilAction::RemoveValidator { .. }
    | CouncilAction::RotateValidatorKey { .. } = action
    {
        let set = changed_set(&schedule(view)?, action)?;
        return Ok(vec![schedule_set(view, ctx, id, set)?]);
    }
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
            if *role == Role::Verifier {
                update_pool(view, *account, true)?;
            }
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
            if *role == Role::Verifier {
                update_pool(view, *account, false)?;
            }
            if *role == Role::Council {
                g.council_size = g.council_size.saturating_sub(1);
            }
            Event::RoleRevoked { proposal: id, account: *account, role: *role }
        }
        CouncilAction::SetThreshold { threshold } => {
            g.params.council_threshold = *threshold;
            Event::ThresholdSet { proposal: id, threshold: *threshold }
        }
        CouncilAction::SetRedemptionFee { fee } => {
            g.params.redemption_fee = *fee;
            Event::RedemptionFeeSet { proposal: id, fee: *fee }
        }
        CouncilAction::SetRedemptionMinimum { min } => {
            g.params.redemption_min = *min;
            Event::RedemptionMinimumSet { proposal: id, min: *min }
        }
        CouncilAction::SetTaskRules { .. } => {
            g.params = task_rules(&g.params, action);
            Event::TaskRulesSet { proposal: id }
        }
        CouncilAction::AddValidator { .. }
        | CouncilAction::RemoveValidator { .. }
        | CouncilAction::RotateValidatorKey { .. } => return Ok(vec![]),
    };
    view.put_globals(g);
    Ok(vec![event])
}
