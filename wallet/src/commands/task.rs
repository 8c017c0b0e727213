//! `task …` transactions: officers post and cancel, residents claim and submit work,
//! verifiers approve and reject.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use api::staff::SignedRead;
use contracts::crypto::HashKind;
use contracts::primitives::{ClaimId, TaskId, WorkOrderRef};
use contracts::tx::{
    ApproveWork, CancelTask, ClaimTask, ObjectToWork, OpenTask, PostTask, RejectReason, RejectWork, ResolveObjection,
    SubmitWork,
};
use contracts::{Action, Amount, BudgetCode, Event, Timestamp};
use evidence::{Bundle, Location, strip_photo};
use serde_json::json;

use crate::context::Context;
use crate::formats::time::{format_utc, now_ms, parse_deadline};
use crate::submit::{self, begin, events, extra, finality, report};

/// Largest public task description, in bytes (`POST /v1/documents`).
const MAX_DESCRIPTION: usize = 4 * 1024;

/// The arguments of `task post`.
#[derive(Debug)]
pub(crate) struct Posting<'a> {
    pub(crate) budget: &'a BudgetCode,
    pub(crate) title: &'a str,
    pub(crate) reward: Amount,
    pub(crate) slots: u16,
    pub(crate) deadline: &'a str,
    pub(crate) work_order: &'a WorkOrderRef,
    pub(crate) approvals: u8,
    pub(crate) reviewers: u8,
    pub(crate) draft: bool,
}

