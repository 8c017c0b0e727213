//! Shop figures: the counter latency of a payment (the resident confirms on one node, the shop's
//! wallet sees it paid on another, as `heitje shop wait` does) and the time to burn and then
//! settle many redemptions. The shop, payer, merchant and treasurer accounts are added to the
//! bench-only genesis; they have their own keys, so the load phases never touch their nonces.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use api::{ReconciliationView, TxState};
use contracts::codec::Encode as _;
use contracts::primitives::{IdempotencyKey, PaymentRef, PayoutRef, RedemptionId};
use contracts::receipt::Outcome;
use contracts::tx::{Action, MAX_SETTLE_BATCH, Pay, Redeem, SettleBatch};
use contracts::{Amount, ChainId, Hash, Nonce, Role, Timestamp, Tx};
use ed25519_dalek::SigningKey;
use genesis::GenesisAccount;

use crate::accounts::{Prepared, id_of};
use crate::client::{self, Client, Submission};
use crate::network::Network;

/// Key-derivation context of the shop figures' keys (bench only, never a real key).
const KEY_CONTEXT: &str = "heitje 2026-11 loadgen bench shop key";

/// The counter target of the issue: confirmation to "PAID" within a second.
pub(crate) const COUNTER_TARGET: Duration = Duration::from_secs(1);
/// How long the shop's wallet waits for one payment (`?wait_ms=`).
const COUNTER_WAIT: Duration = Duration::from_secs(10);
/// Payers taking turns at the counter. Each submits to one node, so its next payment never meets
/// a node that has not yet seen its previous one.
const PAYERS: usize = 8;
/// One payment: 2.50 coins.
const PAYMENT: Amount = Amount(250);
/// Merchants that redeem.
pub(crate) const MERCHANTS: usize = 100;
/// One redemption: 1.00 coin paid out.
const REDEMPTION: Amount = Amount(100);
/// Payout reference of the settlement batches.
const PAYOUT_REFERENCE: &str = "HLN-BENCH-0001";
/// Longest wait for all redemptions to be committed, and again for all to be settled.
const SETTLE_LIMIT: Duration = Duration::from_secs(600);
/// Pause before a transaction refused for now (429 `account_queue_full`, 503) is sent again.
const RETRY_PAUSE: Duration = Duration::from_millis(20);
/// Consecutive unanswered submissions after which a node counts as down.
const UNREACHABLE_LIMIT: u32 = 50;
/// How long one `GET /v1/tx/{id}?wait_ms=` waits.
const TX_WAIT: Duration = Duration::from_secs(20);

/// What the shop figures measure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Payments at the counter, one at a time.
    pub(crate) payments: usize,
    /// Redemptions burned and then settled.
    pub(crate) redemptions: usize,
}

/// The accounts of the shop figures.
#[derive(Debug)]
pub(crate) struct Keys {
    shop: SigningKey,
    payers: Vec<SigningKey>,
    merchants: Vec<SigningKey>,
    treasurer: SigningKey,
}

fn key(label: &str, index: usize) -> SigningKey {
    crate::accounts::labelled_key(KEY_CONTEXT, label, index)
}

impl Keys {
    /// The deterministic keys: one shop, [`PAYERS`] payers, [`MERCHANTS`] merchants and one
    /// treasurer.
    pub(crate) fn new() -> Self {
        Self {
            shop: key("shop", 0),
            payers: (0..PAYERS).map(|i| key("payer", i)).collect(),
            merchants: (0..MERCHANTS).map(|i| key("merchant", i)).collect(),
            treasurer: key("treasurer", 0),
        }
    }

    /// Their genesis entries: the shop and the redeeming merchants with the merchant role, the
    /// payers enrolled and funded, the treasurer with its role. Each merchant holds enough for
    /// `settings.redemptions` spread over all of them (the bench genesis has no redemption fee
    /// or minimum; a fee would come out of the margin).
    pub(crate) fn genesis_accounts(&self, settings: &Settings) -> Vec<GenesisAccount> {
        let account = |key: &SigningKey, roles: Vec<Role>, enrolled: bool, balance: Amount| GenesisAccount {
            address: id_of(key),
            roles,
            enrolled,
            balance,
        };
        let per_merchant = u64::try_from(settings.redemptions.div_ceil(MERCHANTS)).unwrap_or(u64::MAX);
        let merchant_coins = per_merchant.saturating_mul(2).saturating_add(1_000);
        let mut accounts = vec![account(&self.shop, vec![Role::Merchant], false, Amount::ZERO)];
        accounts.extend(self.payers.iter().map(|k| account(k, Vec::new(), true, Amount::coins(1_000_000))));
        accounts.extend(
            self.merchants.iter().map(|k| account(k, vec![Role::Merchant], false, Amount::coins(merchant_coins))),
        );
        accounts.push(account(&self.treasurer, vec![Role::Treasurer], false, Amount::ZERO));
        accounts
    }
}

