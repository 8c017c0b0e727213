//! `treasury settlement export|record`: the treasurer pays shops their euros.
//!
//! `export` reads the open redemptions with the shops' bank details from the registry (a signed,
//! logged read) and writes the bank file (pain.001), a CSV and a manifest. After the bank has
//! paid, `record` settles exactly the manifest's redemptions on chain under its payout
//! reference, in transactions of up to 100. It can be run again after any failure: redemptions
//! already settled under this reference are skipped, and one settled under another reference
//! is reported and never settled twice (R-RED-6).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use clap::Subcommand;
use contracts::primitives::{PayoutRef, RedemptionId};
use contracts::state::RedemptionStatus;
use contracts::tx::{MAX_SETTLE_BATCH, SettleBatch};
use contracts::{AccountId, Action, Amount, Outcome, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::{Context, chain_id};
use crate::failure::{Refused, Unconfirmed};
use crate::formats::iban::{Bic, Iban};
use crate::formats::sepa::{self as settlement, BatchHeader, Debtor, Payout};
use crate::formats::time::{format_utc, now_ms};
use crate::output::fields;
use crate::submit;

/// `heitje treasury settlement …`.
#[derive(Debug, Subcommand)]
pub enum SettlementCommand {
    /// Export every open redemption as a SEPA credit transfer batch (pain.001 XML) and a CSV,
    /// with a manifest for `record`.
    Export {
        /// Directory to write the files to; created if missing, existing files are not replaced.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The batch's payout reference, used as message id and recorded on chain.
        #[arg(long, value_name = "REF")]
        payout_ref: PayoutRef,
        /// Requested execution date, YYYY-MM-DD [default: today, UTC].
        #[arg(long, value_name = "DATE")]
        execution_date: Option<String>,
        /// The municipality's account name (debtor).
        #[arg(long, env = "HEITJE_DEBTOR_NAME", default_value = "Gemeente Heerlen")]
        debtor_name: String,
        /// The municipality's IBAN (debtor).
        #[arg(long, env = "HEITJE_DEBTOR_IBAN")]
        debtor_iban: String,
        /// The municipality's BIC (debtor).
        #[arg(long, env = "HEITJE_DEBTOR_BIC")]
        debtor_bic: Option<String>,
    },

    /// Record on chain which redemptions the bank paid, from an exported batch manifest. Safe to
    /// run again after a crash: redemptions already recorded under this batch are skipped.
    Record {
        /// The `batch.json` written by `export`.
        #[arg(value_name = "MANIFEST")]
        manifest: PathBuf,
    },
}

/// Runs `heitje treasury settlement …`.
pub(crate) fn run(ctx: &Context, command: SettlementCommand) -> anyhow::Result<()> {
    match command {
        SettlementCommand::Export { out, payout_ref, execution_date, debtor_name, debtor_iban, debtor_bic } => export(
            ctx,
            &ExportArgs {
                out: &out,
                payout_ref: &payout_ref,
                execution_date: execution_date.as_deref(),
                debtor_name: &debtor_name,
                debtor_iban: &debtor_iban,
                debtor_bic: debtor_bic.as_deref(),
            },
        ),
        SettlementCommand::Record { manifest } => record(ctx, &manifest),
    }
}

/// The manifest `export` writes and `record` reads.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    version: u32,
    payout_ref: PayoutRef,
    created: String,
    execution_date: String,
    /// blake3 of the CSV, hex.
    csv_digest: String,
    total: Amount,
    redemptions: Vec<Line>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: RedemptionId,
    merchant: AccountId,
    amount: Amount,
}

/// Options of `export`.
#[derive(Debug)]
pub(crate) struct ExportArgs<'a> {
    pub(crate) out: &'a Path,
    pub(crate) payout_ref: &'a PayoutRef,
    pub(crate) execution_date: Option<&'a str>,
    pub(crate) debtor_name: &'a str,
    pub(crate) debtor_iban: &'a str,
    pub(crate) debtor_bic: Option<&'a str>,
}

fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::store::atomic_file::write_new(path, bytes)
        .with_context(|| format!("creating {} (an existing file is never replaced)", path.display()))
}

