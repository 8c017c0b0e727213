//! A tiny stand-in for the node's HTTP API on loopback, enough to drive the wallet's
//! transaction pipeline: status, accounts, submission (signature checked), receipts and uploads.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};

use api::{AccountView, Status, Stored, SubmitTx, Submitted, TxState, TxStatus};
use contracts::crypto::HashKind;
use contracts::primitives::{ProposalId, RedemptionId, TaskId};
use contracts::{AccountId, Action, Amount, Event, Hash, Height, Nonce, Outcome, Role, SignedTx, Timestamp};

pub(crate) const CHAIN_ID: &str = "heerlen-test";
pub(crate) const NONCE: u64 = 3;
pub(crate) const HEIGHT: u64 = 7;

/// What the fake node does with a submitted transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Committed with events.
    Accept,
    /// 422 at submission.
    RefuseAtSubmit,
    /// Committed with a rejected receipt.
    RejectInReceipt,
    /// Stays pending forever.
    NeverCommit,
}

/// One HTTP request as the node saw it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) content_type: Option<String>,
    pub(crate) authorization: Option<String>,
    pub(crate) body: Vec<u8>,
}

#[derive(Default)]
struct State {
    seen: Vec<Request>,
    txs: BTreeMap<Hash, SignedTx>,
}

pub(crate) struct FakeNode {
    pub(crate) url: String,
    state: Arc<Mutex<State>>,
}

impl FakeNode {
    /// Starts the node; `accounts` are known, with their roles.
    pub(crate) fn start(mode: Mode, accounts: Vec<(AccountId, Vec<Role>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("bind: {err}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_else(|err| panic!("addr: {err}"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let accounts: BTreeMap<AccountId, Vec<Role>> = accounts.into_iter().collect();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, mode, &accounts, &shared);
            }
        });
        Self { url: format!("http://127.0.0.1:{port}"), state }
    }

    /// Every request so far.
    pub(crate) fn seen(&self) -> Vec<Request> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).seen.clone()
    }

    /// Every transaction submitted so far (signatures already checked).
    pub(crate) fn submitted(&self) -> Vec<SignedTx> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).txs.values().cloned().collect()
    }
}

fn serve(stream: TcpStream, mode: Mode, accounts: &BTreeMap<AccountId, Vec<Role>>, state: &Mutex<State>) {
    let Some(request) = read_request(&stream) else { return };
    let (status, body) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.seen.push(request.clone());
        answer(&request, mode, accounts, &mut state)
    };
    let reason = match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), query.to_owned()),
        None => (target, String::new()),
    };
    let mut length = 0usize;
    let mut content_type = None;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "content-type" => content_type = Some(value.trim().to_owned()),
            "authorization" => authorization = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, query, content_type, authorization, body })
}

fn json<T: serde::Serialize>(status: u16, value: &T) -> (u16, String) {
    (status, serde_json::to_string(value).unwrap_or_default())
}

fn error(status: u16, code: &str, message: &str) -> (u16, String) {
    json(status, &api::ErrorBody { error: code.to_owned(), message: message.to_owned() })
}

fn answer(
    request: &Request,
    mode: Mode,
    accounts: &BTreeMap<AccountId, Vec<Role>>,
    state: &mut State,
) -> (u16, String) {
    let path = request.path.as_str();
    match (request.method.as_str(), path) {
        ("GET", "/v1/status") => json(
            200,
            &Status {
                chain_id: CHAIN_ID.to_owned(),
                genesis_hash: Hash([1; 32]),
                height: Height(HEIGHT - 1),
                block_hash: Hash([2; 32]),
                state_root: Hash([3; 32]),
                time: Timestamp(1_795_435_200_000),
                mempool: 0,
                validator: NODE,
                caught_up: true,
                network_height: Height(0),
                proposal_faults: api::ProposalFaultsView::default(),
            },
        ),
        ("GET", _) if path.starts_with("/v1/accounts/") => {
            let text = path.trim_start_matches("/v1/accounts/");
            match AccountId::from_address(text).ok().and_then(|id| accounts.get(&id).map(|roles| (id, roles))) {
                Some((address, roles)) => json(
                    200,
                    &AccountView {
                        address,
                        balance: Amount::coins(100),
                        nonce: Nonce(NONCE),
                        next_nonce: Nonce(NONCE),
                        roles: roles.clone(),
                        enrolled: true,
                        height: Height(HEIGHT - 1),
                    },
                ),
                None => error(404, "unknown_account", "no such account on this chain"),
            }
        }
        ("POST", "/v1/tx") => {
            let Ok(submit) = serde_json::from_slice::<SubmitTx>(&request.body) else {
                return error(400, "malformed_json", "body is not a SubmitTx");
            };
            let Ok(bytes) = hex::decode(&submit.tx) else {
                return error(400, "bad_hex", "tx is not hex");
            };
            let Ok(signed) = SignedTx::decode_checked(&bytes) else {
                return error(400, "malformed_tx", "tx does not decode");
            };
            if signed.verify_signature().is_err() {
                return error(401, "bad_signature", "signature does not verify");
            }
            if mode == Mode::RefuseAtSubmit {
                return error(422, "insufficient_balance", "balance 100.00 is below the 500.00 needed");
            }
            let tx_id = signed.id();
            state.txs.insert(tx_id, signed);
            json(202, &Submitted { tx_id, status: "pending".to_owned() })
        }
        ("GET", _) if path.starts_with("/v1/tx/") => {
            let id = Hash::from_hex(path.trim_start_matches("/v1/tx/")).ok();
            let Some(signed) = id.and_then(|id| state.txs.get(&id)) else {
                return error(404, "unknown_tx", "no such transaction");
            };
            json(200, &tx_status(signed, mode))
        }
        ("POST", "/v1/documents") => {
            if let Err(refusal) = check_signed(request, "/v1/documents") {
                return refusal;
            }
            json(200, &Stored { commitment: HashKind::Document.hash(&request.body), size: request.body.len() })
        }
        ("POST", "/v1/evidence") => upload_evidence(request),
        _ => error(404, "not_found", "no such endpoint"),
    }
}

