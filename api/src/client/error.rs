//! Why a request to a node failed, and whether another node may answer it.

use thiserror::Error;

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
    /// A signed request (personal data) would go over plain http to a node on another machine.
    #[error(
        "refusing to send a signed request to {node} over plain http: the request and the personal data in its \
         answer would cross the network unencrypted (TLS is not supported yet). Use a node on this machine \
         (http://127.0.0.1:…, e.g. through an SSH tunnel), or pass --allow-plain-http (HEITJE_ALLOW_PLAIN_HTTP=1) \
         if you accept that anyone on the network path can read it"
    )]
    PlainHttp {
        /// The node base URL.
        node: String,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> Error {
        Error::Api { status, code: code.to_owned(), message: "m".to_owned() }
    }

    #[test]
    fn only_catching_up_busy_or_unreachable_nodes_are_left_for_another() {
        assert!(Error::Unreachable { node: "n".into(), detail: "d".into() }.try_elsewhere());
        for code in ["syncing", "behind", "unavailable"] {
            assert!(api(503, code).try_elsewhere(), "{code}");
        }
        assert!(!api(503, "mempool_full").try_elsewhere());
        assert!(!api(409, "duplicate").try_elsewhere());
        assert!(!Error::BadAnswer { url: "u".into(), detail: "d".into() }.try_elsewhere());
    }

    #[test]
    fn messages_name_the_node_and_the_code() {
        assert_eq!(api(404, "unknown_account").to_string(), "m (unknown_account)");
        assert_eq!(api(404, "unknown_account").status(), Some(404));
        assert_eq!(api(404, "unknown_account").code(), Some("unknown_account"));
        let unreachable = Error::Unreachable { node: "http://x".into(), detail: "connection failed".into() };
        assert_eq!(
            unreachable.to_string(),
            "cannot reach the node at http://x (connection failed); check that it runs, or set --node or HEITJE_NODE"
        );
    }
}
