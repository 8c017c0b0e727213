//! Client for the node's HTTP API (blocking, via ureq). One method per endpoint in `docs/api.md`.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use api::evidence::{EvidenceView, Uploaded};
use api::registry::{MerchantRecord, PublicProfile};
use api::{
    AccountView, AuditEntry, BlockView, BudgetView, ErrorBody, History, MerchantView, OpenPayout, PaymentView,
    ProposalView, ReconciliationView, RedemptionView, Status, Stored, SubmitTx, Submitted, SupplyView, TaskDetail,
    TaskView, TillView, TxStatus,
};
use contracts::codec::Encode;
use contracts::primitives::{ClaimId, TaskId};
use contracts::{AccountId, Hash, Height, SignedTx, Timestamp};
use serde::de::DeserializeOwned;
use thiserror::Error;

/// Longest JSON answer read from the node.
const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;
/// Time allowed to open a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a request that does not wait on purpose.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Time allowed for an upload of up to 8 MiB.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a request failed.
#[derive(Debug, Error)]
pub enum Error {
    /// No answer: the node is down, the address is wrong or the network failed.
    #[error("cannot reach the node at {node} ({detail}); check that it runs, or set --node or HEITJE_NODE")]
    Unreachable {
        /// The node base URL.
        node: String,
        /// What the transport reported.
        detail: String,
    },
    /// The node answered with an error body.
    #[error("{message} ({code})")]
    Api {
        /// HTTP status.
        status: u16,
        /// Stable error code, e.g. `unknown_account`.
        code: String,
        /// What was wrong and how to fix it.
        message: String,
    },
    /// The node answered something that is not a Heitje answer.
    #[error("unexpected answer from {url}: {detail}; is --node pointing at a Heitje node?")]
    BadAnswer {
        /// The request URL.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
}

impl Error {
    /// The node's error code, if the node answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, if the node answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether another node may answer where this one could not: it is catching up
    /// (`syncing`), behind the height the wallet names (`behind`), busy, or unreachable.
    pub fn try_elsewhere(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Api { status: 503, code, .. } => matches!(code.as_str(), "syncing" | "behind" | "unavailable"),
            _ => false,
        }
    }
}

/// A connection to the configured nodes: requests go to one of them and move on to the next
/// when it cannot answer (see [`Error::try_elsewhere`]).
#[derive(Debug, Clone)]
pub struct Client {
    bases: Arc<[String]>,
    current: Arc<AtomicUsize>,
    agent: ureq::Agent,
}

