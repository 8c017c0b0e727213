//! Ledger facts and requests in words, amounts as coins.

use contracts::tx::CouncilAction;
use contracts::{AccountId, Action, Event, Outcome};

/// An event as a sentence.
pub(crate) fn event(event: &Event) -> String {
    match event {
        Event::Transferred { from, to, amount } => format!("{amount} moved from {from} to {to}"),
        Event::ProposalCreated { proposal, proposer } => {
            format!("proposal {proposal} created by {proposer}")
        }
        Event::ProposalApproved { proposal, approver, approvals, threshold } => {
            format!("proposal {proposal} approved by {approver} ({approvals}/{threshold} approvals)")
        }
        Event::Minted { proposal, amount } => {
            format!("{amount} minted into the treasury (proposal {proposal})")
        }
        Event::RoleGranted { proposal, account, role } => {
            format!("{account} now has the {role} role (proposal {proposal})")
        }
        Event::RoleRevoked { proposal, account, role } => {
            format!("{account} no longer has the {role} role (proposal {proposal})")
        }
        Event::ThresholdSet { proposal, threshold } => {
            format!("proposals now need {threshold} council approvals (proposal {proposal})")
        }
        Event::ValidatorSetScheduled { proposal, from, size } => {
            format!("a validator set of {size} decides from height {from} (proposal {proposal})")
        }
        Event::BudgetFunded { budget, amount } => {
            format!("budget {budget} funded with {amount} from the treasury")
        }
        Event::BudgetDefunded { budget, amount } => {
            format!("{amount} returned from budget {budget} to the treasury")
        }
        Event::Enrolled { account } => format!("{account} enrolled as a resident"),
        Event::Unenrolled { account } => format!("{account} is no longer enrolled"),
        Event::TaskPosted { task, poster, budget, escrow } => {
            format!("task {task} posted by {poster}; {escrow} from budget {budget} held in escrow")
        }
        Event::TaskClaimed { task, claim, worker } => {
            format!("{worker} claimed a slot of task {task} (claim {claim})")
        }
        Event::WorkSubmitted { claim, worker, evidence } => {
            format!("{worker} submitted work for claim {claim} (evidence {evidence})")
        }
        Event::WorkApproved { task, claim, worker, verifier, reward } => {
            format!(
                "claim {claim} on task {task} approved (last vote by {verifier}); {reward} held for {worker} until \
                 the objection window closes"
            )
        }
        Event::VoteCast { claim, verifier, reason } => match reason {
            None => format!("{verifier} approved claim {claim}"),
            Some(reason) => format!("{verifier} rejected claim {claim}: {}", reason.code()),
        },
        Event::WindowOpened { claim, worker, closes } => {
            format!(
                "objection window for claim {claim} of {worker} open until {}",
                crate::formats::time::format_utc(*closes)
            )
        }
        Event::ObjectionRaised { claim, by, reason } => format!("{by} objected to claim {claim}: {}", reason.code()),
        Event::ObjectionResolved { claim, by, upheld } => {
            format!("{by} {} the objection to claim {claim}", if *upheld { "upheld" } else { "dismissed" })
        }
        Event::TaskOpened { task, escrow } => format!("draft task {task} published; {escrow} held in escrow"),
        Event::RewardPaid { task, claim, worker, reward } => {
            format!("{reward} paid to {worker} for claim {claim} on task {task}")
        }
        Event::TaskExpired { task, budget, refund } => {
            format!("task {task} reached its deadline; {refund} returned to budget {budget}")
        }
        Event::ClaimClosed { claim, worker, refund } => {
            format!("claim {claim} of {worker} closed unpaid; {refund} returned to the budget")
        }
        Event::TaskRulesSet { proposal } => format!("task-review rules changed (proposal {proposal})"),
        Event::WorkRejected { task, claim, worker, verifier, reason } => {
            format!("claim {claim} of {worker} on task {task} rejected by {verifier}: {}", reason.code())
        }
        Event::TaskCancelled { task, budget, refund } => {
            format!("task {task} cancelled; {refund} returned to budget {budget}")
        }
        Event::Redeemed { redemption, merchant, amount } => {
            format!("{merchant} burned {amount} for a euro payout (redemption {redemption})")
        }
        Event::RedemptionSettled { redemption, merchant, amount, reference } => {
            format!("redemption {redemption} of {amount} to {merchant} paid out (reference {reference})")
        }
        Event::Paid { payer, merchant, amount, reference, till } => match till {
            Some(till) => format!("{payer} paid {amount} to shop {merchant} for {reference} (till {till})"),
            None => format!("{payer} paid {amount} to shop {merchant} for {reference}"),
        },
        Event::TillLinked { merchant, till } => format!("{till} linked as a till of shop {merchant}"),
        Event::TillUnlinked { merchant, till } => format!("{till} is no longer a till of shop {merchant}"),
        Event::RedemptionReplayed { redemption } => {
            format!("retry of redemption {redemption}; nothing burned again")
        }
        Event::RedemptionFeePaid { redemption, merchant, fee } => {
            format!("{merchant} paid a fee of {fee} to the treasury (redemption {redemption})")
        }
        Event::RedemptionFeeSet { proposal, fee } => {
            format!("redemptions now pay a fee of {fee} (proposal {proposal})")
        }
        Event::RedemptionMinimumSet { proposal, min } => {
            format!("redemptions must now be at least {min} (proposal {proposal})")
        }
    }
}