/// `treasury settlement export`.
pub(crate) fn export(ctx: &Context, args: &ExportArgs<'_>) -> anyhow::Result<()> {
    let debtor = Debtor {
        name: args.debtor_name.to_owned(),
        iban: args.debtor_iban.parse::<Iban>().context("--debtor-iban")?,
        bic: args.debtor_bic.map(str::parse::<Bic>).transpose().context("--debtor-bic")?,
    };
    let files = [args.out.join("pain001.xml"), args.out.join("payouts.csv"), args.out.join("batch.json")];
    if let Some(existing) = files.iter().find(|f| f.exists()) {
        bail!("{} exists; export each batch into a new directory", existing.display());
    }
    let client = ctx.client();
    let me = ctx.selected()?;
    let secret = ctx.unlock(&me)?;
    let open = client.open_payouts(crate::context::signer(&secret)?)?;
    drop(secret);
    let mut payouts = Vec::new();
    let mut missing = Vec::new();
    for item in open {
        let r = &item.redemption;
        let bank = match (&item.creditor_name, &item.bank) {
            (Some(name), Some(bank)) => Some((name, bank)),
            _ => None,
        };
        let Some((name, bank)) = bank else {
            missing.push(format!(
                "redemption {} of {} ({}): the shop has no bank details in the registry",
                r.id, r.merchant, r.amount
            ));
            continue;
        };
        let iban = match bank.iban.parse::<Iban>() {
            Ok(iban) => iban,
            Err(err) => {
                missing.push(format!("redemption {} of {}: registry IBAN refused: {err}", r.id, r.merchant));
                continue;
            }
        };
        let bic = bank.bic.as_deref().and_then(|b| b.parse::<Bic>().ok());
        payouts.push(Payout {
            redemption: r.id,
            merchant: r.merchant,
            amount: r.amount,
            creditor_name: name.clone(),
            iban,
            bic,
        });
    }
    for line in &missing {
        ctx.out.warn(&format!("left for a later batch: {line}"));
    }
    if payouts.is_empty() {
        bail!("there is no open redemption to pay out{}", if missing.is_empty() { "" } else { " (see the warnings)" });
    }
    payouts.sort_by_key(|p| p.redemption);
    if payouts.len() > settlement::MAX_PAYOUTS {
        ctx.out.warn(&format!(
            "{} open redemptions; this batch takes the first {}, export the rest under another reference",
            payouts.len(),
            settlement::MAX_PAYOUTS
        ));
        payouts.truncate(settlement::MAX_PAYOUTS);
    }
    let now = format_utc(Timestamp(now_ms()));
    let header = BatchHeader {
        payout_ref: args.payout_ref.clone(),
        created: now.replace(' ', "T"),
        execution_date: args.execution_date.map_or_else(|| now.chars().take(10).collect(), str::to_owned),
    };
    let xml = settlement::pain001(&header, &debtor, &payouts)?;
    let csv = settlement::csv(&header, &payouts);
    let total = payouts.iter().try_fold(Amount::ZERO, |sum, p| sum.checked_add(p.amount));
    let total = total.ok_or_else(|| anyhow!("the batch total does not fit an amount"))?;
    let manifest = Manifest {
        version: 1,
        payout_ref: header.payout_ref.clone(),
        created: header.created.clone(),
        execution_date: header.execution_date.clone(),
        csv_digest: hex::encode(settlement::batch_digest(&header, &payouts)),
        total,
        redemptions: payouts
            .iter()
            .map(|p| Line { id: p.redemption, merchant: p.merchant, amount: p.amount })
            .collect(),
    };
    std::fs::create_dir_all(args.out).with_context(|| format!("creating {}", args.out.display()))?;
    write_new(&files[0], xml.as_bytes())?;
    write_new(&files[1], csv.as_bytes())?;
    write_new(&files[2], &serde_json::to_vec_pretty(&manifest)?)?;
    let object = json!({
        "payout_ref": manifest.payout_ref,
        "payouts": payouts.len(),
        "total": total,
        "left_out": missing.len(),
        "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "csv_digest": manifest.csv_digest,
    });
    ctx.out.result(&object, || {
        let mut text = format!("EXPORTED batch {}: {} payouts, EUR {total}\n", manifest.payout_ref, payouts.len());
        text.push_str(&fields(&[
            ("Bank file", files[0].display().to_string()),
            ("CSV", files[1].display().to_string()),
            ("Manifest", files[2].display().to_string()),
            ("CSV blake3", manifest.csv_digest.clone()),
        ]));
        text.push_str(&format!(
            "Upload the bank file; once paid, record it: heitje treasury settlement record {}\n",
            files[2].display()
        ));
        text
    })?;
    Ok(())
}