/// `task post …`: uploads the description to the node, then posts its hash on chain.
pub(crate) fn post(ctx: &Context, posting: &Posting<'_>) -> anyhow::Result<()> {
    let title = posting.title.trim();
    if title.is_empty() {
        bail!("the task needs a description (--title)");
    }
    if title.len() > MAX_DESCRIPTION {
        bail!("the description is {} bytes; at most {MAX_DESCRIPTION} are allowed", title.len());
    }
    if posting.reward.is_zero() {
        bail!("the reward must be more than 0.00");
    }
    let Some(escrow) = posting.reward.checked_mul(u64::from(posting.slots)) else {
        bail!("reward × slots is too large");
    };
    if posting.approvals > posting.reviewers {
        bail!(
            "--approvals {} is more than --reviewers {}: a claim cannot get more approvals than verifiers drawn",
            posting.approvals,
            posting.reviewers
        );
    }
    let deadline = parse_deadline(posting.deadline, now_ms())?;
    let signer = begin(ctx)?;
    let escrow_line = if posting.draft {
        format!("saved as a DRAFT (nothing moves until `heitje task open`; escrow then {escrow})")
    } else {
        format!("{escrow} into escrow")
    };
    let summary = format!(
        "Post a task on budget {}: {} slots × {} = {escrow_line}, deadline {} UTC\n  work order {}, each \
         submission reviewed by {} of {} drawn verifiers\n  \"{title}\"",
        posting.budget,
        posting.slots,
        posting.reward,
        format_utc(deadline),
        posting.work_order,
        posting.approvals,
        posting.reviewers,
    );
    let status = submit::submit(ctx, &signer, &summary, |client| {
        let stored = client.upload_document(title).context("storing the task description on the node")?;
        // The hash goes on chain as the promise of what the task says: check it is this text.
        let expected = HashKind::Document.hash(title.as_bytes());
        if stored.commitment != expected {
            bail!("the node stored the description under hash {}, not {expected}; not posting", stored.commitment);
        }
        Ok(Action::PostTask(PostTask {
            budget: posting.budget.clone(),
            reward: posting.reward,
            slots: posting.slots,
            deadline,
            description: stored.commitment,
            work_order: posting.work_order.clone(),
            approvals: posting.approvals,
            reviewers: posting.reviewers,
            draft: posting.draft,
        }))
    })?;
    let task = events(&status).iter().find_map(|event| match event {
        Event::TaskPosted { task, .. } => Some(*task),
        _ => None,
    });
    let (headline, extra) = match task {
        Some(task) => (
            format!(
                "{} task {task}: {} slots × {} {}",
                if posting.draft { "DRAFTED" } else { "POSTED" },
                posting.slots,
                posting.reward,
                finality(&status)
            ),
            extra([("task", json!(task))]),
        ),
        None => (format!("POSTED {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}

/// `task open TASK_ID`: publishes a draft.
pub(crate) fn open(ctx: &Context, task: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let task = TaskId(task);
    let summary = format!("Publish draft task {task}; its escrow moves from the budget");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::OpenTask(OpenTask { task })))?;
    let escrow = events(&status).iter().find_map(|event| match event {
        Event::TaskOpened { escrow, .. } => Some(*escrow),
        _ => None,
    });
    let headline = match escrow {
        Some(escrow) => format!("OPENED task {task}: {escrow} in escrow {}", finality(&status)),
        None => format!("OPENED task {task} {}", finality(&status)),
    };
    report(ctx, &status, Some(headline), extra([]))
}

/// `task claim TASK_ID`.
pub(crate) fn claim(ctx: &Context, task: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let task = TaskId(task);
    let summary = format!("Claim a slot of task {task}");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ClaimTask(ClaimTask { task })))?;
    let claim = events(&status).iter().find_map(|event| match event {
        Event::TaskClaimed { claim, .. } => Some(*claim),
        _ => None,
    });
    let (headline, extra) = match claim {
        Some(claim) => (
            format!(
                "CLAIMED task {task}: your claim is {claim}; when done, run `heitje task submit {claim} \
                 --evidence FILE` {}",
                finality(&status)
            ),
            extra([("claim", json!(claim))]),
        ),
        None => (format!("CLAIMED task {task} {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}

/// The arguments of `task submit`.
#[derive(Debug)]
pub(crate) struct Submission<'a> {
    /// JPEG or PNG photos.
    pub(crate) photos: &'a [PathBuf],
    /// A short note.
    pub(crate) note: Option<&'a str>,
    /// `LAT,LON` in decimal degrees.
    pub(crate) location: Option<&'a str>,
    /// Days the evidence store keeps the record.
    pub(crate) retain_days: u64,
}

/// `task submit CLAIM_ID --evidence PHOTO… [--note TEXT] [--location LAT,LON]`: strips the
/// photos' metadata here, on the resident's device, and says what was removed; uploads the
/// bundle signed by the worker (the node seals it under a fresh key); then commits to it on
/// chain with the same retention date.
pub(crate) fn submit_work(ctx: &Context, claim: u64, submission: &Submission<'_>) -> anyhow::Result<()> {
    let (bundle, removed) = read_evidence(ctx, submission)?;
    let bytes = bundle.to_canonical_bytes();
    if bytes.len() > api::MAX_UPLOAD {
        bail!(
            "the evidence is {} bytes after stripping, above the {} the node accepts; send fewer or smaller photos",
            bytes.len(),
            api::MAX_UPLOAD
        );
    }
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let retain_until = Timestamp(now_ms().saturating_add(submission.retain_days.saturating_mul(86_400_000)));
    let location = bundle.location().map_or_else(
        || "no location".to_owned(),
        |l| format!("location {} (rounded to about 10 m)", format_location(l)),
    );
    let summary = format!(
        "Submit work for claim {claim}: {} photo(s), {}, {location}; sealed by the node, not on chain; erased on \
         {} UTC at the latest",
        bundle.photos().len(),
        bundle
            .note()
            .map_or_else(|| "no note".to_owned(), |note| format!("a note of {} characters", note.chars().count())),
        format_utc(retain_until)
    );
    let status = submit::submit_signed(ctx, &signer, &summary, |client, secret, chain| {
        let uploaded = client
            .upload_evidence(claim, retain_until, &bytes, |method, path| {
                secret.with_key(|key| SignedRead::sign(key, chain, method, path, Timestamp(now_ms())).header())
            })
            .context("storing the evidence on the node")?;
        if uploaded.claim != claim || uploaded.owner != signer.address || uploaded.retain_until != retain_until {
            bail!(
                "the node sealed the evidence for claim {} of {} until {}, not what was asked; not submitting",
                uploaded.claim,
                uploaded.owner,
                uploaded.retain_until.0
            );
        }
        Ok(Action::SubmitWork(SubmitWork { claim, evidence: uploaded.commitment, retain_until }))
    })?;
    let commitment = events(&status).iter().find_map(|event| match event {
        Event::WorkSubmitted { evidence, .. } => Some(*evidence),
        _ => None,
    });
    let headline =
        format!("SUBMITTED work for claim {claim}; the drawn verifiers will review it {}", finality(&status));
    report(ctx, &status, Some(headline), extra([("evidence", json!(commitment)), ("removed", json!(removed))]))
}

/// Reads and strips the photos, checks the note and rounds the location, all before anything
/// is sent. Tells the resident what was removed from each photo. A file that is not a JPEG or
/// PNG photo is refused here (exit 2).
fn read_evidence(ctx: &Context, submission: &Submission<'_>) -> anyhow::Result<(Bundle, Vec<serde_json::Value>)> {
    if submission.photos.len() > evidence::MAX_PHOTOS {
        bail!("{} photos is more than the {} allowed; leave some out", submission.photos.len(), evidence::MAX_PHOTOS);
    }
    let mut stripped = Vec::with_capacity(submission.photos.len());
    let mut removed = Vec::with_capacity(submission.photos.len());
    for path in submission.photos {
        let bytes = read_photo(path)?;
        let photo = strip_photo(&bytes).with_context(|| format!("{} cannot be used as evidence", path.display()))?;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        ctx.out.note(&format!("removed from {name}: {}", photo.describe()));
        removed.push(json!({ "file": name, "removed": photo.describe(), "gps": photo.had_gps() }));
        stripped.push(photo);
    }
    let note = submission.note.map(str::trim).filter(|note| !note.is_empty()).map(str::to_owned);
    if let Some(note) = &note {
        let chars = note.chars().count();
        if chars > evidence::MAX_NOTE_CHARS {
            bail!("the note is {chars} characters, above the limit of {}; shorten it", evidence::MAX_NOTE_CHARS);
        }
        ctx.out.warn(
            "the verifiers and the officer read the note: it must not contain names or addresses of other people",
        );
    }
    let location = submission.location.map(parse_location).transpose()?;
    let bundle = Bundle::from_stripped(stripped, note, location).context("the evidence cannot be sent")?;
    Ok((bundle, removed))
}

fn read_photo(path: &Path) -> anyhow::Result<Vec<u8>> {
    // Metadata (a second embedded image, say) may make the file larger than what is sent.
    let limit = u64::try_from(4 * api::MAX_UPLOAD).unwrap_or(u64::MAX);
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.is_empty() {
        bail!("{} is empty", path.display());
    }
    if bytes.len() as u64 > limit {
        bail!("{} is larger than {limit} bytes; send a smaller photo", path.display());
    }
    Ok(bytes)
}

/// Reads `LAT,LON` in decimal degrees (`50.88821,5.97952`) and rounds it to about 10 m.
fn parse_location(text: &str) -> anyhow::Result<Location> {
    let bad = || anyhow!("--location {text:?} must be LAT,LON in decimal degrees, e.g. 50.8882,5.9795");
    let (lat, lon) = text.split_once(',').ok_or_else(bad)?;
    let lat = microdegrees(lat.trim()).ok_or_else(bad)?;
    let lon = microdegrees(lon.trim()).ok_or_else(bad)?;
    Location::rounded(lat, lon).map_err(|err| anyhow!("--location {text:?}: {err}"))
}

/// Decimal degrees to micro-degrees, without floating point; rounds half away from zero.
fn microdegrees(text: &str) -> Option<i32> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok().filter(|w| *w <= 180)?;
    let mut micro = 0i64;
    for (i, digit) in fraction.bytes().take(7).enumerate() {
        let value = i64::from(digit - b'0');
        if i < 6 {
            micro = micro * 10 + value;
        } else if value >= 5 {
            micro += 1;
        }
    }
    for _ in fraction.len().min(6)..6 {
        micro *= 10;
    }
    let total = whole * 1_000_000 + micro;
    i32::try_from(if negative { -total } else { total }).ok()
}

pub(crate) fn format_location(location: Location) -> String {
    let degrees = |micro: i32| {
        let sign = if micro < 0 { "-" } else { "" };
        let abs = micro.unsigned_abs();
        format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
    };
    format!("{},{}", degrees(location.lat_microdeg), degrees(location.lon_microdeg))
}

/// `task approve CLAIM_ID`.
pub(crate) fn approve(ctx: &Context, claim: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Approve the work of claim {claim} (your vote as a drawn verifier)");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ApproveWork(ApproveWork { claim })))?;
    report(ctx, &status, Some(verdict(&status, claim, "APPROVAL RECORDED")), extra([]))
}

/// `task reject CLAIM_ID --reason CODE`.
pub(crate) fn reject(ctx: &Context, claim: u64, reason: RejectReason) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Reject the work of claim {claim} ({}); the resident sees the code", reason.code());
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::RejectWork(RejectWork { claim, reason })))?;
    report(ctx, &status, Some(verdict(&status, claim, "REJECTION RECORDED")), extra([]))
}

