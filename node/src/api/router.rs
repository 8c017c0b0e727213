//! The router: the one place that lists every route, with its handler and its request-size
//! limit. The paths come from `api::routes`, the route table the clients use too.

use api::routes;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use consensus::Progress;
use contracts::AccountId;
use tokio::sync::watch;

use super::documents::{DocumentQuota, Quota};
use super::error::ApiError;
use super::replay::{Limits, ReplayGuard};
use super::state::AppState;
use super::{
    accounts, audit, blocks, documents, evidence, governance, merchants, payments, redemptions, registry, settlement,
    status, supply, tasks, tx,
};
use crate::ledger::chain_check::Verifier;
use crate::ledger::{Handle, Reads};
use crate::network::Outbox;

/// The API's routes over the ledger thread `handle` and the reads off it (`reads`), with the
/// chain verifier task it starts on the current runtime; admitted transactions are gossiped through
/// `outbox` when there is one.
pub fn router(
    handle: Handle,
    reads: Reads,
    outbox: Option<Outbox>,
    validator: AccountId,
    progress: watch::Receiver<Progress>,
) -> Router {
    Router::new()
        .route(routes::LIVEZ, get(|| async { "ok" }))
        .route(routes::READYZ, get(status::readyz))
        .route(routes::STATUS, get(status::status))
        .route(routes::TX, post(tx::submit_tx).layer(DefaultBodyLimit::max(api::MAX_TX_BODY)))
        .route(routes::TX_STATUS, get(tx::tx_status))
        .route(routes::ACCOUNT, get(accounts::account))
        .route(routes::ACCOUNT_HISTORY, get(accounts::history))
        .route(routes::TASKS, get(tasks::tasks))
        .route(routes::TASK, get(tasks::task))
        .route(routes::CLAIM, get(tasks::claim))
        .route(routes::BUDGETS, get(governance::budgets))
        .route(routes::PROPOSALS, get(governance::proposals))
        .route(routes::REDEMPTIONS, get(redemptions::redemptions))
        .route(routes::REDEMPTION, get(redemptions::redemption))
        .route(routes::SUPPLY, get(supply::supply))
        .route(routes::BLOCK, get(blocks::block))
        .route(
            routes::DOCUMENTS,
            post(documents::upload_document).layer(DefaultBodyLimit::max(documents::MAX_DOCUMENT)),
        )
        .route(routes::DOCUMENT, get(documents::document))
        .route(routes::MISBEHAVIOR, get(status::misbehavior))
        .route(routes::VALIDATORS, get(status::validators))
        .route(
            routes::EVIDENCE,
            post(evidence::upload).layer(DefaultBodyLimit::max(api::MAX_UPLOAD)).get(evidence::list),
        )
        .route(routes::EVIDENCE_RECORD, get(evidence::read).delete(evidence::erase))
        .route(routes::PAYMENT, get(payments::payment))
        .route(routes::MERCHANT, get(merchants::merchant))
        .route(routes::MERCHANT_PAYMENTS, get(payments::statement))
        .route(routes::TILL, get(merchants::till))
        .route(routes::RECONCILIATION, get(supply::reconciliation))
        .route(
            routes::REGISTRY_MERCHANTS,
            post(registry::put_record).layer(DefaultBodyLimit::max(api::registry::MAX_RECORD_BYTES)),
        )
        .route(routes::REGISTRY_MERCHANT, get(registry::profile))
        .route(routes::REGISTRY_BANK, get(registry::bank))
        .route(routes::SETTLEMENT_OPEN, get(settlement::open_payouts))
        .route(routes::AUDIT, get(audit::audit))
        .route(routes::AUDIT_VERIFY, get(audit::audit_verify))
        .route(routes::PARAMS, get(governance::params))
        .route(routes::CLAIMS, get(tasks::claims))
        .route(routes::ACCOUNT_ALLOWANCE, get(accounts::allowance))
        .route(routes::ACCOUNT_EARNINGS, get(accounts::earnings))
        .route(routes::CHAIN_VERIFY, get(blocks::chain_verify))
        .fallback(|| async { ApiError::not_found("no_route", "no such endpoint; see docs/api.md") })
        .with_state(AppState {
            handle,
            verifier: Verifier::start(reads.clone()),
            reads,
            outbox,
            validator,
            progress,
            replay: ReplayGuard::new(Limits::default()),
            documents: DocumentQuota::new(Quota::default()),
        })
}
