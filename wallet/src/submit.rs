//! The life of one transaction from the wallet's side: check the signer is on chain, confirm,
//! unlock, build and sign, submit, wait until final, and report the outcome.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use api::{AccountView, TxState, TxStatus};
use contracts::codec::Encode;
use contracts::tx::MAX_TX_BYTES;
use contracts::{AccountId, Action, ChainId, Event, Hash, Height, Nonce, Outcome, SignedTx, Tx};
use serde_json::{Map, Value, json};

use crate::client::{self, Client};
use crate::context::{Context, not_on_chain};
use crate::describe;
use crate::failure::{Refused, Unconfirmed};
use crate::formats::time::format_utc;
use crate::store::keystore::{Entry, Secret};
use crate::store::nonces::Journal;

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
    let mut outbox = Outbox::open(ctx, &client, signer)?;
    ctx.confirm(&format!("{summary}\n  as {} ({}) on {}", signer.name, signer.address, outbox.chain_id))?;
    let secret = ctx.unlock(signer)?;
    let action = prepare(&client, &secret, &outbox.chain_id)?;
    let signed = outbox.send(&secret, action)?;
    drop(secret);
    let tx_id = signed.id();
    ctx.out.note(&format!("Submitted {tx_id}; waiting until it is final…"));
    let detail = match outbox.wait(&signed) {
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

/// Signs one account's transactions with nonces its [`Journal`] allows, sends them to a node
/// that is current, and follows them until they are final (issue 18).
///
/// Every transaction this returns as sent was created by this command with a nonce the wallet
/// never signed before, so a commit of its id is a commit of this command's transaction, never
/// of an earlier one with the same bytes.
pub(crate) struct Outbox<'a> {
    ctx: &'a Context,
    client: &'a Client,
    journal: Journal,
    account: AccountId,
    /// The chain the node serves.
    pub(crate) chain_id: ChainId,
}

impl<'a> Outbox<'a> {
    /// Locks the account's nonce record and checks, at a node that is current, that the
    /// account is on chain.
    pub(crate) fn open(ctx: &'a Context, client: &'a Client, signer: &Entry) -> anyhow::Result<Self> {
        let status = client.status()?;
        let chain_id = ChainId::new(&status.chain_id)
            .map_err(|err| anyhow!("the node reports chain id {:?}: {err}", status.chain_id))?;
        let journal = Journal::open(&ctx.settings.home, &status.genesis_hash, &signer.address, || {
            ctx.out.note(&format!("Another heitje command is sending from {}; waiting for it…", signer.name));
        })?;
        let mut outbox = Self { ctx, client, journal, account: signer.address, chain_id };
        outbox.settle_outstanding()?;
        outbox.finish_outstanding()?;
        Ok(outbox)
    }

