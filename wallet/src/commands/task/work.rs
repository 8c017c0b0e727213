//! `task claim` and `task submit`: a resident claims a slot and submits the work with evidence
//! (photos stripped of their metadata on this device, a note, a rounded location).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use contracts::primitives::{ClaimId, TaskId};
use contracts::tx::{ClaimTask, SubmitWork};
use contracts::{Action, Event, Timestamp};
use evidence::{Bundle, Location, strip_photo};
use serde_json::json;

use crate::context::Context;
use crate::formats::time::{format_utc, now_ms};
use crate::submit::{self, begin, events, extra, finality, report};

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
    let status = submit::submit_signed(ctx, &signer, &summary, |client, secret, _chain| {
        let uploaded = client
            .upload_evidence(claim, retain_until, &bytes, crate::context::signer(secret)?)
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

/// `LAT,LON` in decimal degrees with six decimals, as `--location` reads it.
pub(crate) fn format_location(location: Location) -> String {
    let degrees = |micro: i32| {
        let sign = if micro < 0 { "-" } else { "" };
        let abs = micro.unsigned_abs();
        format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
    };
    format!("{},{}", degrees(location.lat_microdeg), degrees(location.lon_microdeg))
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

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn locations_never_panic(text in "\\PC{0,40}") {
                let _ = parse_location(&text);
            }

            #[test]
            fn location_like_text_never_panics(text in "[-+0-9., ]{0,30}") {
                let _ = parse_location(&text);
            }

            #[test]
            fn degrees_with_six_decimals_read_back_exactly(micro in -180_000_000i32..=180_000_000) {
                let sign = if micro < 0 { "-" } else { "" };
                let abs = micro.unsigned_abs();
                let text = format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000);
                prop_assert_eq!(microdegrees(&text), Some(micro));
            }
        }
    }
}
