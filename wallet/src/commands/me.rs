//! `me` and `statement`: what the system holds about a resident (GDPR articles 15 and 20), and
//! a signed year-end statement of rewards that anyone can check against the chain.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use api::{ClaimView, HistoryEntry, SignedStatement, StatementBody};
use contracts::crypto::{self, Domain};
use contracts::state::ClaimStatus;
use contracts::{AccountId, Amount, Timestamp};
use serde_json::json;

use crate::client::Client;
use crate::context::chain_id;
use crate::context::{Context, not_on_chain};
use crate::failure::Refused;
use crate::formats::time::{format_utc, now_ms};
use crate::output::{Table, fields};

/// Every history entry of `address`, newest first (paged through the node's limit).
fn full_history(client: &Client, address: &AccountId) -> anyhow::Result<Vec<HistoryEntry>> {
    let mut seen = BTreeSet::new();
    let mut entries = Vec::new();
    let mut before: Option<u64> = None;
    loop {
        let page = client.history(address, 500, before)?;
        let full = page.entries.len() >= 500;
        let lowest = page.entries.iter().map(|e| e.height.0).min();
        let mut new = 0usize;
        for entry in page.entries {
            if seen.insert(entry.tx_id) {
                entries.push(entry);
                new += 1;
            }
        }
        match lowest {
            // A full page may end inside a height: ask again from just above it; stop when a
            // page brings nothing new.
            Some(lowest) if full && new > 0 => before = Some(lowest.saturating_add(1)),
            Some(lowest) if full => before = Some(lowest),
            _ => break,
        }
        if before == Some(0) {
            break;
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
    let (claims, others): (Vec<ClaimView>, Vec<ClaimView>) =
        client.claims()?.into_iter().partition(|c| c.claim.worker == me);
    let reviewed: Vec<ClaimView> = others.into_iter().filter(|c| c.claim.reviewers.contains(&me)).collect();
    let mut earnings = Vec::new();
    for year in paid_years(&claims) {
        earnings.push(client.earnings(&me, year)?);
    }
    let history = full_history(&client, &me)?;
    // Off chain: the evidence records (live or erased, without content) and every logged read
    // of them, from the node's evidence store; a signed request, as only the owner may list.
    let chain = chain_id(&client)?;
    let secret = ctx.unlock(&entry)?;
    let evidence = client.evidence_records(&me, crate::context::signer(&secret, chain))?;
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

/// `statement issue YEAR --out DIR`.
pub(crate) fn issue_statement(ctx: &Context, year: u16, out: &Path) -> anyhow::Result<()> {
    let entry = ctx.selected()?;
    let client = ctx.client();
    let chain = chain_id(&client)?;
    let earnings = client.earnings(&entry.address, year).map_err(|err| not_on_chain(&entry.address, err))?;
    let statement = StatementBody {
        kind: "heitje-rewards-statement".to_owned(),
        version: 1,
        chain_id: chain.clone(),
        account: entry.address,
        year,
        total: earnings.total,
        rewards: earnings.rewards,
        height: earnings.height,
        state_root: earnings.state_root,
    };
    let listed = statement.rewards.iter().try_fold(Amount::ZERO, |sum, r| sum.checked_add(r.amount));
    if listed != Some(statement.total) {
        bail!("the node's reward lines do not add up to its total for {year}; ask another node (--node)");
    }
    let secret = ctx.unlock(&entry)?;
    let signature = secret.with_key(|key| crypto::sign(key, Domain::Statement, &chain, &statement.signing_bytes()));
    drop(secret);
    let signed = SignedStatement { statement, signature };
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let json_path = out.join(format!("statement-{year}.json"));
    let text_path = out.join(format!("statement-{year}.txt"));
    let pdf_path = out.join(format!("statement-{year}.pdf"));
    crate::store::atomic_file::write(&json_path, &serde_json::to_vec_pretty(&signed)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    let text = statement_text(&signed);
    crate::store::atomic_file::write(&text_path, text.as_bytes())
        .with_context(|| format!("writing {}", text_path.display()))?;
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let pdf = crate::formats::pdf::text_pdf(&format!("Heerlen coin rewards {year}"), &lines);
    crate::store::atomic_file::write(&pdf_path, &pdf).with_context(|| format!("writing {}", pdf_path.display()))?;
    let files = json!({ "json": json_path, "text": text_path, "pdf": pdf_path, "statement": signed });
    ctx.out.result(&files, || {
        format!("{text}\nWROTE {}, {} and {}\n", json_path.display(), text_path.display(), pdf_path.display())
    })?;
    Ok(())
}

fn statement_text(signed: &SignedStatement) -> String {
    let s = &signed.statement;
    let mut text = String::new();
    let _ = writeln!(text, "STATEMENT OF HEERLEN COIN REWARDS {}", s.year);
    let _ = writeln!(text, "Account:      {}", s.account);
    let _ = writeln!(text, "Chain:        {} at height {} (state root {})", s.chain_id, s.height, s.state_root);
    let _ = writeln!(text, "Total paid:   {} coins (1 coin = EUR 1)", s.total);
    let _ = writeln!(text);
    let mut table = Table::new(&["PAID (UTC)", "TASK", "CLAIM", "AMOUNT"]);
    for r in &s.rewards {
        table.row(vec![format_utc(r.paid_at), r.task.to_string(), r.claim.to_string(), r.amount.to_string()]);
    }
    text.push_str(&table.render());
    let _ = writeln!(text);
    let _ = writeln!(text, "Signed by the account holder: {}", hex::encode(signed.signature.0));
    let _ = writeln!(text, "Check it with: heitje statement verify statement-{}.json", s.year);
    text
}

/// `statement verify FILE`.
pub(crate) fn verify_statement(ctx: &Context, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let signed: SignedStatement = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a statement written by `heitje statement issue`", file.display()))?;
    let s = &signed.statement;
    let mut problems = Vec::new();
    if crypto::verify(&s.account, Domain::Statement, &s.chain_id, &s.signing_bytes(), &signed.signature).is_err() {
        problems
            .push("the signature does not verify: the statement was changed or not signed by the account".to_owned());
    }
    let client = ctx.client();
    let chain = chain_id(&client)?;
    if chain != s.chain_id {
        problems.push(format!("the statement is for chain {}, the node serves {chain}", s.chain_id));
    }
    match client.block(Some(s.height)) {
        Ok(block) if block.header.state_root == s.state_root => {}
        Ok(block) => problems.push(format!(
            "block {} has state root {}, the statement says {}",
            s.height, block.header.state_root, s.state_root
        )),
        Err(err) => problems.push(format!("block {} could not be read: {err}", s.height)),
    }
    let now = client.earnings(&s.account, s.year)?;
    let on_chain: BTreeMap<_, _> = now.rewards.iter().map(|r| (r.claim, r)).collect();
    for line in &s.rewards {
        match on_chain.get(&line.claim) {
            Some(r) if r.amount == line.amount && r.paid_at == line.paid_at && r.task == line.task => {}
            Some(r) => problems.push(format!(
                "claim {}: the chain says {} paid {}",
                line.claim,
                r.amount,
                format_utc(r.paid_at)
            )),
            None => problems.push(format!("claim {}: no such reward to this account in {}", line.claim, s.year)),
        }
    }
    let year_closed = Timestamp(now_ms()).dutch_year() > s.year;
    if year_closed && (now.total != s.total || now.rewards.len() != s.rewards.len()) {
        problems.push(format!("the chain's total for {} is {}, the statement says {}", s.year, now.total, s.total));
    }
    let verdict = json!({ "valid": problems.is_empty(), "problems": problems, "year_closed": year_closed });
    ctx.out.result(&verdict, || {
        if problems.is_empty() {
            let open = if year_closed { "" } else { " (the year is not over; later rewards may follow)" };
            format!("VALID: {} rewards, total {}, for {} in {}{open}\n", s.rewards.len(), s.total, s.account, s.year)
        } else {
            format!("NOT VALID:\n  {}\n", problems.join("\n  "))
        }
    })?;
    if problems.is_empty() { Ok(()) } else { Err(Refused(format!("{} problems", problems.len())).into()) }
}
