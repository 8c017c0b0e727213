//! `shop redeem`: a registered shop burns coins; the treasurer then pays out the euros.
//!
//! R-RED-3: every redemption carries an idempotency key. The wallet writes the key to
//! `pending-redemptions.json` in its directory before it sends anything, and removes it only
//! when the outcome is final. If the wallet, the network or a node fails in between, running
//! the same command again reuses the key: the ledger then burns nothing twice and answers with
//! the redemption the first attempt made.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use contracts::primitives::IdempotencyKey;
use contracts::tx::Redeem;
use contracts::{AccountId, Action, Amount, Event, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::context::Context;
use super::failure::Refused;
use super::submit::{self, begin, events, extra, finality, report};
use crate::time::{format_utc, now_ms};

const FILE: &str = "pending-redemptions.json";

/// A redemption sent but not yet known to be final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    merchant: AccountId,
    amount: Amount,
    /// The idempotency key, hex.
    key: String,
    started_ms: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PendingFile {
    version: u32,
    pending: Vec<Pending>,
}

fn path(ctx: &Context) -> PathBuf {
    ctx.settings.home.join(FILE)
}

fn load(path: &Path) -> anyhow::Result<PendingFile> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is damaged; it holds the keys of unfinished redemptions. Check `heitje redemptions` \
                 before removing it",
                path.display()
            )
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(PendingFile { version: 1, pending: vec![] }),
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes the file and syncs it to disk before the redemption is sent.
fn save(path: &Path, file: &PendingFile) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::atomic_file::write(path, &serde_json::to_vec_pretty(file)?)
        .with_context(|| format!("writing {}", path.display()))
}

fn parse_key(hex_key: &str) -> anyhow::Result<IdempotencyKey> {
    let bytes = hex::decode(hex_key).map_err(|e| anyhow!("a pending redemption key is not hex: {e}"))?;
    let key: [u8; 16] = bytes.try_into().map_err(|_| anyhow!("a pending redemption key is not 16 bytes"))?;
    Ok(IdempotencyKey(key))
}

/// `shop redeem AMOUNT`.
pub(crate) fn redeem(ctx: &Context, amount: Amount) -> anyhow::Result<()> {
    if amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    let signer = begin(ctx)?;
    let file_path = path(ctx);
    let mut file = load(&file_path)?;
    let merchant = signer.address;
    let existing = file.pending.iter().find(|p| p.merchant == merchant && p.amount == amount).cloned();
    for other in file.pending.iter().filter(|p| p.merchant == merchant && p.amount != amount) {
        ctx.out.warn(&format!(
            "an earlier redemption of {} (started {} UTC) did not finish; run `heitje shop redeem {}` to finish it",
            other.amount,
            format_utc(contracts::Timestamp(other.started_ms)),
            other.amount
        ));
    }
    let entry = match existing {
        Some(entry) => {
            ctx.out.note(&format!(
                "Finishing the redemption of {amount} started {} UTC, with the same idempotency key: it burns at most once",
                format_utc(contracts::Timestamp(entry.started_ms))
            ));
            entry
        }
        None => {
            let mut key = [0u8; 16];
            getrandom::getrandom(&mut key).map_err(|err| anyhow!("drawing an idempotency key: {err}"))?;
            Pending { merchant, amount, key: hex::encode(key), started_ms: now_ms() }
        }
    };
    let key = parse_key(&entry.key)?;
    let summary = format!("Redeem {amount} coins: they are burned and EUR {amount} is owed to you");
    let status = submit::submit(ctx, &signer, &summary, |_| {
        // Recorded before anything is sent: a crash from here on leaves the key for the retry.
        if !file.pending.contains(&entry) {
            file.pending.push(entry.clone());
            save(&file_path, &file)?;
        }
        Ok(Action::Redeem(Redeem { amount, key }))
    });
    let status = match status {
        Ok(status) => status,
        Err(err) => {
            // A refusal at submission burned nothing: forget the key. Anything else keeps it.
            if err.chain().any(|cause| cause.is::<Refused>()) {
                forget(&file_path, &entry)?;
            } else {
                ctx.out.note(&format!(
                    "The redemption may or may not be final; run `heitje shop redeem {amount}` again to finish it \
                     (it reuses the same key and never burns twice)"
                ));
            }
            return Err(err);
        }
    };
    if matches!(status.outcome, Some(Outcome::Accepted { .. } | Outcome::Rejected { .. })) {
        forget(&file_path, &entry)?;
    }
    let mut replayed = false;
    let redemption = events(&status).iter().find_map(|event| match event {
        Event::Redeemed { redemption, .. } => Some(*redemption),
        Event::RedemptionReplayed { redemption } => {
            replayed = true;
            Some(*redemption)
        }
        _ => None,
    });
    let (headline, extra) = match redemption {
        Some(id) if replayed => (
            format!(
                "ALREADY REDEEMED: the earlier attempt made redemption {id}; nothing more was burned {}",
                finality(&status)
            ),
            extra([("redemption", json!(id)), ("replayed", json!(true))]),
        ),
        Some(id) => (
            format!("REDEEMED {amount}: redemption {id}, the treasurer pays out EUR {amount} {}", finality(&status)),
            extra([("redemption", json!(id)), ("replayed", json!(false))]),
        ),
        None => (format!("REDEEMED {amount} {}", finality(&status)), extra([])),
    };
    report(ctx, &status, Some(headline), extra)
}

fn forget(path: &Path, entry: &Pending) -> anyhow::Result<()> {
    let mut file = load(path)?;
    file.pending.retain(|p| p != entry);
    save(path, &file)
}
