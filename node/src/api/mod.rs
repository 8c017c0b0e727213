//! The HTTP API (axum). [`router`] lists every route; each other file holds the handlers of one
//! resource. Handlers parse and check input, then ask the ledger thread through its handle;
//! they share the error answer and input parsers (`error`), the one signed-read check (`auth`)
//! and the freshness checks (`freshness`), and never import the router.

mod accounts;
mod audit;
mod auth;
mod blocks;
mod documents;
mod error;
mod evidence;
mod freshness;
mod governance;
mod merchants;
mod payments;
mod redemptions;
mod registry;
mod replay;
mod router;
mod settlement;
mod state;
mod status;
mod supply;
mod tasks;
mod tx;

pub use auth::SignedRequest;
pub use documents::MAX_DOCUMENT;
pub use error::ApiError;
pub use router::router;
pub use state::AppState;
