//! The clap types of `heitje task` (their doc comments are the help text) and its dispatch.

use std::path::PathBuf;

use clap::Subcommand;
use contracts::primitives::WorkOrderRef;
use contracts::tx::RejectReason;
use contracts::{Amount, BudgetCode};

use super::{list, post, review, work};
use crate::context::Context;

/// `heitje task …`.
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// List tasks.
    List,

    /// Show a task and its claims.
    Show {
        /// Task id.
        id: u64,
    },

    /// Officer: post a task paid from a budget; reward × slots goes into escrow.
    Post {
        /// Budget that pays, like grasbroek.
        #[arg(long)]
        budget: BudgetCode,
        /// Public description (at most 4 KiB). Stored by the node; only its hash goes on chain.
        #[arg(long)]
        title: String,
        /// Coins paid for each slot.
        #[arg(long)]
        reward: Amount,
        /// How many residents can do the task (1 to 1000).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1000))]
        slots: u16,
        /// YYYY-MM-DD (end of that day, UTC), YYYY-MM-DDTHH:MM (UTC), or +Nd, +Nh, +Nm, +Ns from now.
        #[arg(long, value_name = "DATE")]
        deadline: String,
        /// The maintenance department's work-order reference this task is additional to, like
        /// BOR-2026-0142 (required: no task may displace regular maintenance work).
        #[arg(long, value_name = "REF")]
        work_order: WorkOrderRef,
        /// Approvals each submission needs (k of n).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=7))]
        approvals: u8,
        /// Verifiers drawn for each submission (n, 1 to 7).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=7))]
        reviewers: u8,
        /// Save as a draft: nothing moves into escrow until `task open`.
        #[arg(long)]
        draft: bool,
    },

    /// Officer: publish a draft task; its escrow moves from the budget.
    Open {
        /// Task id.
        task: u64,
    },

    /// Resident: claim a slot of a task.
    Claim {
        /// Task id.
        task: u64,
    },

    /// Resident: submit work for a claim with evidence. The photos' metadata (EXIF with the GPS
    /// position, XMP, comments…) is removed on this device first; the node seals the evidence
    /// under its own key and only a commitment goes on chain.
    Submit {
        /// Claim id.
        claim: u64,
        /// A JPEG or PNG photo of the work; repeat for more (at most 8, 8 MiB together).
        #[arg(long = "evidence", value_name = "PHOTO")]
        photos: Vec<PathBuf>,
        /// A short note for the verifiers (at most 1000 characters). It must not contain names
        /// or addresses of other people.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Where the work was done, as LAT,LON in decimal degrees; rounded to about 10 m.
        #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
        location: Option<String>,
        /// Days the evidence store keeps the evidence before erasing it (1 to 730).
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=730))]
        retain_days: u64,
    },

    /// Verifier drawn for a claim: approve the work. With k approvals the objection window
    /// opens; the resident is paid when it closes.
    Approve {
        /// Claim id.
        claim: u64,
    },

    /// Verifier drawn for a claim: reject the work with a reason code the resident sees.
    Reject {
        /// Claim id.
        claim: u64,
        /// incomplete, evidence_unclear, wrong_location, quality_insufficient, duplicate,
        /// conflict_of_interest or not_additional.
        #[arg(long, value_name = "CODE")]
        reason: RejectReason,
    },

    /// Officer or verifier: object to approved work during its objection window. An officer's
    /// objection rejects it at once; a verifier's waits for an officer (`task resolve`).
    Object {
        /// Claim id.
        claim: u64,
        /// A reason code, as for `task reject`.
        #[arg(long, value_name = "CODE")]
        reason: RejectReason,
    },

    /// Officer: decide a verifier's objection.
    Resolve {
        /// Claim id.
        claim: u64,
        /// Uphold the objection: the work is rejected.
        #[arg(long, conflicts_with = "dismiss", required_unless_present = "dismiss")]
        uphold: bool,
        /// Dismiss it: the reward is paid when the window closes (at once if it has).
        #[arg(long)]
        dismiss: bool,
    },

    /// Your review work: as a verifier, the claims you were drawn for and have not voted on; as
    /// an officer, the claims on your tasks waiting for review, in their objection window, or
    /// overdue.
    Queue {
        /// Submitted work waiting longer than this many hours counts as overdue.
        #[arg(long, default_value_t = 72)]
        overdue_hours: u64,
    },

    /// Officer: cancel a task you posted; unpaid escrow returns to the budget.
    Cancel {
        /// Task id.
        task: u64,
    },
}

/// Runs `heitje task …`.
pub(crate) fn run(ctx: &Context, command: TaskCommand) -> anyhow::Result<()> {
    match command {
        TaskCommand::List => list::tasks(ctx),
        TaskCommand::Show { id } => list::task(ctx, id),
        TaskCommand::Post { budget, title, reward, slots, deadline, work_order, approvals, reviewers, draft } => {
            post::post(
                ctx,
                &post::Posting {
                    budget: &budget,
                    title: &title,
                    reward,
                    slots,
                    deadline: &deadline,
                    work_order: &work_order,
                    approvals,
                    reviewers,
                    draft,
                },
            )
        }
        TaskCommand::Open { task: id } => post::open(ctx, id),
        TaskCommand::Claim { task: id } => work::claim(ctx, id),
        TaskCommand::Submit { claim, photos, note, location, retain_days } => work::submit_work(
            ctx,
            claim,
            &work::Submission { photos: &photos, note: note.as_deref(), location: location.as_deref(), retain_days },
        ),
        TaskCommand::Approve { claim } => review::approve(ctx, claim),
        TaskCommand::Reject { claim, reason } => review::reject(ctx, claim, reason),
        TaskCommand::Object { claim, reason } => review::object(ctx, claim, reason),
        TaskCommand::Resolve { claim, uphold, dismiss: _ } => review::resolve(ctx, claim, uphold),
        TaskCommand::Queue { overdue_hours } => review::queue(ctx, overdue_hours),
        TaskCommand::Cancel { task: id } => post::cancel(ctx, id),
    }
}
