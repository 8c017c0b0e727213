//! The wallet's way to a node: the one typed client of the `api` crate (`api::client`), with
//! evidence bundles read as [`evidence::Bundle`].

pub use api::client::Error;

/// A connection to the configured nodes, with failover (see [`api::client::Client`]).
pub type Client = api::client::Client<evidence::Bundle>;