fn prepare(chain_id: &ChainId, key: &SigningKey, nonce: u64, action: Action) -> Prepared {
    let signed = Tx { chain_id: chain_id.clone(), signer: id_of(key), nonce: Nonce(nonce), action }.sign(key);
    let body = serde_json::json!({ "tx": hex::encode(signed.to_bytes()) }).to_string().into_bytes();
    Prepared { id: signed.id(), body }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Posts `tx` until the node accepts it, sending it again while the node refuses it for now.
/// Returns the node's words when it refuses it for good or stops answering.
fn submit(client: &Client, tx: &Prepared, busy: &mut BTreeMap<String, usize>) -> Result<(), String> {
    let mut unreachable = 0;
    loop {
        match client.submit_once(&tx.body) {
            Submission::Accepted => return Ok(()),
            // After a lost answer the first attempt may have been admitted after all.
            answer if unreachable > 0 && answer.already_there() => return Ok(()),
            Submission::Busy { code } => {
                *busy.entry(code).or_insert(0) += 1;
                std::thread::sleep(RETRY_PAUSE);
            }
            Submission::Refused { status, code, message } => {
                return Err(format!("{} refused transaction {}: {status} {code}: {message}", client.base(), tx.id));
            }
            Submission::Unreachable(err) => {
                unreachable += 1;
                if unreachable >= UNREACHABLE_LIMIT {
                    return Err(format!("{} does not answer: {err}", client.base()));
                }
                std::thread::sleep(RETRY_PAUSE);
            }
        }
    }
}

/// The counter-latency figure.
#[derive(Debug, Clone)]
pub(crate) struct Counter {
    /// Payments attempted.
    pub(crate) payments: usize,
    /// Confirmation-to-paid times of the payments seen paid with the right payer and amount,
    /// sorted.
    pub(crate) latencies: Vec<Duration>,
    /// Those within [`COUNTER_TARGET`].
    pub(crate) within_target: usize,
    /// Failed payments by kind of failure (refused, not paid within the wait, wrong payer or
    /// amount, no answer), with one example each.
    pub(crate) errors: BTreeMap<String, (usize, String)>,
    /// Submissions refused for now and sent again, by code.
    pub(crate) busy: BTreeMap<String, usize>,
}

impl Counter {
    fn error(&mut self, kind: &str, example: String) {
        self.errors.entry(kind.to_owned()).or_insert((0, example)).0 += 1;
    }
}

/// Measures `payments` counter payments one at a time: payment `i` is signed by payer
/// `i mod PAYERS`, posted to that payer's node A, and awaited on a node B ≠ A that changes from
/// one payment to the next.
pub(crate) fn counter(network: &Network, chain_id: &ChainId, keys: &Keys, payments: usize) -> Counter {
    let nodes = network.len().max(1);
    let merchant = id_of(&keys.shop);
    let mut nonces = vec![0u64; keys.payers.len()];
    let mut result = Counter {
        payments,
        latencies: Vec::with_capacity(payments),
        within_target: 0,
        errors: BTreeMap::new(),
        busy: BTreeMap::new(),
    };
    for i in 0..payments {
        let p = i % keys.payers.len();
        let (payer, a) = (&keys.payers[p], p % nodes);
        let b = if nodes > 1 { (a + 1 + (i / keys.payers.len()) % (nodes - 1)) % nodes } else { a };
        let reference = match PaymentRef::new(&format!("BENCH-{i}")) {
            Ok(reference) => reference,
            Err(err) => {
                result.error("bad reference", format!("BENCH-{i}: {err}"));
                continue;
            }
        };
        let pay = Pay {
            merchant,
            amount: PAYMENT,
            reference: reference.clone(),
            expires_at: Timestamp(now_ms().saturating_add(10 * 60 * 1000)),
            till: None,
        };
        let tx = prepare(chain_id, payer, nonces[p], Action::Pay(pay));
        let waiter = network.clients[b].clone();
        let wait_reference = reference.clone();
        let wait = std::thread::spawn(move || {
            let answer = waiter.payment_if_paid(&merchant, wait_reference.as_str(), COUNTER_WAIT);
            (answer, Instant::now())
        });
        let t0 = Instant::now();
        let submitted = submit(&network.clients[a], &tx, &mut result.busy);
        let joined = wait.join();
        if let Err(err) = submitted {
            result.error("refused", format!("payment {reference} to node {}: {err}", a + 1));
            continue;
        }
        nonces[p] += 1;
        let (answer, t1) = match joined {
            Ok(done) => done,
            Err(_) => {
                result.error("waiting thread panicked", format!("payment {reference} on node {}", b + 1));
                continue;
            }
        };
        match answer {
            Ok(Some(view)) if view.payer == id_of(payer) && view.amount == PAYMENT && view.tx_id == tx.id => {
                let latency = t1.saturating_duration_since(t0);
                if latency <= COUNTER_TARGET {
                    result.within_target += 1;
                }
                result.latencies.push(latency);
            }
            Ok(Some(view)) => result.error(
                "wrong payment",
                format!(
                    "node {} reported {reference} paid by {} with {} in {}; expected {} with {PAYMENT} in {}",
                    b + 1,
                    view.payer,
                    view.amount,
                    view.tx_id,
                    id_of(payer),
                    tx.id
                ),
            ),
            Ok(None) => result.error(
                "not paid in time",
                format!("node {} answered not_paid for {reference} after {COUNTER_WAIT:?}", b + 1),
            ),
            Err(err) => result.error("no answer", client::said(err)),
        }
    }
    result.latencies.sort();
    result
}

/// The redemption figures.
#[derive(Debug, Clone)]
pub(crate) struct Settlement {
    /// Redemptions burned and settled.
    pub(crate) redemptions: usize,
    /// Merchants that burned them.
    pub(crate) merchants: usize,
    /// `SettleBatch` transactions of the treasurer.
    pub(crate) batches: usize,
    /// From the first `Redeem` posted until the last one is committed.
    pub(crate) burn: Duration,
    /// From the first `SettleBatch` posted until no redemption is pending and the reconciliation
    /// holds.
    pub(crate) settle: Duration,
    /// Submissions refused for now and sent again, by code (both steps).
    pub(crate) busy: BTreeMap<String, usize>,
}

/// 16 bytes unique per (merchant, redemption).
fn idempotency_key(merchant: usize, index: usize) -> IdempotencyKey {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&u64::try_from(merchant).unwrap_or(u64::MAX).to_le_bytes());
    bytes[8..].copy_from_slice(&u64::try_from(index).unwrap_or(u64::MAX).to_le_bytes());
    IdempotencyKey(bytes)
}