/// The headline after a vote, objection or resolution: what the claim's status became.
fn verdict(status: &api::TxStatus, claim: ClaimId, recorded: &str) -> String {
    let events = events(status);
    let outcome = events.iter().find_map(|event| match event {
        Event::WindowOpened { closes, .. } => Some(format!(
            "WORK APPROVED claim {claim}: objection window open until {} UTC, then the reward is paid",
            format_utc(*closes)
        )),
        Event::RewardPaid { reward, worker, .. } => Some(format!("REWARD PAID claim {claim}: {reward} to {worker}")),
        Event::WorkRejected { reason, .. } => Some(format!("WORK REJECTED claim {claim} ({})", reason.code())),
        _ => None,
    });
    format!("{} {}", outcome.unwrap_or_else(|| format!("{recorded} for claim {claim}")), finality(status))
}

/// `task object CLAIM_ID --reason CODE`.
pub(crate) fn object(ctx: &Context, claim: u64, reason: RejectReason) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = format!("Object to the approval of claim {claim} ({}); no reward is paid meanwhile", reason.code());
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::ObjectToWork(ObjectToWork { claim, reason })))?;
    report(ctx, &status, Some(verdict(&status, claim, "OBJECTION RAISED; an officer decides")), extra([]))
}

/// `task resolve CLAIM_ID --uphold|--dismiss`.
pub(crate) fn resolve(ctx: &Context, claim: u64, uphold: bool) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let claim = ClaimId(claim);
    let summary = if uphold {
        format!("Uphold the objection to claim {claim}: the work is rejected")
    } else {
        format!("Dismiss the objection to claim {claim}: the reward is paid when the window closes")
    };
    let status =
        submit::submit(ctx, &signer, &summary, |_| Ok(Action::ResolveObjection(ResolveObjection { claim, uphold })))?;
    report(ctx, &status, Some(verdict(&status, claim, "OBJECTION DISMISSED")), extra([]))
}