/// A council action as a phrase: "mint 1000.00 into the treasury".
pub(crate) fn council_action(action: &CouncilAction) -> String {
    match action {
        CouncilAction::Mint { amount } => format!("mint {amount} into the treasury"),
        CouncilAction::GrantRole { account, role } => format!("grant {role} to {account}"),
        CouncilAction::RevokeRole { account, role } => format!("revoke {role} from {account}"),
        CouncilAction::SetThreshold { threshold } => {
            format!("set the council threshold to {threshold}")
        }
        CouncilAction::AddValidator { key, power } => format!("add validator {key} with power {power}"),
        CouncilAction::RemoveValidator { key } => format!("remove validator {key}"),
        CouncilAction::RotateValidatorKey { old, new } => format!("replace validator key {old} by {new}"),
        CouncilAction::SetRedemptionFee { fee } => format!("set the redemption fee to {fee}"),
        CouncilAction::SetRedemptionMinimum { min } => format!("set the redemption minimum to {min}"),
        CouncilAction::SetTaskRules { objection_window_ms, resubmit_window_ms, annual_cap, max_review_share_pct } => {
            format!(
                "set the task rules: objection window {} h, resubmission window {} days, annual cap {annual_cap}, \
                 review share {max_review_share_pct}%",
                objection_window_ms / 3_600_000,
                resubmit_window_ms / 86_400_000
            )
        }
    }
}

/// A request as a short phrase, for history rows of rejected transactions.
pub(crate) fn action(action: &Action) -> String {
    match action {
        Action::Transfer(t) => format!("{} to {}", t.amount, t.recipient.short()),
        Action::Propose(p) => council_action(&p.action),
        Action::Approve(a) => format!("approve proposal {}", a.proposal),
        Action::FundBudget(f) => format!("{} into budget {}", f.amount, f.budget),
        Action::DefundBudget(d) => format!("{} out of budget {}", d.amount, d.budget),
        Action::Enroll(e) => format!("enroll {}", e.account.short()),
        Action::Unenroll(u) => format!("unenroll {}", u.account.short()),
        Action::PostTask(p) => {
            format!("{} slots × {} from budget {}", p.slots, p.reward, p.budget)
        }
        Action::ClaimTask(c) => format!("claim task {}", c.task),
        Action::SubmitWork(s) => format!("submit work for claim {}", s.claim),
        Action::ApproveWork(a) => format!("approve claim {}", a.claim),
        Action::RejectWork(r) => format!("reject claim {} ({})", r.claim, r.reason.code()),
        Action::CancelTask(c) => format!("cancel task {}", c.task),
        Action::Redeem(r) => format!("redeem {}", r.amount),
        Action::SettleRedemption(s) => {
            format!("settle redemption {} ({})", s.redemption, s.reference)
        }
        Action::SettleBatch(b) => format!("settle {} redemptions ({})", b.redemptions.len(), b.reference),
        Action::Pay(p) => format!("{} to shop {} for {}", p.amount, p.merchant.short(), p.reference),
        Action::LinkTill(l) => format!("link till {}", l.till.short()),
        Action::UnlinkTill(u) => format!("unlink till {}", u.till.short()),
        Action::OpenTask(o) => format!("open task {}", o.task),
        Action::ObjectToWork(o) => format!("object to claim {} ({})", o.claim, o.reason.code()),
        Action::ResolveObjection(r) => {
            format!("{} the objection to claim {}", if r.uphold { "uphold" } else { "dismiss" }, r.claim)
        }
    }
}

