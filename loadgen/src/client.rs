//! Blocking HTTP calls to one node's API: one keep-alive connection per client (ureq).

use std::time::Duration;

use api::{PaymentView, ReconciliationView, RedemptionView, TxStatus};
use contracts::primitives::PaymentRef;
use contracts::{AccountId, Hash, Height};
use serde::Deserialize;

/// What a node answered to `POST /v1/tx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Submit {
    /// 202: admitted to the mempool.
    Accepted,
    /// Refused for now (mempool or account queue full, ledger busy): the same transaction may
    /// be sent again.
    Busy {
        /// The `error` code.
        code: String,
    },
    /// Refused for good, with the node's code and message.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The `error` code.
        code: String,
        /// The node's explanation.
        message: String,
    },
    /// No answer (connection refused, reset or timed out).
    Unreachable(String),
}

impl Submit {
    /// Whether the node already holds this very transaction, pending or committed: after a lost
    /// answer, the first attempt got through. The loadgen never signs a nonce twice (each lane
    /// counts its own nonces from a fresh genesis account), so this is never an older transaction.
    pub(crate) fn already_there(&self) -> bool {
        matches!(self, Self::Refused { code, .. } if code == "duplicate" || code == "already_committed")
    }
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct Head {
    height: Height,
}

/// The part of `GET /v1/blocks/{height}` the benchmark reads.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BlockTxs {
    /// Transaction ids in block order.
    pub(crate) txs: Vec<Hash>,
}

/// A client of one node's API.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    /// A client of the API at `base` (`http://127.0.0.1:PORT`).
    pub(crate) fn new(base: &str) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(2))
            .timeout(Duration::from_secs(30))
            .max_idle_connections_per_host(2)
            .build();
        Self { agent, base: base.trim_end_matches('/').to_owned() }
    }

    /// The API's base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Posts a prepared `{"tx": ...}` body.
    pub(crate) fn submit(&self, body: &[u8]) -> Submit {
        let url = format!("{}/v1/tx", self.base);
        match self.agent.post(&url).set("content-type", "application/json").send_bytes(body) {
            Ok(response) if response.status() == 202 => Submit::Accepted,
            Ok(response) => Submit::Refused {
                status: response.status(),
                code: "unexpected_status".into(),
                message: response.into_string().unwrap_or_default(),
            },
            Err(ureq::Error::Status(status, response)) => {
                let text = response.into_string().unwrap_or_default();
                let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
                    Ok(body) => (body.error, body.message),
                    Err(_) => ("not_json".into(), text),
                };
                // 503: mempool full or ledger busy; 429: this account's queue is full.
                if status == 503 || status == 429 {
                    Submit::Busy { code }
                } else {
                    Submit::Refused { status, code, message }
                }
            }
            Err(err) => Submit::Unreachable(err.to_string()),
        }
    }

    /// The node's last committed height.
    pub(crate) fn height(&self) -> Result<u64, String> {
        let url = format!("{}/v1/status", self.base);
        let head: Head = self.get_json(&url)?;
        Ok(head.height.0)
    }

    /// The transaction ids of the committed block at `height`.
    pub(crate) fn block(&self, height: u64) -> Result<BlockTxs, String> {
        self.get_json(&format!("{}/v1/blocks/{height}", self.base))
    }

    /// `GET /v1/payments/{merchant}/{reference}?wait_ms=N`: the payment once it is final, or
    /// `None` if the node answered 404 `not_paid` when the wait ran out.
    pub(crate) fn payment(
        &self,
        merchant: &AccountId,
        reference: &PaymentRef,
        wait: Duration,
    ) -> Result<Option<PaymentView>, String> {
        let url = format!("{}/v1/payments/{merchant}/{reference}?wait_ms={}", self.base, wait.as_millis());
        match self.agent.get(&url).timeout(wait + Duration::from_secs(10)).call() {
            Ok(response) => response.into_json().map(Some).map_err(|e| format!("GET {url}: unreadable answer: {e}")),
            Err(ureq::Error::Status(404, response)) => {
                let text = response.into_string().unwrap_or_default();
                match serde_json::from_str::<ErrorBody>(&text) {
                    Ok(body) if body.error == "not_paid" => Ok(None),
                    _ => Err(format!("GET {url}: 404 {text}")),
                }
            }
            Err(ureq::Error::Status(status, response)) => {
                Err(format!("GET {url}: {status} {}", response.into_string().unwrap_or_default()))
            }
            Err(err) => Err(format!("GET {url}: {err}")),
        }
    }

    /// `GET /v1/tx/{id}?wait_ms=N`: the transaction's status, answered once it is committed or
    /// the wait runs out.
    pub(crate) fn tx_status(&self, id: &Hash, wait: Duration) -> Result<TxStatus, String> {
        let url = format!("{}/v1/tx/{id}?wait_ms={}", self.base, wait.as_millis());
        self.get_json_within(&url, wait + Duration::from_secs(10))
    }

    /// `GET /v1/redemptions?status=pending`.
    pub(crate) fn pending_redemptions(&self) -> Result<Vec<RedemptionView>, String> {
        self.get_json(&format!("{}/v1/redemptions?status=pending", self.base))
    }

    /// `GET /v1/reconciliation` at the node's head.
    pub(crate) fn reconciliation(&self) -> Result<ReconciliationView, String> {
        self.get_json(&format!("{}/v1/reconciliation", self.base))
    }

    /// Whether `/readyz` answers 200.
    pub(crate) fn ready(&self) -> bool {
        self.agent.get(&format!("{}/readyz", self.base)).timeout(Duration::from_secs(2)).call().is_ok()
    }

    fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        self.get_json_within(url, Duration::from_secs(30))
    }

    fn get_json_within<T: serde::de::DeserializeOwned>(&self, url: &str, limit: Duration) -> Result<T, String> {
        match self.agent.get(url).timeout(limit).call() {
            Ok(response) => response.into_json().map_err(|e| format!("GET {url}: unreadable answer: {e}")),
            Err(ureq::Error::Status(status, response)) => {
                Err(format!("GET {url}: {status} {}", response.into_string().unwrap_or_default()))
            }
            Err(err) => Err(format!("GET {url}: {err}")),
        }
    }
}
