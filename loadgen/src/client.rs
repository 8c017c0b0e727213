//! The benchmark's way to a node: the `api` crate's client, connected for a benchmark (a short
//! connect timeout, two keep-alive connections per node), with its errors in the benchmark's
//! words. Every request and its plumbing live in `api::client`.

use std::time::Duration;

use api::client::{Error, Options};

pub(crate) use api::client::Submission;

/// A client of one node's API.
pub(crate) type Client = api::client::Client;

/// A client of the node API at `base` (`http://127.0.0.1:PORT`) with its own connections.
pub(crate) fn connect(base: &str) -> Client {
    let options = Options {
        connect_timeout: Duration::from_secs(2),
        idle_connections_per_node: 2,
        user_agent: concat!("heitje-loadgen/", env!("CARGO_PKG_VERSION")).to_owned(),
    };
    Client::with_options(&[base.to_owned()], &options)
}

/// What went wrong, without the wallet's hints about `--node`.
pub(crate) fn said(err: Error) -> String {
    match err {
        Error::Unreachable { node, detail } => format!("{node} does not answer: {detail}"),
        Error::Api { status, code, message } => format!("{status} {code}: {message}"),
        Error::BadAnswer { url, detail } => format!("unexpected answer from {url}: {detail}"),
        Error::PlainHttp { node } => format!("{node}: a signed request over plain http to another machine"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_node_without_wallet_hints() {
        let err = Error::Unreachable { node: "http://127.0.0.1:1".into(), detail: "connection failed".into() };
        assert_eq!(said(err), "http://127.0.0.1:1 does not answer: connection failed");
        let err = Error::Api { status: 404, code: "unknown_tx".into(), message: "no such transaction".into() };
        assert_eq!(said(err), "404 unknown_tx: no such transaction");
    }
}
