//! Whether this node may answer what a client acts on: refuses with 503 `syncing` while it is
//! catching up (issue 18), and with 503 `behind` when it is below the height a client has
//! already seen (read-your-writes).

use std::time::Instant;

use api::HeadQuery;
use axum::http::StatusCode;
use consensus::Progress;
use contracts::Height;
use tokio::sync::watch;

use super::error::ApiError;

/// Refuses with 503 `syncing` while the node knows (or cannot yet rule out) that the chain is
/// ahead of it: its nonces, balances and mempool would be stale.
pub(super) fn caught_up(progress: &watch::Receiver<Progress>) -> Result<(), ApiError> {
    let progress = *progress.borrow();
    if progress.caught_up(Instant::now()) {
        return Ok(());
    }
    let message = if progress.network > progress.committed.saturating_add(1) {
        format!(
            "this node is catching up: it has height {} and the validators vote on height {}; try another node or \
             again shortly",
            progress.committed, progress.network
        )
    } else if progress.synced {
        format!(
            "this node is catching up (it received height {} by value sync); try another node or again shortly",
            progress.committed
        )
    } else {
        format!(
            "this node has just started at height {} and has not yet heard where the chain is; try another node or \
             again shortly",
            progress.committed
        )
    };
    Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "syncing", message))
}

/// Read-your-writes: refuses with 503 `behind` if `head` is below the height the client names.
pub(super) fn reached(head: Height, query: HeadQuery) -> Result<(), ApiError> {
    match query.min_height {
        Some(min) if head.0 < min => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "behind",
            format!(
                "this node has committed height {head}, below height {min} that the client has already seen; try \
                 another node or again shortly"
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ApiError;

    fn refusal(progress: Progress) -> Option<(StatusCode, String, String)> {
        let (_tx, rx) = watch::channel(progress);
        caught_up(&rx).err().map(|ApiError(status, body)| (status, body.error, body.message))
    }

    #[test]
    fn issue_18_a_node_that_is_catching_up_refuses_with_the_reason() {
        let mut behind = Progress::standalone(10);
        behind.network = 40;
        let (status, code, message) = refusal(behind).expect("refused");
        assert_eq!((status, code.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "syncing"));
        assert!(message.contains("height 10") && message.contains("height 40") && message.contains("another node"));

        let mut synced = Progress::standalone(10);
        synced.synced = true;
        assert!(refusal(synced).expect("refused").2.contains("value sync"));

        let (_, _, message) = refusal(Progress::starting(10)).expect("a fresh start is not current yet");
        assert!(message.contains("just started"), "{message}");

        assert_eq!(refusal(Progress::standalone(10)), None);
    }

    #[test]
    fn issue_18_read_your_writes_refuses_below_the_named_height() {
        let query = |min_height| HeadQuery { min_height };
        assert!(reached(Height(5), query(None)).is_ok());
        assert!(reached(Height(5), query(Some(5))).is_ok());
        let ApiError(status, body) = reached(Height(5), query(Some(6))).expect_err("below");
        assert_eq!((status, body.error.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "behind"));
        assert!(body.message.contains("height 5") && body.message.contains("height 6"), "{}", body.message);
    }
}
