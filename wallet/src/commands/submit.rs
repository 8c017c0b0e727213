//! The life of one transaction from the wallet's side: check the signer is on chain, confirm,
//! unlock, build and sign, submit, wait until final, and report the outcome.

use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use api::{TxState, TxStatus};
use contracts::codec::Encode;
use contracts::tx::MAX_TX_BYTES;
use contracts::{Action, ChainId, Event, Hash, Outcome, Tx};
use serde_json::{Map, Value, json};

use super::context::{Context, not_on_chain};
use super::describe;
use super::failure::{Refused, Unconfirmed};
use crate::client::{self, Client};
use crate::keystore::{Entry, Secret};
use crate::time::format_utc;

/// Longest single long-poll of `GET /v1/tx/{id}`.
const POLL: Duration = Duration::from_secs(10);
/// Pause when the node answers at once instead of holding the request.
const PAUSE: Duration = Duration::from_millis(500);

/// The start of every transaction command: a confirmation must be possible (or `--yes`
/// given) and a signer must be selected, before anything goes over the network.
pub(crate) fn begin(ctx: &Context) -> anyhow::Result<Entry> {
    ctx.require_confirmable()?;
    ctx.selected()
}

/// Confirms, signs and submits the action `prepare` builds, and waits until it is final.
///
/// `prepare` runs after the confirmation and the password, so uploads happen only for
/// transactions the user means to send. Returns the committed status, accepted or rejected.
pub(crate) fn submit(
    ctx: &Context,
    signer: &Entry,
    summary: &str,
    prepare: impl FnOnce(&Client) -> anyhow::Result<Action>,
) -> anyhow::Result<TxStatus> {
    submit_signed(ctx, signer, summary, |client, _, _| prepare(client))
}

/// Like [`submit`], for an action whose preparation signs a request too (an evidence upload):
/// `prepare` gets the unlocked secret and the chain id, so the password is asked once.
pub(crate) fn submit_signed(
    ctx: &Context,
    signer: &Entry,
    summary: &str,
    prepare: impl FnOnce(&Client, &Secret, &ChainId) -> anyhow::Result<Action>,
) -> anyhow::Result<TxStatus> {
    let client = ctx.client();
    let status = client.status()?;
    let chain_id = ChainId::new(&status.chain_id)
        .map_err(|err| anyhow!("the node reports chain id {:?}: {err}", status.chain_id))?;
    client.account(&signer.address).map_err(|err| not_on_chain(&signer.address, err))?;

    ctx.confirm(&format!("{summary}\n  as {} ({}) on {chain_id}", signer.name, signer.address))?;
    let secret = ctx.unlock(signer)?;
    let action = prepare(&client, &secret, &chain_id)?;
    // Read the nonce last: it counts transactions still in the mempool.
    let nonce = client.account(&signer.address).map_err(|err| not_on_chain(&signer.address, err))?.next_nonce;
    let signed = secret.sign(Tx { chain_id, signer: signer.address, nonce, action });
    drop(secret);
    let size = signed.to_bytes().len();
    if size > MAX_TX_BYTES {
        bail!("the signed transaction is {size} bytes, above the limit of {MAX_TX_BYTES}");
    }
    let tx_id = signed.id();

    let submitted = match client.submit(&signed) {
        Ok(submitted) => submitted,
        Err(client::Error::Api { status: 422, code, message }) => {
            return Err(Refused(format!("{message} ({code})")).into());
        }
        // The request may have reached the node before the connection broke.
        Err(err @ client::Error::Unreachable { .. }) if !connection_refused(&err) => {
            return Err(
                Unconfirmed { tx_id, seconds: 0, detail: format!("; the node stopped answering ({err})") }.into()
            );
        }
        Err(err) => return Err(err).context("submitting the transaction"),
    };
    if submitted.tx_id != tx_id {
        ctx.out.warn(&format!("the node reports id {} for transaction {tx_id}", submitted.tx_id));
    }
    ctx.out.note(&format!("Submitted {tx_id}; waiting until it is final…"));
    let detail = match wait(&client, &tx_id, ctx.settings.wait, true) {
        Ok(Some(status)) => return Ok(status),
        Ok(None) => String::new(),
        Err(err) => format!("; the node answered: {err}"),
    };
    // Scripts need the id to look the transaction up later.
    ctx.out.json_only(&json!({
        "tx_id": tx_id,
        "state": TxState::Pending,
        "height": null,
        "block_hash": null,
        "outcome": null,
    }))?;
    Err(Unconfirmed { tx_id, seconds: ctx.settings.wait.as_secs(), detail }.into())
}

