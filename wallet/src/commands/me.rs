//! `heitje me`: everything the system holds about you (GDPR articles 15 and 20).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use api::{ClaimView, HistoryEntry};
use contracts::state::ClaimStatus;
use contracts::{AccountId, Timestamp};
use serde_json::json;

use crate::client::Client;
use crate::context::{Context, not_on_chain};
use crate::formats::time::{format_utc, now_ms};
use crate::output::{Table, fields};

/// The arguments of `heitje me`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write everything to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
}

/// Runs `heitje me`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    me(ctx, args.export.as_deref())
}

/// Every history entry of `address`, newest first (paged through the node's limit).
fn full_history(client: &Client, address: &AccountId) -> anyhow::Result<Vec<HistoryEntry>> {
    let mut seen = BTreeSet::new();
    let mut entries: Vec<HistoryEntry> = Vec::new();
    let mut before: Option<(u64, Option<u32>)> = None;
    loop {
        let page = client.history_before(address, 500, before)?;
        let full = page.entries.len() >= 500;
        // Newest first: the page's last entry is the exact cursor of the next page, even when
        // the page ends inside a height.
        let last = page.entries.last().map(|e| (e.height.0, Some(e.index)));
        let mut new = 0usize;
        for entry in page.entries {
            if seen.insert(entry.tx_id) {
                entries.push(entry);
                new += 1;
            }
        }
        match last {
            Some(cursor) if full && new > 0 => before = Some(cursor),
            _ => break,
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse((e.height, e.index)));
    Ok(entries)
}

/// The years in which `claims` were paid.
fn paid_years(claims: &[ClaimView]) -> BTreeSet<u16> {
    claims
        .iter()
        .filter(|c| c.claim.status == ClaimStatus::Rewarded)
        .filter_map(|c| c.claim.closed_at)
        .map(Timestamp::dutch_year)
        .collect()
}

/// `me [--export FILE]`.
pub(crate) fn me(ctx: &Context, export: Option<&Path>) -> anyhow::Result<()> {
    let entry = ctx.selected()?;
    let me = entry.address;
    let client = ctx.client();
    let status = client.status()?;
    let account = client.account(&me).map_err(|err| not_on_chain(&me, err))?;
    let allowance = client.allowance(&me).ok();
    // Signed: the claims this resident was drawn to review show them among the reviewers.
    let secret = ctx.unlock(&entry)?;
    let (claims, others): (Vec<ClaimView>, Vec<ClaimView>) =
        client.claims_signed(crate::context::signer(&secret)?)?.into_iter().partition(|c| c.claim.worker == me);
    let reviewed: Vec<ClaimView> = others.into_iter().filter(|c| c.claim.reviewers.contains(&me)).collect();
    let mut earnings = Vec::new();
    for year in paid_years(&claims) {
        earnings.push(client.earnings(&me, year)?);
    }
    let history = full_history(&client, &me)?;
    // Off chain: the evidence records (live or erased, without content) and every logged read
    // of them, from the node's evidence store; a signed request, as only the owner may list.
    let evidence = client.evidence_records(&me, crate::context::signer(&secret)?)?;
    drop(secret);
    let local = json!({
        "note": "kept only on this device, in the wallet directory; never sent to a node",
        "wallet_account_name": entry.name,
        "contacts_file": ctx.settings.home.join("contacts.json"),
    });
    let document = json!({
        "kind": "heitje-personal-data-export",
        "version": 1,
        "generated_at": Timestamp(now_ms()),
        "node": client.base(),
        "chain_id": status.chain_id,
        "height": status.height,
        "account": account,
        "allowance": allowance,
        "claims_as_worker": claims,
        "claims_reviewed": reviewed,
        "rewards_by_year": earnings,
        "transactions": history,
        "evidence_records": evidence,
        "local_wallet_data": local,
        "not_held": "no name, address, photo or free text about you is on the chain: it holds your pseudonymous \
                     account id, amounts, codes, hashes and times only",
    });
    if let Some(path) = export {
        let bytes = serde_json::to_vec_pretty(&document)?;
        crate::store::atomic_file::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    ctx.out.result(&document, || {
        let mut text = fields(&[
            ("Account", me.to_string()),
            ("Balance", account.balance.to_string()),
            ("Enrolled", if account.enrolled { "yes" } else { "no" }.to_owned()),
            (
                "Allowance",
                allowance.as_ref().map_or_else(
                    || "-".to_owned(),
                    |a| {
                        format!(
                            "{} of {} left in {} ({} earned, {} reserved)",
                            a.remaining, a.cap, a.year, a.earned, a.reserved
                        )
                    },
                ),
            ),
            ("Transactions", history.len().to_string()),
        ]);
        if !claims.is_empty() {
            let mut table = Table::new(&["CLAIM", "TASK", "STATUS", "REASON", "EVIDENCE KEPT UNTIL"]);
            for c in &claims {
                table.row(vec![
                    c.id.to_string(),
                    c.claim.task.to_string(),
                    format!("{:?}", c.claim.status).to_lowercase(),
                    c.claim.reason.map_or_else(|| "-".to_owned(), |r| r.code().to_owned()),
                    c.claim.retain_until.map_or_else(|| "-".to_owned(), format_utc),
                ]);
            }
            let _ = write!(text, "\nYour claims:\n{}", table.render());
        }
        for year in &earnings {
            let _ = writeln!(text, "Rewards paid in {}: {} ({} tasks)", year.year, year.total, year.rewards.len());
        }
        let erased = evidence.records.iter().filter(|r| r.erased_at.is_some()).count();
        let reads: usize = evidence.records.iter().map(|r| r.reads.len()).sum();
        let _ = writeln!(
            text,
            "\nEvidence held off chain: {} records ({erased} erased), read {reads} times by staff or you; \
             see `heitje evidence list`",
            evidence.records.len()
        );
        if let Some(path) = export {
            let _ = writeln!(text, "\nEXPORTED everything above and more to {}", path.display());
        } else {
            text.push_str("\nAdd --export FILE to get all of it as one JSON file.\n");
        }
        text
    })?;
    Ok(())
}
