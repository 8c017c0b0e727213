//! `heitje evidence`: read, list and erase work evidence (every read is logged by the node).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use clap::Subcommand;
use contracts::Hash;
use serde_json::json;

use super::task::format_location;
use crate::context::{Context, signer};
use crate::formats::time::format_utc;
use crate::output::{Table, fields};

/// `heitje evidence …`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Read work evidence: as a drawn verifier, the officer who posted the task, or the
    /// resident who submitted it. The node records the read in its audit log.
    Get {
        /// The commitment (64 hex characters), as shown by `heitje task show`.
        commitment: String,
        /// Directory to write the photos to (created if missing; files are never overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Resident: erase your evidence on every node (the record and its key). Allowed once the
    /// claim is final, or if it was never submitted; refused while it is under review.
    Erase {
        /// The commitment (64 hex characters).
        commitment: String,
    },
    /// Resident: your evidence records on the node, live or erased, and who read them.
    List,
}

/// Runs `heitje evidence …`.
pub(crate) fn run(ctx: &Context, command: EvidenceCommand) -> anyhow::Result<()> {
    match command {
        EvidenceCommand::Get { commitment, out } => get(ctx, &commitment, &out),
        EvidenceCommand::Erase { commitment } => erase(ctx, &commitment),
        EvidenceCommand::List => list(ctx),
    }
}

fn commitment_arg(text: &str) -> anyhow::Result<Hash> {
    Hash::from_hex(text.trim()).map_err(|err| anyhow!("commitment {text:?} is not valid: {err}"))
}

/// `evidence get COMMITMENT --out DIR`: writes the photos as files in DIR (created if missing;
/// existing files are never overwritten) and prints the note and location.
pub(crate) fn get(ctx: &Context, commitment: &str, out: &Path) -> anyhow::Result<()> {
    let commitment = commitment_arg(commitment)?;
    let me = ctx.selected()?;
    let client = ctx.client();
    let secret = ctx.unlock(&me)?;
    let view = client.evidence(&commitment, signer(&secret)?)?;
    drop(secret);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut files = Vec::new();
    for (index, photo) in view.bundle.photos().iter().enumerate() {
        let extension = match photo.format() {
            evidence::Format::Jpeg => "jpg",
            evidence::Format::Png => "png",
        };
        let path = out.join(format!("claim-{}-photo-{}.{extension}", view.claim, index + 1));
        crate::store::atomic_file::write_new(&path, photo.bytes())
            .with_context(|| format!("creating {} (it must not exist yet; choose another --out)", path.display()))?;
        files.push(path);
    }
    let location = view.bundle.location().map(format_location);
    let value = json!({
        "commitment": commitment,
        "claim": view.claim,
        "owner": view.owner,
        "sealed_at": view.sealed_at,
        "retain_until": view.retain_until,
        "purpose": view.purpose,
        "photos": files,
        "note": view.bundle.note(),
        "location": location,
    });
    ctx.out.result(&value, || {
        let written = if files.is_empty() {
            "(no photos)".to_owned()
        } else {
            files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        };
        fields(&[
            ("Evidence", commitment.to_string()),
            ("Claim", view.claim.to_string()),
            ("Photos", written),
            ("Note", view.bundle.note().unwrap_or("(none)").to_owned()),
            ("Location", location.clone().unwrap_or_else(|| "(none)".into())),
            ("Erased by", format!("{} UTC", format_utc(view.retain_until))),
            ("Note", "this read is recorded in the node's audit log".into()),
        ])
    })?;
    Ok(())
}

/// `evidence erase COMMITMENT`: the owner asks every node to destroy the record and its key.
/// Refused while the work is under review, in its objection window or objected.
pub(crate) fn erase(ctx: &Context, commitment: &str) -> anyhow::Result<()> {
    let commitment = commitment_arg(commitment)?;
    ctx.require_confirmable()?;
    let me = ctx.selected()?;
    let client = ctx.client();
    ctx.confirm(&format!(
        "Erase evidence {commitment} for good: every node destroys the record and its key; the commitment on \
         chain stays, linked to nothing\n  as {} ({})",
        me.name, me.address
    ))?;
    let secret = ctx.unlock(&me)?;
    let erased = client.erase_evidence(&commitment, signer(&secret)?).map_err(|err| match err.status() {
        Some(409) => anyhow!("{err}"),
        _ => anyhow::Error::new(err).context("asking the node to erase the evidence"),
    })?;
    drop(secret);
    ctx.out.result(&erased, || {
        let when = format_utc(erased.erased_at);
        if erased.already {
            format!("ALREADY ERASED evidence {commitment} on {when} UTC ({})", erased.reason.name())
        } else {
            format!("ERASED evidence {commitment} of claim {} on {when} UTC; the other nodes follow", erased.claim)
        }
    })?;
    Ok(())
}

/// `evidence list`: every evidence record of the selected account on the node, live or erased,
/// without content, with who read it and why.
pub(crate) fn list(ctx: &Context) -> anyhow::Result<()> {
    let me = ctx.selected()?;
    let client = ctx.client();
    let secret = ctx.unlock(&me)?;
    let listing = client.evidence_records(&me.address, signer(&secret)?)?;
    drop(secret);
    if listing.owner != me.address {
        bail!("the node listed the records of {}, not of {}", listing.owner, me.address);
    }
    ctx.out.result(&listing, || {
        let mut table = Table::new(&["COMMITMENT", "CLAIM", "PHOTOS", "NOTE", "LOCATION", "STATUS", "READS"]);
        for record in &listing.records {
            let photos: Vec<String> = record.photos.iter().map(|p| format!("{} {} B", p.format, p.bytes)).collect();
            let status = match (record.erased_at, record.erased_reason) {
                (Some(at), Some(reason)) => format!("erased {} ({})", format_utc(at), reason.name()),
                _ => format!("kept until {}", format_utc(record.retain_until)),
            };
            let reads: Vec<String> =
                record.reads.iter().map(|r| format!("{} {} ({})", format_utc(r.time), r.reader, r.purpose)).collect();
            table.row(vec![
                record.commitment.to_string(),
                record.claim.to_string(),
                if photos.is_empty() { "-".into() } else { photos.join(", ") },
                if record.has_note { "yes" } else { "no" }.into(),
                if record.has_location { "yes" } else { "no" }.into(),
                status,
                if reads.is_empty() { "-".into() } else { reads.join("; ") },
            ]);
        }
        if table.is_empty() { "No evidence records on this node.".to_owned() } else { table.render() }
    })?;
    Ok(())
}
