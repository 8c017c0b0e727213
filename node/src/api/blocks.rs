//! Blocks with their certificates, and the re-verification of the whole chain.

use api::BlockView;
use axum::Json;
use axum::extract::{Path, State};
use contracts::{Height, SignedTx};

use super::error::{ApiError, ApiResult, parse_number};
use crate::ledger::Reads;
use crate::ledger::chain_check::Verifier;
use crate::store::StoreError;

pub(super) async fn block(State(reads): State<Reads>, Path(height): Path<String>) -> ApiResult<BlockView> {
    let wanted = if height == "latest" { None } else { Some(Height(parse_number(&height, "height")?)) };
    let view = reads
        .run(move |l| -> Result<Option<BlockView>, StoreError> {
            let height = wanted.unwrap_or(l.head().height);
            if height.0 == 0 {
                let Ok(state) = l.genesis().initial_state() else { return Ok(None) };
                let header = l.genesis().header(&state);
                return Ok(Some(BlockView { hash: header.hash(), header, txs: vec![], cert: None }));
            }
            let Some(block) = l.storage().block(height)? else { return Ok(None) };
            Ok(Some(BlockView {
                hash: block.hash(),
                txs: block.txs.iter().map(SignedTx::id).collect(),
                cert: l.storage().cert(height)?,
                header: block.header,
            }))
        })
        .await??;
    view.map(Json).ok_or_else(|| ApiError::not_found("unknown_block", format!("no block at height {height} yet")))
}

pub(super) async fn chain_verify(State(verifier): State<Verifier>) -> ApiResult<api::ChainCheck> {
    Ok(Json(verifier.check().await?))
}