/// Waits until transaction `id` is committed on `client` and accepted by the rules.
fn wait_accepted(client: &Client, id: &Hash, deadline: Instant) -> Result<(), String> {
    loop {
        let status = client.tx(id, Some(TX_WAIT)).map_err(client::said)?;
        match (status.state, status.outcome) {
            (TxState::Committed, Some(Outcome::Accepted { .. })) => return Ok(()),
            (TxState::Committed, Some(Outcome::Rejected { reason, message, .. })) => {
                return Err(format!("transaction {id} was committed but rejected: {reason}: {message}"));
            }
            (TxState::Committed, None) => return Err(format!("transaction {id} is committed without an outcome")),
            (TxState::Pending, _) if Instant::now() >= deadline => {
                return Err(format!("transaction {id} is still pending on {} after the wait", client.base()));
            }
            (TxState::Pending, _) => {}
        }
    }
}

/// Submits each merchant's transactions in nonce order, merchants of one node in turn; a
/// merchant whose queue is full (429) waits while the others go on. Two threads per node.
fn submit_lanes(
    network: &Network,
    lanes: Vec<(usize, Vec<Prepared>)>,
    busy: &mut BTreeMap<String, usize>,
) -> Result<(), String> {
    const THREADS_PER_NODE: usize = 2;
    let nodes = network.len().max(1);
    let mut groups: Vec<Vec<(usize, Vec<Prepared>)>> = (0..nodes * THREADS_PER_NODE).map(|_| Vec::new()).collect();
    for (m, lane) in lanes.into_iter().enumerate() {
        let node = lane.0;
        groups[node * THREADS_PER_NODE + (m / nodes) % THREADS_PER_NODE].push(lane);
    }
    let outcomes: Vec<Result<BTreeMap<String, usize>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .into_iter()
            .filter(|g| !g.is_empty())
            .map(|group| {
                let client = client::connect(network.clients[group[0].0].base());
                scope.spawn(move || submit_group(&client, group))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a submitting thread panicked".into()))).collect()
    });
    for outcome in outcomes {
        for (code, count) in outcome? {
            *busy.entry(code).or_insert(0) += count;
        }
    }
    Ok(())
}