impl Client {
    /// A client for the nodes at `bases` (`http://host:port`, no trailing slash), tried in order.
    pub fn new(bases: &[String]) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirects(0)
            .user_agent(concat!("heitje-wallet/", env!("CARGO_PKG_VERSION")))
            .build();
        Self { bases: bases.into(), current: Arc::new(AtomicUsize::new(0)), agent }
    }

    /// The base URL of the node that answers now.
    pub fn base(&self) -> &str {
        let i = self.current.load(Ordering::Relaxed);
        self.bases.get(i).or_else(|| self.bases.first()).map_or("", String::as_str)
    }

    /// Moves on to the next configured node.
    fn next_node(&self) {
        let count = self.bases.len().max(1);
        let i = self.current.load(Ordering::Relaxed);
        self.current.store((i + 1) % count, Ordering::Relaxed);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base(), path)
    }

    /// Sends `request` (built for a full URL) to the current node, and to each other node in
    /// turn while the answer is [`Error::try_elsewhere`]. Every request sent this way must be
    /// safe to repeat: reads, and a signed transaction (the same bytes are the same transaction).
    fn failover<T: DeserializeOwned>(
        &self,
        path: &str,
        request: impl Fn(&str) -> Result<ureq::Response, Box<ureq::Error>>,
    ) -> Result<T, Error> {
        let mut tries = self.bases.len().max(1);
        loop {
            match self.json_answer(request(&self.url(path)).map_err(|e| *e), path) {
                Err(err) if err.try_elsewhere() && tries > 1 => {
                    tries -= 1;
                    self.next_node();
                }
                answer => return answer,
            }
        }
    }

    /// `GET /v1/status`.
    pub fn status(&self) -> Result<Status, Error> {
        self.get_json("/v1/status", &[])
    }

    /// `GET /v1/accounts/{address}`.
    pub fn account(&self, address: &AccountId) -> Result<AccountView, Error> {
        self.get_json(&format!("/v1/accounts/{address}"), &[])
    }

    /// `GET /v1/accounts/{address}?min_height=H`: only from a node that has committed `H`.
    pub fn account_since(&self, address: &AccountId, min_height: Height) -> Result<AccountView, Error> {
        self.get_json(&format!("/v1/accounts/{address}"), &[("min_height", min_height.to_string())])
    }

    /// `GET /v1/accounts/{address}/allowance`.
    pub fn allowance(&self, address: &AccountId) -> Result<api::AllowanceView, Error> {
        self.get_json(&format!("/v1/accounts/{address}/allowance"), &[])
    }

    /// `GET /v1/accounts/{address}/earnings/{year}`.
    pub fn earnings(&self, address: &AccountId, year: u16) -> Result<api::EarningsView, Error> {
        self.get_json(&format!("/v1/accounts/{address}/earnings/{year}"), &[])
    }

    /// `GET /v1/chain/verify`: replays the chain on the node.
    pub fn verify_chain(&self) -> Result<api::ChainCheck, Error> {
        self.get_json("/v1/chain/verify", &[])
    }

    /// `GET /v1/params`: the chain parameters in force.
    pub fn params(&self) -> Result<contracts::state::Params, Error> {
        self.get_json("/v1/params", &[])
    }

    /// `GET /v1/claims`: every claim (for review queues).
    pub fn claims(&self) -> Result<Vec<api::ClaimView>, Error> {
        self.get_json("/v1/claims", &[])
    }

    /// `GET /v1/accounts/{address}/history`.
    pub fn history(&self, address: &AccountId, limit: u16, before_height: Option<u64>) -> Result<History, Error> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(height) = before_height {
            query.push(("before_height", height.to_string()));
        }
        self.get_json(&format!("/v1/accounts/{address}/history"), &query)
    }

    /// `GET /v1/tasks`.
    pub fn tasks(&self) -> Result<Vec<TaskView>, Error> {
        self.get_json("/v1/tasks", &[])
    }

    /// `GET /v1/tasks/{id}`.
    pub fn task(&self, id: TaskId) -> Result<TaskDetail, Error> {
        self.get_json(&format!("/v1/tasks/{id}"), &[])
    }

    /// `GET /v1/budgets`.
    pub fn budgets(&self) -> Result<Vec<BudgetView>, Error> {
        self.get_json("/v1/budgets", &[])
    }

    /// `GET /v1/proposals`.
    pub fn proposals(&self) -> Result<Vec<ProposalView>, Error> {
        self.get_json("/v1/proposals", &[])
    }

    /// `GET /v1/redemptions[?status=…]`.
    pub fn redemptions(&self, status: Option<&str>) -> Result<Vec<RedemptionView>, Error> {
        let query: Vec<(&str, String)> = status.map(|s| ("status", s.to_owned())).into_iter().collect();
        self.get_json("/v1/redemptions", &query)
    }

    /// `GET /v1/supply`.
    pub fn supply(&self) -> Result<SupplyView, Error> {
        self.get_json("/v1/supply", &[])
    }

    /// `GET /v1/blocks/{height}`, or `/v1/blocks/latest` for `None`.
    pub fn block(&self, height: Option<Height>) -> Result<BlockView, Error> {
        match height {
            Some(height) => self.get_json(&format!("/v1/blocks/{height}"), &[]),
            None => self.get_json("/v1/blocks/latest", &[]),
        }
    }

    /// `GET /v1/tx/{id}?wait_ms=N`: waits up to `wait` for the transaction to be committed.
    pub fn tx(&self, id: &Hash, wait: Option<Duration>) -> Result<TxStatus, Error> {
        let path = format!("/v1/tx/{id}");
        match wait {
            Some(wait) => {
                let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).min(api::MAX_WAIT_MS);
                self.failover(&path, |url| {
                    self.agent
                        .get(url)
                        .query("wait_ms", &wait_ms.to_string())
                        .timeout(REQUEST_TIMEOUT.saturating_add(Duration::from_millis(wait_ms)))
                        .call()
                        .map_err(Box::new)
                })
            }
            None => self.get_json(&path, &[]),
        }
    }

    /// `POST /v1/tx?min_height=H` with the signed transaction's canonical bytes in hex, at a
    /// node that has committed height `H` and is not catching up.
    pub fn submit(&self, signed: &SignedTx, min_height: Height) -> Result<Submitted, Error> {
        let path = "/v1/tx";
        let body = SubmitTx { tx: hex::encode(signed.to_bytes()) };
        let min_height = min_height.to_string();
        self.failover(path, |url| {
            self.agent.post(url).query("min_height", &min_height).send_json(&body).map_err(Box::new)
        })
    }

    /// `POST /v1/evidence?claim&retain_until&content` with a bundle's canonical bytes, signed by
    /// the claim's worker (`sign` turns the method and the path with its query, which binds the
    /// body's hash, into the `Authorization` header value). Answers the sealed record's header
    /// with the salted commitment for `SubmitWork`.
    pub fn upload_evidence(
        &self,
        claim: ClaimId,
        retain_until: Timestamp,
        bundle: &[u8],
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<Uploaded, Error> {
        let path_and_query = api::evidence::upload_path(claim, retain_until, bundle);
        let header = sign("POST", &path_and_query);
        let answer = self
            .agent
            .post(&self.url(&path_and_query))
            .set("Content-Type", "application/octet-stream")
            .set("Authorization", &header)
            .timeout(UPLOAD_TIMEOUT)
            .send_bytes(bundle);
        self.json_answer(answer, "/v1/evidence")
    }

    /// `POST /v1/documents` with a public UTF-8 text; answers its hash.
    pub fn upload_document(&self, text: &str) -> Result<Stored, Error> {
        let path = "/v1/documents";
        let answer =
            self.agent.post(&self.url(path)).set("Content-Type", "text/plain; charset=utf-8").send_string(text);
        self.json_answer(answer, path)
    }

    /// `GET /v1/evidence/{commitment}` (signed by a drawn verifier, the posting officer or the
    /// owner; the node logs the read): the record and its bundle, checked again on arrival.
    pub fn evidence(
        &self,
        commitment: &Hash,
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<EvidenceView<evidence::Bundle>, Error> {
        let path = format!("/v1/evidence/{commitment}");
        let header = sign("GET", &path);
        let answer = self.agent.get(&self.url(&path)).set("Authorization", &header).timeout(UPLOAD_TIMEOUT).call();
        self.json_answer(answer, &path)
    }

    /// `DELETE /v1/evidence/{commitment}` (signed by the owner): erases the record on every node.
    pub fn erase_evidence(
        &self,
        commitment: &Hash,
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<api::evidence::Erased, Error> {
        let path = format!("/v1/evidence/{commitment}");
        let header = sign("DELETE", &path);
        self.json_answer(self.agent.delete(&self.url(&path)).set("Authorization", &header).call(), &path)
    }

    /// `GET /v1/evidence?owner=…` (signed by that owner): every record of the owner, live or
    /// erased, without content, with the reads this node logged.
    pub fn evidence_records(
        &self,
        owner: &AccountId,
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<api::evidence::OwnerListing, Error> {
        self.get_signed(&format!("/v1/evidence?owner={owner}"), sign)
    }

    /// `GET /v1/payments/{merchant}/{reference}?wait_ms=N`: the payment once final; a 404
    /// `not_paid` if it is not paid within the wait.
    pub fn payment(&self, merchant: &AccountId, reference: &str, wait: Duration) -> Result<PaymentView, Error> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).min(api::MAX_WAIT_MS);
        let path = format!("/v1/payments/{merchant}/{reference}");
        let request = self
            .agent
            .get(&self.url(&path))
            .query("wait_ms", &wait_ms.to_string())
            .timeout(REQUEST_TIMEOUT + Duration::from_millis(wait_ms));
        self.json_answer(request.call(), &path)
    }

    /// `GET /v1/merchants/{merchant}/payments?from_ms&to_ms`.
    pub fn payments(&self, merchant: &AccountId, from_ms: u64, to_ms: u64) -> Result<Vec<PaymentView>, Error> {
        let query = [("from_ms", from_ms.to_string()), ("to_ms", to_ms.to_string())];
        self.get_json(&format!("/v1/merchants/{merchant}/payments"), &query)
    }

    /// `GET /v1/merchants/{merchant}`.
    pub fn merchant(&self, merchant: &AccountId) -> Result<MerchantView, Error> {
        self.get_json(&format!("/v1/merchants/{merchant}"), &[])
    }

    /// `GET /v1/tills/{till}`.
    pub fn till(&self, till: &AccountId) -> Result<TillView, Error> {
        self.get_json(&format!("/v1/tills/{till}"), &[])
    }

    /// `GET /v1/reconciliation[?height=N]`.
    pub fn reconciliation(&self, height: Option<u64>) -> Result<ReconciliationView, Error> {
        let query: Vec<(&str, String)> = height.map(|h| ("height", h.to_string())).into_iter().collect();
        self.get_json("/v1/reconciliation", &query)
    }

    /// `POST /v1/registry/merchants`.
    pub fn put_registry(&self, record: &MerchantRecord) -> Result<PublicProfile, Error> {
        let path = "/v1/registry/merchants";
        self.json_answer(self.agent.post(&self.url(path)).send_json(record), path)
    }

    /// `GET /v1/registry/merchants/{merchant}`: the public, signed profile.
    pub fn registry_profile(&self, merchant: &AccountId) -> Result<PublicProfile, Error> {
        self.get_json(&format!("/v1/registry/merchants/{merchant}"), &[])
    }

    /// A signed (staff or own-data) read of `path_and_query`: `sign` turns the method and the
    /// path into the `Authorization` header value.
    pub fn get_signed<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<T, Error> {
        let header = sign("GET", path_and_query);
        let path = path_and_query.split('?').next().unwrap_or(path_and_query);
        self.json_answer(self.agent.get(&self.url(path_and_query)).set("Authorization", &header).call(), path)
    }

    /// `GET /v1/registry/merchants/{merchant}/bank` (signed, logged).
    pub fn registry_bank(
        &self,
        merchant: &AccountId,
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<MerchantRecord, Error> {
        self.get_signed(&format!("/v1/registry/merchants/{merchant}/bank"), sign)
    }

    /// `GET /v1/settlement/open` (signed by the treasurer, logged).
    pub fn open_payouts(&self, sign: impl FnOnce(&str, &str) -> String) -> Result<Vec<OpenPayout>, Error> {
        self.get_signed("/v1/settlement/open", sign)
    }

    /// `GET /v1/audit?subject=…` (signed by the subject, the council or a registrar).
    pub fn audit(
        &self,
        subject: Option<&AccountId>,
        sign: impl FnOnce(&str, &str) -> String,
    ) -> Result<Vec<AuditEntry>, Error> {
        let path = match subject {
            Some(s) => format!("/v1/audit?subject={s}"),
            None => "/v1/audit".to_owned(),
        };
        self.get_signed(&path, sign)
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, Error> {
        self.failover(path, |url| {
            let mut request = self.agent.get(url);
            for (name, value) in query {
                request = request.query(name, value);
            }
            request.call().map_err(Box::new)
        })
    }

    fn json_answer<T: DeserializeOwned>(
        &self,
        answer: Result<ureq::Response, ureq::Error>,
        path: &str,
    ) -> Result<T, Error> {
        let response = self.check(answer, path)?;
        let bytes = read_limited(response, MAX_JSON_BYTES).map_err(|detail| self.bad_answer(path, detail))?;
        serde_json::from_slice(&bytes).map_err(|err| self.bad_answer(path, err.to_string()))
    }

    /// Turns transport failures and error statuses into [`Error`].
    fn check(&self, answer: Result<ureq::Response, ureq::Error>, path: &str) -> Result<ureq::Response, Error> {
        match answer {
            Ok(response) if (200..300).contains(&response.status()) => Ok(response),
            Ok(response) => Err(self.error_answer(response.status(), response, path)),
            Err(ureq::Error::Status(status, response)) => Err(self.error_answer(status, response, path)),
            Err(ureq::Error::Transport(transport)) => {
                Err(Error::Unreachable { node: self.base().to_owned(), detail: transport_detail(&transport) })
            }
        }
    }

    fn error_answer(&self, status: u16, response: ureq::Response, path: &str) -> Error {
        let bytes = read_limited(response, 64 * 1024).unwrap_or_default();
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Error::Api { status, code: body.error, message: body.message },
            Err(_) => {
                let text = String::from_utf8_lossy(&bytes);
                let snippet: String = text.chars().take(200).collect();
                self.bad_answer(path, format!("status {status}, body {snippet:?}"))
            }
        }
    }

    fn bad_answer(&self, path: &str, detail: String) -> Error {
        Error::BadAnswer { url: self.url(path), detail }
    }
}

fn read_limited(response: ureq::Response, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|err| format!("reading the answer failed: {err}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("the answer is larger than {limit} bytes"));
    }
    Ok(bytes)
}

fn transport_detail(transport: &ureq::Transport) -> String {
    use ureq::ErrorKind;
    let kind = match transport.kind() {
        ErrorKind::ConnectionFailed => "connection failed",
        ErrorKind::Dns => "host name not found",
        ErrorKind::Io => "network error",
        ErrorKind::InvalidUrl | ErrorKind::UnknownScheme => "bad URL",
        _ => "transport error",
    };
    let mut detail = kind.to_owned();
    if let Some(message) = transport.message() {
        detail.push_str(": ");
        detail.push_str(message);
    }
    if let Some(source) = std::error::Error::source(transport) {
        detail.push_str(": ");
        detail.push_str(&source.to_string());
    }
    detail
}
