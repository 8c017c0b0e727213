//! `registrar …`: enroll and unenroll residents. Only the account goes on chain.

use contracts::Action;
use contracts::tx::{Enroll, Unenroll};

use crate::context::Context;
use crate::submit::{self, begin, extra, finality, report};

/// `registrar enroll ACCOUNT`.
pub(crate) fn enroll(ctx: &Context, account: &str) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let account = ctx.resolve(account)?;
    let summary = format!("Enroll {account} as a resident");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Enroll(Enroll { account })))?;
    let headline = format!("ENROLLED {account} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}

/// `registrar unenroll ACCOUNT`.
pub(crate) fn unenroll(ctx: &Context, account: &str) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let account = ctx.resolve(account)?;
    let summary = format!("End the enrolment of {account} (it keeps its coins)");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Unenroll(Unenroll { account })))?;
    let headline = format!("UNENROLLED {account} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}