/// An event from one account's point of view, short enough for a table cell.
pub(crate) fn event_for(event: &Event, me: &AccountId) -> String {
    match event {
        Event::Transferred { from, to, amount } if from == me => {
            format!("-{amount} to {}", to.short())
        }
        Event::Transferred { from, to, amount } if to == me => {
            format!("+{amount} from {}", from.short())
        }
        Event::Transferred { from, to, amount } => {
            format!("{amount} {} → {}", from.short(), to.short())
        }
        Event::WorkApproved { claim, worker, reward, .. } if worker == me => {
            format!("claim {claim} approved: {reward} after the objection window")
        }
        Event::WorkApproved { claim, worker, reward, .. } => {
            format!("approved claim {claim}: {reward} for {}", worker.short())
        }
        Event::RewardPaid { claim, reward, .. } => format!("+{reward} reward (claim {claim})"),
        Event::VoteCast { claim, reason: None, .. } => format!("approve vote on claim {claim}"),
        Event::VoteCast { claim, reason: Some(reason), .. } => {
            format!("reject vote on claim {claim}: {}", reason.code())
        }
        Event::WindowOpened { claim, closes, .. } => {
            format!("claim {claim}: objection window until {}", crate::formats::time::format_utc(*closes))
        }
        Event::ObjectionRaised { claim, reason, .. } => format!("objection to claim {claim}: {}", reason.code()),
        Event::ObjectionResolved { claim, upheld, .. } => {
            format!("objection to claim {claim} {}", if *upheld { "upheld" } else { "dismissed" })
        }
        Event::TaskOpened { task, escrow } => format!("task {task} opened: {escrow} escrow"),
        Event::TaskExpired { task, refund, .. } => format!("task {task} expired, {refund} back"),
        Event::ClaimClosed { claim, refund, .. } => format!("claim {claim} closed, {refund} back"),
        Event::TaskRulesSet { .. } => "task rules changed".to_owned(),
        Event::WorkRejected { claim, reason, .. } => {
            format!("claim {claim} rejected: {}", reason.code())
        }
        Event::Redeemed { redemption, amount, .. } => {
            format!("-{amount} redeemed (redemption {redemption})")
        }
        Event::RedemptionSettled { redemption, amount, reference, .. } => {
            format!("redemption {redemption} of {amount} paid ({reference})")
        }
        Event::Paid { payer, merchant, amount, reference, .. } if payer == me => {
            format!("-{amount} to shop {} ({reference})", merchant.short())
        }
        Event::Paid { payer, merchant, amount, reference, .. } if merchant == me => {
            format!("+{amount} from {} ({reference})", payer.short())
        }
        Event::Paid { payer, merchant, amount, reference, .. } => {
            format!("{amount} {} → shop {} ({reference})", payer.short(), merchant.short())
        }
        Event::TillLinked { till, .. } => format!("till {} linked", till.short()),
        Event::TillUnlinked { till, .. } => format!("till {} unlinked", till.short()),
        Event::RedemptionReplayed { redemption } => format!("retry of redemption {redemption}, nothing burned"),
        Event::RedemptionFeePaid { redemption, fee, .. } => format!("-{fee} redemption fee (redemption {redemption})"),
        Event::RedemptionFeeSet { fee, .. } => format!("redemption fee {fee}"),
        Event::RedemptionMinimumSet { min, .. } => format!("redemption minimum {min}"),
        Event::TaskPosted { task, budget, escrow, .. } => {
            format!("task {task}: {escrow} escrow from {budget}")
        }
        Event::TaskClaimed { task, claim, .. } => format!("claim {claim} on task {task}"),
        Event::WorkSubmitted { claim, .. } => format!("work for claim {claim}"),
        Event::TaskCancelled { task, refund, .. } => format!("task {task} cancelled, {refund} back"),
        Event::ProposalCreated { proposal, .. } => format!("proposal {proposal}"),
        Event::ProposalApproved { proposal, approvals, threshold, .. } => {
            format!("proposal {proposal}: {approvals}/{threshold}")
        }
        Event::Minted { amount, .. } => format!("minted {amount}"),
        Event::RoleGranted { account, role, .. } => format!("{role} granted to {}", account.short()),
        Event::RoleRevoked { account, role, .. } => {
            format!("{role} revoked from {}", account.short())
        }
        Event::ThresholdSet { threshold, .. } => format!("threshold {threshold}"),
        Event::ValidatorSetScheduled { from, size, .. } => format!("{size} validators from height {from}"),
        Event::BudgetFunded { budget, amount } => format!("{budget} +{amount}"),
        Event::BudgetDefunded { budget, amount } => format!("{budget} -{amount}"),
        Event::Enrolled { account } => format!("enrolled {}", account.short()),
        Event::Unenrolled { account } => format!("unenrolled {}", account.short()),
    }
}

/// A history row's details and outcome cells.
pub(crate) fn outcome_cells(action_taken: &Action, outcome: &Outcome, me: &AccountId) -> (String, String) {
    match outcome {
        Outcome::Accepted { events } => {
            let details: Vec<String> = events.iter().map(|e| event_for(e, me)).collect();
            (details.join("; "), "ok".to_owned())
        }
        Outcome::Rejected { reason, .. } => (action(action_taken), format!("rejected: {reason}")),
    }
}
