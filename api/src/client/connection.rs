//! The request plumbing every endpoint shares: the agent, the list of nodes and failover between
//! them, size-capped JSON answers, and turning statuses and transport failures into [`Error`].

use std::fmt;
use std::io::Read;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use contracts::ChainId;
use serde::de::DeserializeOwned;

use super::Error;
use crate::staff::Unsigned;
use crate::{ErrorBody, routes};

/// Longest JSON answer read from the node.
const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;
/// Longest error body read from the node.
const MAX_ERROR_BYTES: u64 = 64 * 1024;
/// Time allowed for a request that does not wait on purpose.
pub(super) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How a [`Client`] connects. The default suits a person at a command line (the wallet); a
/// benchmark keeps more idle connections and gives up on a connection sooner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Idle keep-alive connections kept open to each node.
    pub idle_connections_per_node: usize,
    /// The `User-Agent` header sent with every request.
    pub user_agent: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            idle_connections_per_node: 1,
            user_agent: concat!("heitje-wallet/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A connection to the configured nodes: requests go to one of them and move on to the next
/// when it cannot answer (see [`Error::try_elsewhere`]).
///
/// `B` is the type an evidence bundle is read as (`evidence::Bundle` in the wallet); this crate
/// stays free of the evidence crate, and callers that never read evidence keep the default.
pub struct Client<B = serde_json::Value> {
    bases: Arc<[String]>,
    current: Arc<AtomicUsize>,
    pub(super) agent: ureq::Agent,
    allow_plain_http: bool,
    bundle: PhantomData<fn() -> B>,
}

impl<B> Client<B> {
    /// A client for the nodes at `bases` (`http://host:port`), tried in order.
    pub fn new(bases: &[String]) -> Self {
        Self::with_options(bases, &Options::default())
    }

    /// A client for the nodes at `bases` (`http://host:port`), tried in order, connecting as
    /// `options` says.
    pub fn with_options(bases: &[String], options: &Options) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(options.connect_timeout)
            .timeout(REQUEST_TIMEOUT)
            .max_idle_connections_per_host(options.idle_connections_per_node)
            .redirects(0)
            .user_agent(&options.user_agent)
            .build();
        let bases: Vec<String> = bases.iter().map(|base| base.trim_end_matches('/').to_owned()).collect();
        Self {
            bases: bases.into(),
            current: Arc::new(AtomicUsize::new(0)),
            agent,
            allow_plain_http: false,
            bundle: PhantomData,
        }
    }

    /// Whether signed requests (personal data: evidence, bank details, statements, the audit
    /// log) may go over plain http to a node that is not on this machine. Off by default: the
    /// answer would cross the network unencrypted (TLS comes with the deployment issue).
    #[must_use]
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
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

    /// The full URL of `path` (with its query, if any) at the current node.
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base(), path)
    }

    /// Sends `request` (built for a full URL) to the current node, and to each other node in
    /// turn while the answer is [`Error::try_elsewhere`]. Every request sent this way must be
    /// safe to repeat: reads, and a signed transaction (the same bytes are the same transaction).
    pub(super) fn failover<T: DeserializeOwned>(
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

    /// `GET path?query` as JSON, with failover.
    pub(super) fn get_json<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, Error> {
        self.failover(path, |url| {
            let mut request = self.agent.get(url);
            for (name, value) in query {
                request = request.query(name, value);
            }
            request.call().map_err(Box::new)
        })
    }

    /// The `Authorization` header of a signed request of `method` to `path_and_query` at the
    /// node that answers now: its chain and validator address come from its `GET /v1/status`,
    /// and `sign` signs them with the request (and a fresh nonce). Refuses, before anything
    /// personal is sent, a node reached over plain http that is not on this machine, unless
    /// [`Client::allow_plain_http`] allowed it.
    pub(super) fn signed_header(
        &self,
        method: &str,
        path_and_query: &str,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<String, Error> {
        self.bound_header(method, path_and_query, true, sign)
    }

    /// [`Client::signed_header`]; `private` false for a request that carries and returns only
    /// public data (a task description), which may go over plain http.
    pub(super) fn bound_header(
        &self,
        method: &str,
        path_and_query: &str,
        private: bool,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<String, Error> {
        let refuse = || private && !self.allow_plain_http && !is_private_transport(self.base());
        if refuse() {
            return Err(Error::PlainHttp { node: self.base().to_owned() });
        }
        let status = self.status()?;
        // The status may have come from the next node in the list.
        if refuse() {
            return Err(Error::PlainHttp { node: self.base().to_owned() });
        }
        let chain = ChainId::new(&status.chain_id)
            .map_err(|err| self.bad_answer(routes::STATUS, format!("chain id {:?}: {err}", status.chain_id)))?;
        Ok(sign(&Unsigned { chain: &chain, node: status.validator, method, path_and_query }))
    }

    /// A signed (staff or own-data) read of `path_and_query` at the node that answers now:
    /// `sign` signs the request for that node (its chain and validator address from its
    /// `GET /v1/status`). Refused before anything personal is sent over plain http to a node
    /// that is not on this machine, unless [`Client::allow_plain_http`] allowed it.
    pub fn get_signed<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<T, Error> {
        let header = self.signed_header("GET", path_and_query, sign)?;
        let path = path_and_query.split('?').next().unwrap_or(path_and_query);
        self.json_answer(self.agent.get(&self.url(path_and_query)).set("Authorization", &header).call(), path)
    }

    /// The JSON body of a successful `answer` to a request for `path`.
    pub(super) fn json_answer<T: DeserializeOwned>(
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
            Err(ureq::Error::Transport(transport)) => Err(self.unreachable(&transport)),
        }
    }

    fn error_answer(&self, status: u16, response: ureq::Response, path: &str) -> Error {
        match error_body(response) {
            Ok(body) => Error::Api { status, code: body.error, message: body.message },
            Err(snippet) => self.bad_answer(path, format!("status {status}, body {snippet:?}")),
        }
    }

    /// The current node did not answer.
    fn unreachable(&self, transport: &ureq::Transport) -> Error {
        Error::Unreachable { node: self.base().to_owned(), detail: transport_detail(transport) }
    }

    fn bad_answer(&self, path: &str, detail: String) -> Error {
        Error::BadAnswer { url: self.url(path), detail }
    }
}

impl<B> Clone for Client<B> {
    fn clone(&self) -> Self {
        Self {
            bases: Arc::clone(&self.bases),
            current: Arc::clone(&self.current),
            agent: self.agent.clone(),
            allow_plain_http: self.allow_plain_http,
            bundle: PhantomData,
        }
    }
}

impl<B> fmt::Debug for Client<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("bases", &self.bases).field("current", &self.base()).finish_non_exhaustive()
    }
}

/// Whether requests to `base` (`scheme://host[:port][/path]`) stay private: https, or plain
/// http to this machine (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`).
pub fn is_private_transport(base: &str) -> bool {
    if base.starts_with("https://") {
        return true;
    }
    let Some(rest) = base.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The node's [`ErrorBody`] in an error answer, or the start of whatever else it sent.
pub(super) fn error_body(response: ureq::Response) -> Result<ErrorBody, String> {
    let bytes = read_limited(response, MAX_ERROR_BYTES).unwrap_or_default();
    serde_json::from_slice::<ErrorBody>(&bytes).map_err(|_| {
        let text = String::from_utf8_lossy(&bytes);
        text.chars().take(200).collect()
    })
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

/// What the transport reported, in words.
pub(super) fn transport_detail(transport: &ureq::Transport) -> String {
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
