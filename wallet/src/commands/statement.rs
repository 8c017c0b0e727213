//! `heitje statement`: a signed year-end statement of rewards that anyone can check against the
//! chain.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use api::{SignedStatement, StatementBody};
use clap::Subcommand;
use contracts::crypto::{self, Domain};
use contracts::{Amount, Timestamp};
use serde_json::json;

use crate::context::{Context, chain_id, not_on_chain};
use crate::failure::Refused;
use crate::formats::time::{format_utc, now_ms};
use crate::output::Table;

/// `heitje statement …`.
#[derive(Debug, Subcommand)]
pub enum StatementCommand {
    /// Write a signed statement of the rewards paid to you in YEAR, as JSON, text and PDF.
    Issue {
        /// Calendar year, like 2026.
        year: u16,
        /// Directory to write statement-YEAR.json, .txt and .pdf into.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Your name and town, printed on the text and PDF for the desk, e.g. "A. Müller,
        /// Geleen-Zuid". It stays on this computer: it is not sent, not signed and not in the JSON.
        #[arg(long, value_name = "NAME")]
        holder: Option<String>,
    },
    /// Check a statement: its signature, and every line and the total against the chain.
    Verify {
        /// The statement JSON file.
        file: PathBuf,
    },
}

/// Runs `heitje statement …`.
pub(crate) fn run(ctx: &Context, command: StatementCommand) -> anyhow::Result<()> {
    match command {
        StatementCommand::Issue { year, out, holder } => issue_statement(ctx, year, &out, holder.as_deref()),
        StatementCommand::Verify { file } => verify_statement(ctx, &file),
    }
}

/// `statement issue YEAR --out DIR [--holder NAME]`.
pub(crate) fn issue_statement(ctx: &Context, year: u16, out: &Path, holder: Option<&str>) -> anyhow::Result<()> {
    if let Some(name) = holder
        && (name.trim().is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control))
    {
        bail!("--holder must be one line of at most 80 characters, like \"A. Müller, Geleen-Zuid\"");
    }
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
    let text = statement_text(&signed, holder);
    crate::store::atomic_file::write(&text_path, text.as_bytes())
        .with_context(|| format!("writing {}", text_path.display()))?;
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let pdf = crate::formats::pdf::text_pdf(&format!("Heerlen coin rewards {year}"), &lines)?;
    crate::store::atomic_file::write(&pdf_path, &pdf).with_context(|| format!("writing {}", pdf_path.display()))?;
    let files = json!({ "json": json_path, "text": text_path, "pdf": pdf_path, "statement": signed });
    ctx.out.result(&files, || {
        format!("{text}\nWROTE {}, {} and {}\n", json_path.display(), text_path.display(), pdf_path.display())
    })?;
    Ok(())
}

fn statement_text(signed: &SignedStatement, holder: Option<&str>) -> String {
    let s = &signed.statement;
    let mut text = String::new();
    let _ = writeln!(text, "STATEMENT OF HEERLEN COIN REWARDS {}", s.year);
    if let Some(name) = holder {
        let _ = writeln!(text, "Holder:       {} (as stated by the holder; not signed)", name.trim());
    }
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
