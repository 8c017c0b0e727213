//! A transaction offered once to one node, as a benchmark sees it: accepted, refused for now,
//! refused for good, or no answer. No failover and no waiting: the caller decides what to do.

use super::Client;
use super::connection::{error_body, transport_detail};
use crate::routes;

/// What a node answered to one `POST /v1/tx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
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
        /// The `error` code (`unexpected_status` for a success other than 202, `not_json` for
        /// an error answer that is not an [`crate::ErrorBody`]).
        code: String,
        /// The node's explanation.
        message: String,
    },
    /// No answer (connection refused, reset or timed out), with what the transport reported.
    Unreachable(String),
}

impl Submission {
    /// Whether the node already holds this very transaction, pending or committed: after a lost
    /// answer, the first attempt got through (as long as the sender never signs a nonce twice).
    pub fn already_there(&self) -> bool {
        matches!(self, Self::Refused { code, .. } if code == "duplicate" || code == "already_committed")
    }

    /// Classifies an error answer: 503 (mempool full, ledger busy) and 429 (the account's queue
    /// is full) are for now, every other status for good.
    fn refusal(status: u16, code: String, message: String) -> Self {
        if status == 503 || status == 429 { Self::Busy { code } } else { Self::Refused { status, code, message } }
    }
}

impl<B> Client<B> {
    /// `POST /v1/tx` of a prepared `{"tx": …}` JSON body, once, to the current node.
    pub fn submit_once(&self, body: &[u8]) -> Submission {
        let answer = self.agent.post(&self.url(routes::TX)).set("Content-Type", "application/json").send_bytes(body);
        match answer {
            Ok(response) if response.status() == 202 => Submission::Accepted,
            Ok(response) => Submission::Refused {
                status: response.status(),
                code: "unexpected_status".into(),
                message: response.into_string().unwrap_or_default(),
            },
            Err(ureq::Error::Status(status, response)) => match error_body(response) {
                Ok(body) => Submission::refusal(status, body.error, body.message),
                Err(text) => Submission::refusal(status, "not_json".into(), text),
            },
            Err(ureq::Error::Transport(transport)) => Submission::Unreachable(transport_detail(&transport)),
        }
    }
}