/// This node's validator address, as `/v1/status` states it.
const NODE: AccountId = AccountId([9; 32]);

/// Checks a signed `POST` to `target` like the node does: bound to this node, signed over the
/// method and the path with its query. The clock and the nonce are the real node's business.
fn check_signed(request: &Request, target: &str) -> Result<api::staff::SignedRead, (u16, String)> {
    let chain = contracts::ChainId::new(CHAIN_ID).unwrap_or_else(|err| panic!("{err}"));
    let Some(read) = request.authorization.as_deref().and_then(|h| api::staff::SignedRead::parse(h).ok()) else {
        return Err(error(401, "unauthorized", "sign the request"));
    };
    if read.verify(&chain, &NODE, "POST", target, read.time).is_err() {
        return Err(error(401, "unauthorized", "the request's signature does not verify"));
    }
    Ok(read)
}

/// Checks an evidence upload like the node does (the worker's signature over method, path and
/// query, the body's hash in the query, a bundle body) and answers a stand-in commitment.
fn upload_evidence(request: &Request) -> (u16, String) {
    let target = format!("{}?{}", request.path, request.query);
    let read = match check_signed(request, &target) {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    let field = |name: &str| {
        request.query.split('&').find_map(|pair| pair.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
    };
    if field("content") != Some(api::evidence::content_hash(&request.body).to_string().as_str()) {
        return error(400, "content_mismatch", "the body does not match the signed content hash");
    }
    if evidence::Bundle::from_canonical_bytes(&request.body).is_err() {
        return error(400, "bad_bundle", "the body is not an evidence bundle");
    }
    let number = |name: &str| field(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or_default();
    json(
        201,
        &api::evidence::Uploaded {
            commitment: HashKind::Evidence.hash(&request.body),
            claim: contracts::primitives::ClaimId(number("claim")),
            owner: read.reader,
            sealed_at: Timestamp(read.time.0),
            retain_until: Timestamp(number("retain_until")),
            size: request.body.len(),
        },
    )
}

fn tx_status(signed: &SignedTx, mode: Mode) -> TxStatus {
    let tx = &signed.tx;
    let pending = mode == Mode::NeverCommit;
    let outcome = match mode {
        Mode::NeverCommit => None,
        Mode::RejectInReceipt => Some(Outcome::Rejected {
            code: 100,
            reason: "insufficient_balance".to_owned(),
            message: "balance 1.00 is below the 4.50 needed".to_owned(),
        }),
        _ => Some(Outcome::Accepted { events: events(signed) }),
    };
    TxStatus {
        tx_id: signed.id(),
        state: if pending { TxState::Pending } else { TxState::Committed },
        height: (!pending).then_some(Height(HEIGHT)),
        index: (!pending).then_some(0),
        block_hash: (!pending).then_some(Hash([4; 32])),
        time: (!pending).then_some(Timestamp(1_795_435_201_000)),
        outcome,
        signer: tx.signer,
        nonce: tx.nonce,
        action: tx.action.clone(),
    }
}

fn events(signed: &SignedTx) -> Vec<Event> {
    let signer = signed.tx.signer;
    match &signed.tx.action {
        Action::Transfer(t) => vec![Event::Transferred { from: signer, to: t.recipient, amount: t.amount }],
        Action::PostTask(p) => vec![Event::TaskPosted {
            task: TaskId(12),
            poster: signer,
            budget: p.budget.clone(),
            escrow: p.reward.checked_mul(u64::from(p.slots)).unwrap_or(Amount::ZERO),
        }],
        Action::SubmitWork(s) => vec![Event::WorkSubmitted { claim: s.claim, worker: signer, evidence: s.evidence }],
        Action::Propose(_) => vec![
            Event::ProposalCreated { proposal: ProposalId(7), proposer: signer },
            Event::ProposalApproved { proposal: ProposalId(7), approver: signer, approvals: 1, threshold: 3 },
        ],
        Action::Redeem(r) => vec![Event::Redeemed { redemption: RedemptionId(5), merchant: signer, amount: r.amount }],
        _ => vec![],
    }
}