    /// Waits until the transactions earlier commands signed are final, so that this command
    /// builds on the state they leave (a settlement that an earlier run sent is not sent twice).
    fn finish_outstanding(&mut self) -> anyhow::Result<()> {
        for earlier in self.journal.outstanding().to_vec() {
            let Some(signed) = earlier.signed() else { continue };
            let tx_id = earlier.tx_id;
            self.ctx.out.note(&format!("Waiting until earlier transaction {tx_id} is final…"));
            match self.wait(&signed)? {
                Some(status) => {
                    let height = status.height.map_or_else(|| "?".to_owned(), |h| h.to_string());
                    self.ctx.out.note(&format!("Earlier transaction {tx_id} is final at height {height}."));
                }
                None => {
                    return Err(Unconfirmed {
                        tx_id,
                        seconds: self.ctx.settings.wait.as_secs(),
                        detail: "; an earlier command signed it and this one waits for it first: nothing new was \
                                 signed"
                            .to_owned(),
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// The account at a node that is current and has committed this wallet's last transaction;
    /// while every node is catching up, waits up to `--wait`.
    fn account_view(&self) -> anyhow::Result<AccountView> {
        let min_height = self.journal.min_height();
        patiently(self.ctx, || self.client.account_since(&self.account, min_height))
            .map_err(|err| not_on_chain(&self.account, err))
    }

    /// Signs `action` with the next nonce and sends it. The transaction is on record before
    /// its bytes leave the machine.
    pub(crate) fn send(&mut self, secret: &Secret, action: Action) -> anyhow::Result<SignedTx> {
        let nonce = self.journal.next_nonce(self.account_view()?.next_nonce);
        let signed = secret.sign(Tx { chain_id: self.chain_id.clone(), signer: self.account, nonce, action });
        let size = signed.to_bytes().len();
        if size > MAX_TX_BYTES {
            bail!("the signed transaction is {size} bytes, above the limit of {MAX_TX_BYTES}");
        }
        self.journal.signed(&signed)?;
        let tx_id = signed.id();
        match self.post(&signed) {
            Ok(()) => Ok(signed),
            Err(Post::Refused(message)) => {
                self.journal.release(&tx_id)?;
                Err(Refused(message).into())
            }
            Err(Post::AlreadyCommitted(message, height)) => {
                self.journal.committed(&tx_id, height)?;
                Err(Refused(format!("{message}; this wallet's nonce record was missing or is used by another wallet"))
                    .into())
            }
            Err(Post::NotSent(err)) => {
                self.journal.release(&tx_id)?;
                Err(anyhow::Error::new(err).context("submitting the transaction; nothing was sent"))
            }
            Err(Post::Unknown(err)) => Err(Unconfirmed {
                tx_id,
                seconds: 0,
                detail: format!("; the node stopped answering ({err}); the next command sends it again if needed"),
            }
            .into()),
        }
    }

    /// Sends `signed` to a current node that has committed this wallet's last transaction.
    fn post(&self, signed: &SignedTx) -> Result<(), Post> {
        match patiently(self.ctx, || self.client.submit(signed, self.journal.min_height())) {
            Ok(submitted) => {
                if submitted.tx_id != signed.id() {
                    self.ctx.out.warn(&format!(
                        "the node reports id {} for transaction {}",
                        submitted.tx_id,
                        signed.id()
                    ));
                }
                Ok(())
            }
            // Already pending at that node: the same transaction, nothing more to send.
            Err(client::Error::Api { status: 409, code, .. }) if code == "duplicate" => Ok(()),
            Err(client::Error::Api { status: 409, code, message }) if code == "already_committed" => {
                match self.client.tx(&signed.id(), None) {
                    Ok(TxStatus { height: Some(height), .. }) => Err(Post::AlreadyCommitted(message, height)),
                    _ => Err(Post::Refused(format!("{message} ({code})"))),
                }
            }
            Err(client::Error::Api { status: 503, code, message }) => Err(Post::NotSent(client::Error::Api {
                status: 503,
                code,
                message: format!("{message}; no configured node could take it within the wait"),
            })),
            Err(client::Error::Api { code, message, .. }) => Err(Post::Refused(format!("{message} ({code})"))),
            Err(err @ client::Error::Unreachable { .. }) if connection_refused(&err) => Err(Post::NotSent(err)),
            Err(err) => Err(Post::Unknown(err)),
        }
    }

    /// Settles the transactions earlier commands signed but did not see committed, in nonce
    /// order:
    /// - committed: noted with its height;
    /// - pending at the node: left to commit;
    /// - unknown to the node at exactly its next nonce: sent again, the same bytes;
    /// - unknown, with the nonce taken by another transaction: never commits (a warning);
    /// - refused when sent again: dropped, with the node's reason.
    fn settle_outstanding(&mut self) -> anyhow::Result<()> {
        let mut node_next = self.account_view()?.next_nonce;
        for earlier in self.journal.outstanding().to_vec() {
            let tx_id = earlier.tx_id;
            match self.client.tx(&tx_id, None) {
                Ok(TxStatus { state: TxState::Committed, height: Some(height), .. }) => {
                    self.journal.committed(&tx_id, height)?;
                    self.ctx.out.note(&format!("Earlier transaction {tx_id} is final at height {height}."));
                }
                Ok(_) => {}
                Err(err) if err.status() == Some(404) => {
                    if earlier.nonce < node_next {
                        self.journal.superseded(&tx_id)?;
                        self.ctx.out.warn(&format!(
                            "earlier transaction {tx_id} (nonce {}) will never be committed: another transaction \
                             with that nonce was, signed elsewhere with this account's key",
                            earlier.nonce
                        ));
                        continue;
                    }
                    if earlier.nonce > node_next {
                        continue;
                    }
                    let Some(signed) = earlier.signed() else { continue };
                    self.ctx.out.note(&format!(
                        "Sending earlier transaction {tx_id} (nonce {}) again: its outcome was not known and the \
                         node does not have it.",
                        earlier.nonce
                    ));
                    match self.post(&signed) {
                        Ok(()) => node_next = Nonce(node_next.0.saturating_add(1)),
                        Err(Post::AlreadyCommitted(_, height)) => self.journal.committed(&tx_id, height)?,
                        Err(Post::Refused(message)) => {
                            self.journal.release(&tx_id)?;
                            self.ctx
                                .out
                                .warn(&format!("earlier transaction {tx_id} was refused now and dropped: {message}"));
                        }
                        Err(Post::NotSent(err) | Post::Unknown(err)) => {
                            return Err(anyhow::Error::new(err).context(format!(
                                "sending earlier transaction {tx_id} again; nothing new was signed"
                            )));
                        }
                    }
                }
                Err(err) => {
                    return Err(anyhow::Error::new(err).context(format!("looking up earlier transaction {tx_id}")));
                }
            }
        }
        Ok(())
    }

    /// Waits until `signed` is final (or `--wait` has passed: `None`), sending the same bytes
    /// again to a node that does not know it (the node it went to may have died before passing
    /// it on). A commit is put on record.
    pub(crate) fn wait(&mut self, signed: &SignedTx) -> Result<Option<TxStatus>, client::Error> {
        let status = wait_resending(self.client, signed, self.ctx.settings.wait, self.journal.min_height())?;
        if let Some(TxStatus { height: Some(height), .. }) = &status
            && let Err(err) = self.journal.committed(&signed.id(), *height)
        {
            self.ctx.out.warn(&format!("the transaction is final, but the nonce record was not updated: {err}"));
        }
        Ok(status)
    }
}

/// How a submission ended, for the nonce record.
enum Post {
    /// A node answered and did not admit it (no node holds it).
    Refused(String),
    /// The same bytes are already in a block (the message and its height).
    AlreadyCommitted(String, Height),
    /// No node took it and it certainly never left this machine for one.
    NotSent(client::Error),
    /// It may have reached a node.
    Unknown(client::Error),
}

/// Repeats `request` while every configured node answers that it is catching up or behind,
/// until `--wait` has passed.
fn patiently<T>(ctx: &Context, mut request: impl FnMut() -> Result<T, client::Error>) -> Result<T, client::Error> {
    let deadline = Instant::now() + ctx.settings.wait;
    let mut told = false;
    loop {
        match request() {
            Err(err) if catching_up(&err) && Instant::now() < deadline => {
                if !told {
                    ctx.out.note(&format!("No configured node is current yet ({err}); waiting…"));
                    told = true;
                }
                std::thread::sleep(PAUSE.saturating_mul(2).min(deadline.saturating_duration_since(Instant::now())));
            }
            answer => return answer,
        }
    }
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

/// Whether the node refused because it is catching up or behind the wallet's last height.
fn catching_up(err: &client::Error) -> bool {
    matches!(err, client::Error::Api { status: 503, code, .. } if code == "syncing" || code == "behind")
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
    poll(client, tx_id, total, just_submitted, || {})
}

/// [`wait`] after a submission that sends `signed` again whenever a node does not know it (the
/// same bytes: a node that has it already, pending or committed, takes nothing new).
fn wait_resending(
    client: &Client,
    signed: &SignedTx,
    total: Duration,
    min_height: Height,
) -> Result<Option<TxStatus>, client::Error> {
    poll(client, &signed.id(), total, true, || {
        let _ = client.submit(signed, min_height);
    })
}

fn poll(
    client: &Client,
    tx_id: &Hash,
    total: Duration,
    just_submitted: bool,
    mut unknown: impl FnMut(),
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
            Err(err) if just_submitted && err.status() == Some(404) => unknown(),
            Err(err) if just_submitted && matches!(err, client::Error::Unreachable { .. }) => {}
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