fn submit_group(client: &Client, group: Vec<(usize, Vec<Prepared>)>) -> Result<BTreeMap<String, usize>, String> {
    let mut busy = BTreeMap::new();
    let mut lanes: Vec<(std::vec::IntoIter<Prepared>, Option<Prepared>, Instant)> = group
        .into_iter()
        .map(|(_, txs)| {
            let mut txs = txs.into_iter();
            let next = txs.next();
            (txs, next, Instant::now())
        })
        .collect();
    let mut unreachable = 0;
    while lanes.iter().any(|lane| lane.1.is_some()) {
        let mut sent_any = false;
        for (rest, next, not_before) in &mut lanes {
            let Some(tx) = next.as_ref() else { continue };
            if Instant::now() < *not_before {
                continue;
            }
            match client.submit_once(&tx.body) {
                Submission::Accepted => {
                    *next = rest.next();
                    unreachable = 0;
                    sent_any = true;
                }
                answer if unreachable > 0 && answer.already_there() => {
                    *next = rest.next();
                    unreachable = 0;
                    sent_any = true;
                }
                Submission::Busy { code } => {
                    *busy.entry(code).or_insert(0) += 1;
                    *not_before = Instant::now() + RETRY_PAUSE;
                }
                Submission::Refused { status, code, message } => {
                    return Err(format!("{} refused transaction {}: {status} {code}: {message}", client.base(), tx.id));
                }
                Submission::Unreachable(err) => {
                    unreachable += 1;
                    if unreachable >= UNREACHABLE_LIMIT {
                        return Err(format!("{} does not answer: {err}", client.base()));
                    }
                    *not_before = Instant::now() + RETRY_PAUSE;
                }
            }
        }
        if !sent_any {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    Ok(busy)
}

/// Expects the reconciliation to hold with `pending` still owed.
fn reconciliation_is(view: &ReconciliationView, pending: Amount) -> bool {
    view.redemptions_hold && view.supply_holds && view.pending == pending
}

/// Burns `redemptions` redemptions of 1.00 spread over the merchants (merchant `m` posts its own
/// in nonce order to node `m mod nodes`), waits until all are committed, then has the treasurer
/// settle them in batches of [`MAX_SETTLE_BATCH`] posted to node 1 and waits until none is
/// pending and the reconciliation holds. Returns what went wrong, in words, if a step failed.
pub(crate) fn settlement(
    network: &Network,
    chain_id: &ChainId,
    keys: &Keys,
    redemptions: usize,
) -> Result<Settlement, String> {
    let nodes = network.len().max(1);
    let mut busy = BTreeMap::new();
    let merchants = keys.merchants.len().min(redemptions).max(1);
    let mut lanes: Vec<(usize, Vec<Prepared>)> = (0..merchants).map(|m| (m % nodes, Vec::new())).collect();
    for r in 0..redemptions {
        let (m, index) = (r % merchants, r / merchants);
        let redeem = Redeem { amount: REDEMPTION, key: idempotency_key(m, index) };
        lanes[m].1.push(prepare(chain_id, &keys.merchants[m], index as u64, Action::Redeem(redeem)));
    }
    let last: Vec<(usize, Hash)> = lanes.iter().filter_map(|(node, txs)| Some((*node, txs.last()?.id))).collect();
    let owed = REDEMPTION
        .0
        .checked_mul(redemptions as u64)
        .map(Amount)
        .ok_or_else(|| format!("{redemptions} redemptions of {REDEMPTION} overflow an amount"))?;
    let before = network.clients[0].reconciliation(None).map_err(client::said)?;
    if !reconciliation_is(&before, Amount::ZERO) {
        return Err(format!("before the redemptions the reconciliation does not hold or is not empty: {before:?}"));
    }

    eprintln!("==> burning {redemptions} redemptions from {merchants} merchants");
    let start = Instant::now();
    submit_lanes(network, lanes, &mut busy)?;
    let deadline = start + SETTLE_LIMIT;
    for (node, id) in &last {
        wait_accepted(&network.clients[*node], id, deadline)
            .map_err(|err| format!("redemptions of node {}: {err}", node + 1))?;
    }
    let burn = start.elapsed();
    let pending = network.clients[0].redemptions(Some("pending")).map_err(client::said)?;
    if pending.len() != redemptions {
        return Err(format!(
            "{} redemptions are pending on node 1 after the last ones were committed; expected {redemptions}",
            pending.len()
        ));
    }
    let mut ids: Vec<RedemptionId> = pending.iter().map(|r| r.id).collect();
    ids.sort();

    let reference =
        PayoutRef::new(PAYOUT_REFERENCE).map_err(|e| format!("payout reference {PAYOUT_REFERENCE}: {e}"))?;
    let batches: Vec<Prepared> = ids
        .chunks(MAX_SETTLE_BATCH)
        .enumerate()
        .map(|(nonce, chunk)| {
            let batch = SettleBatch { reference: reference.clone(), redemptions: chunk.to_vec() };
            prepare(chain_id, &keys.treasurer, nonce as u64, Action::SettleBatch(batch))
        })
        .collect();
    let batch_ids: Vec<Hash> = batches.iter().map(|b| b.id).collect();
    eprintln!("==> settling them in {} batches of up to {MAX_SETTLE_BATCH}", batches.len());
    let client = &network.clients[0];
    let start = Instant::now();
    for batch in &batches {
        submit(client, batch, &mut busy)?;
    }
    let deadline = start + SETTLE_LIMIT;
    loop {
        let now = client.reconciliation(None).map_err(client::said)?;
        if reconciliation_is(&now, Amount::ZERO) {
            break;
        }
        if Instant::now() >= deadline {
            // Name the first batch that did not go through, if one was rejected.
            for id in &batch_ids {
                wait_accepted(client, id, Instant::now()).map_err(|err| format!("settlement: {err}"))?;
            }
            return Err(format!("settlement: not all settled after {SETTLE_LIMIT:?}: {now:?}"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let settle = start.elapsed();
    let left = client.redemptions(Some("pending")).map_err(client::said)?;
    if !left.is_empty() {
        return Err(format!(
            "the reconciliation shows nothing pending, but {} redemptions are still pending",
            left.len()
        ));
    }
    let after = client.reconciliation(None).map_err(client::said)?;
    if after.settled.0.checked_sub(before.settled.0) != Some(owed.0) {
        return Err(format!("after settling, {} is settled; expected {owed} more than before", after.settled));
    }
    Ok(Settlement { redemptions, merchants, batches: batch_ids.len(), burn, settle, busy })
}

/// Both shop figures.
#[derive(Debug, Clone)]
pub(crate) struct Figures {
    /// Counter latency.
    pub(crate) counter: Counter,
    /// Burn and settlement, or why they failed.
    pub(crate) settlement: Result<Settlement, String>,
}

/// Measures both figures on the running network.
pub(crate) fn run(network: &Network, chain_id: &ChainId, keys: &Keys, settings: &Settings) -> Figures {
    eprintln!("==> counter: {} payments, one at a time", settings.payments);
    let counter = counter(network, chain_id, keys, settings.payments);
    eprintln!(
        "    paid {} of {}, {} within {COUNTER_TARGET:?}, p50 {:?}, max {:?}",
        counter.latencies.len(),
        counter.payments,
        counter.within_target,
        crate::load::quantile(&counter.latencies, 0.5),
        counter.latencies.last()
    );
    let settlement = settlement(network, chain_id, keys, settings.redemptions);
    match &settlement {
        Ok(s) => eprintln!("    burned in {:?}, settled in {:?}", s.burn, s.settle),
        Err(err) => eprintln!("    redemptions: {err}"),
    }
    Figures { counter, settlement }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_roles_are_in_the_genesis_entries() {
        let keys = Keys::new();
        let settings = Settings { payments: 1, redemptions: 10_000 };
        let accounts = keys.genesis_accounts(&settings);
        let mut addresses: Vec<_> = accounts.iter().map(|a| a.address).collect();
        addresses.sort();
        addresses.dedup();
        assert_eq!(addresses.len(), 1 + PAYERS + MERCHANTS + 1);
        let with = |role| accounts.iter().filter(|a| a.roles.contains(&role)).count();
        assert_eq!((with(Role::Merchant), with(Role::Treasurer)), (1 + MERCHANTS, 1));
        let merchant = accounts.iter().find(|a| a.address == id_of(&keys.merchants[0])).expect("merchant entry");
        assert!(merchant.balance.0 >= 100 * REDEMPTION.0);
    }

    #[test]
    fn idempotency_keys_are_unique_per_merchant_and_index() {
        assert_ne!(idempotency_key(1, 2), idempotency_key(2, 1));
        assert_eq!(idempotency_key(3, 4), idempotency_key(3, 4));
    }
}