/// Whether the node refused the connection outright, so nothing was sent.
fn connection_refused(err: &client::Error) -> bool {
    match err {
        client::Error::Unreachable { detail, .. } => {
            detail.starts_with("connection failed") || detail.starts_with("host name not found")
        }
        _ => false,
    }
}

/// Long-polls `GET /v1/tx/{id}` until the transaction is committed or `total` has passed.
/// `None` means still pending (or not yet visible) at the end. After a submission
/// (`just_submitted`), "not found" and a node that stops answering are retried.
pub(crate) fn wait(
    client: &Client,
    tx_id: &Hash,
    total: Duration,
    just_submitted: bool,
) -> Result<Option<TxStatus>, client::Error> {
    let start = Instant::now();
    loop {
        let remaining = total.saturating_sub(start.elapsed());
        if remaining.is_zero() {
            return Ok(None);
        }
        let asked = Instant::now();
        match client.tx(tx_id, Some(remaining.min(POLL))) {
            Ok(status) if status.state == TxState::Committed => return Ok(Some(status)),
            Ok(_) => {}
            Err(err)
                if just_submitted
                    && (err.status() == Some(404) || matches!(err, client::Error::Unreachable { .. })) => {}
            Err(err) => return Err(err),
        }
        // A node that answers at once instead of holding the request: do not spin.
        if asked.elapsed() < PAUSE {
            std::thread::sleep(PAUSE.min(total.saturating_sub(start.elapsed())));
        }
    }
}

/// Prints a committed transaction: the headline and its events, or the rejection (exit 1).
///
/// In JSON mode the object is the [`TxStatus`] plus `extra` (ids the command learned).
pub(crate) fn report(
    ctx: &Context,
    status: &TxStatus,
    headline: Option<String>,
    extra: Map<String, Value>,
) -> anyhow::Result<()> {
    let mut object = match serde_json::to_value(status)? {
        Value::Object(object) => object,
        other => bail!("unexpected transaction status shape: {other}"),
    };
    object.extend(extra);
    let height = status.height.map_or_else(|| "?".to_owned(), |h| h.to_string());
    match &status.outcome {
        Some(Outcome::Accepted { events }) => ctx.out.result(&object, || {
            let mut text =
                headline.unwrap_or_else(|| format!("ACCEPTED (final at height {height}, tx {})", status.tx_id));
            text.push('\n');
            for event in events {
                text.push_str(&format!("  - {}\n", describe::event(event)));
            }
            if let Some(time) = status.time {
                text.push_str(&format!("  block time {} UTC\n", format_utc(time)));
            }
            text
        })?,
        Some(Outcome::Rejected { reason, message, .. }) => {
            ctx.out.json_only(&object)?;
            return Err(Refused(format!(
                "the ledger rejected transaction {} at height {height}: {message} ({reason})",
                status.tx_id
            ))
            .into());
        }
        None => bail!("the node reports transaction {} as committed without an outcome", status.tx_id),
    }
    Ok(())
}

/// The events of an accepted outcome (none for a rejection).
pub(crate) fn events(status: &TxStatus) -> &[Event] {
    match &status.outcome {
        Some(Outcome::Accepted { events }) => events,
        _ => &[],
    }
}

/// "(final at height H, tx ID)".
pub(crate) fn finality(status: &TxStatus) -> String {
    let height = status.height.map_or_else(|| "?".to_owned(), |h| h.to_string());
    format!("(final at height {height}, tx {})", status.tx_id)
}

/// A JSON map from pairs.
pub(crate) fn extra<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(key, value)| (key.to_owned(), value)).collect()
}