/// `task cancel TASK_ID`.
pub(crate) fn cancel(ctx: &Context, task: u64) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let task = TaskId(task);
    let summary = format!("Cancel task {task}; unpaid escrow returns to its budget");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::CancelTask(CancelTask { task })))?;
    let refund = events(&status).iter().find_map(|event| match event {
        Event::TaskCancelled { refund, budget, .. } => Some((*refund, budget.clone())),
        _ => None,
    });
    let headline = match refund {
        Some((refund, budget)) => {
            format!("CANCELLED task {task}: {refund} returned to budget {budget} {}", finality(&status))
        }
        None => format!("CANCELLED task {task} {}", finality(&status)),
    };
    report(ctx, &status, Some(headline), extra([]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_without_floats_and_rounded_to_about_ten_metres() {
        assert_eq!(microdegrees("50.888214"), Some(50_888_214));
        assert_eq!(microdegrees("5.9795"), Some(5_979_500));
        assert_eq!(microdegrees("-0.0000005"), Some(-1));
        assert_eq!(microdegrees("+180"), Some(180_000_000));
        for bad in ["", ".5", "1e3", "181", "5,9", "--1", "1.2.3"] {
            assert_eq!(microdegrees(bad), None, "{bad:?}");
        }
        let rounded = parse_location("50.888214, 5.979549").expect("location");
        assert_eq!((rounded.lat_microdeg, rounded.lon_microdeg), (50_888_200, 5_979_500));
        assert_eq!(format_location(rounded), "50.888200,5.979500");
        assert!(parse_location("91,5").is_err());
        assert!(parse_location("50.9").is_err());
    }
}