/// `treasury settlement record MANIFEST`.
pub(crate) fn record(ctx: &Context, manifest_path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(manifest_path).with_context(|| format!("reading {}", manifest_path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).with_context(|| {
        format!("{} is not a batch manifest written by `settlement export`", manifest_path.display())
    })?;
    let reference = manifest.payout_ref.clone();
    let signer = submit::begin(ctx)?;
    let client = ctx.client();
    let chain = chain_id(&client)?;
    // Earlier runs' transactions are final before the batch is read again: nothing twice.
    let mut outbox = submit::Outbox::open(ctx, &client, &signer)?;
    // Where each redemption of the batch stands now.
    let on_chain: BTreeMap<RedemptionId, api::RedemptionView> =
        client.redemptions(None)?.into_iter().map(|r| (r.id, r)).collect();
    let (mut todo, mut done, mut conflicts) = (Vec::new(), 0usize, Vec::new());
    for line in &manifest.redemptions {
        match on_chain.get(&line.id) {
            None => {
                bail!("redemption {} of the batch does not exist on this chain; is this the right network?", line.id)
            }
            Some(r) if r.merchant != line.merchant || r.amount != line.amount => bail!(
                "redemption {} on chain is {} for {}, but the batch says {} for {}; the manifest does not match",
                line.id,
                r.amount,
                r.merchant,
                line.amount,
                line.merchant
            ),
            Some(r) if r.status == RedemptionStatus::Pending => todo.push(line.id),
            Some(r) if r.reference.as_ref() == Some(&reference) => done += 1,
            Some(r) => conflicts.push(format!(
                "redemption {} was already settled under {}",
                line.id,
                r.reference.as_ref().map_or("?", |p| p.as_str())
            )),
        }
    }
    for conflict in &conflicts {
        ctx.out.warn(&format!("{conflict}: the bank may have paid it twice; it is NOT settled again"));
    }
    if todo.is_empty() {
        ctx.out.result(
            &json!({ "payout_ref": reference, "settled_now": 0, "already": done, "conflicts": conflicts }),
            || format!("NOTHING TO DO: all {done} redemptions of batch {reference} are already recorded\n"),
        )?;
        return if conflicts.is_empty() {
            Ok(())
        } else {
            Err(Refused(format!("{} conflicts", conflicts.len())).into())
        };
    }
    let chunks: Vec<Vec<RedemptionId>> = todo.chunks(MAX_SETTLE_BATCH).map(<[RedemptionId]>::to_vec).collect();
    ctx.confirm(&format!(
        "Record batch {reference} as paid: {} redemptions in {} transactions ({done} already recorded)\n  as {} ({}) on {chain}",
        todo.len(),
        chunks.len(),
        signer.name,
        signer.address
    ))?;
    let secret = ctx.unlock(&signer)?;
    // Sign and send every chunk (consecutive nonces from the nonce record), then wait for them all.
    let mut sent = Vec::new();
    for (i, redemptions) in chunks.into_iter().enumerate() {
        let action = Action::SettleBatch(SettleBatch { reference: reference.clone(), redemptions });
        let signed = outbox
            .send(&secret, action)
            .with_context(|| format!("sending settlement transaction {} of the batch", i + 1))?;
        sent.push(signed);
    }
    drop(secret);
    let mut settled = 0usize;
    let mut rejected = Vec::new();
    for signed in &sent {
        let id = &signed.id();
        match outbox.wait(signed)? {
            Some(status) => match &status.outcome {
                Some(Outcome::Accepted { .. }) => {
                    if let api::TxStatus { action: Action::SettleBatch(batch), .. } = &status {
                        settled += batch.redemptions.len();
                    }
                }
                Some(Outcome::Rejected { message, .. }) => rejected.push(format!("tx {id}: {message}")),
                None => rejected.push(format!("tx {id}: committed without an outcome")),
            },
            None => {
                return Err(Unconfirmed {
                    tx_id: *id,
                    seconds: ctx.settings.wait.as_secs(),
                    detail: "; run the same `settlement record` again: what is recorded is skipped, nothing is \
                             settled twice"
                        .to_owned(),
                }
                .into());
            }
        }
    }
    let object = json!({
        "payout_ref": reference, "settled_now": settled, "already": done, "conflicts": conflicts, "rejected": rejected,
    });
    ctx.out.result(&object, || {
        format!("SETTLED {settled} redemptions of batch {reference} ({done} were already recorded)\n")
    })?;
    if !rejected.is_empty() || !conflicts.is_empty() {
        return Err(Refused(format!(
            "{} settlement transactions were rejected and {} redemptions conflict; run `heitje redemptions --status pending`",
            rejected.len(),
            conflicts.len()
        ))
        .into());
    }
    Ok(())
}
