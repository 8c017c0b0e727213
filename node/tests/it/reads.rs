//! Issue 12, reads: API reads run on the snapshot published after each commit, off the ledger
//! thread, so a read in progress never holds up a commit; the chain check extends its verified
//! prefix instead of replaying the whole chain.

use std::sync::mpsc;

use contracts::{ChainId, CommitCert, Height};
use node::ledger::chain_check::Verifier;
use node::ledger::{ConsensusApp, Engine, Handle, Reads};

use crate::admission::{CHAIN, VALIDATOR, key, ledger, pay, payer};

/// Builds and commits the next block on the ledger thread, as consensus does.
async fn commit_next(handle: &Handle) -> Height {
    handle
        .call_patient(|l| {
            let height = l.next_height();
            let block = l.build_block(height, 0, crate::admission::id(VALIDATOR), node::ledger::wall_clock_ms(), 100);
            let hash = block.hash();
            let chain = ChainId::new(CHAIN).expect("chain id");
            let signatures = vec![CommitCert::sign(&key(VALIDATOR), &chain, height, 0, &hash)];
            l.commit(&block, &CommitCert { height, round: 0, block_hash: hash, signatures }).expect("commit");
            height
        })
        .await
        .expect("ledger running")
}

#[test]
fn issue_12_a_read_in_progress_does_not_hold_up_a_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::start(ledger(dir.path()), 16).expect("ledger thread");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let reads: Reads = engine.reads.clone();
        let (release, held) = mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let slow = {
            let reads = reads.clone();
            tokio::spawn(async move {
                reads
                    .run(move |view| {
                        let _ = started.send(());
                        held.recv().expect("released");
                        // The snapshot does not move under a read.
                        view.head().height
                    })
                    .await
            })
        };
        running.await.expect("the read started");
        // While the read is held, a transaction is admitted and a block is committed.
        let payer = payer();
        engine.handle.call(move |l| l.submit(pay(payer, 0, 1))).await.expect("ledger").expect("admitted");
        let committed = commit_next(&engine.handle).await;
        assert_eq!(committed, Height(1));
        assert_eq!(reads.head().height, Height(1), "the commit published a new snapshot");
        release.send(()).expect("the read is still running");
        assert_eq!(slow.await.expect("task"), Ok(Height(0)), "the held read saw the snapshot it started on");
    });
    engine.stop().expect("clean stop");
}

#[test]
fn issue_12_chain_verify_extends_the_verified_prefix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::start(ledger(dir.path()), 16).expect("ledger thread");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let verifier = Verifier::start(engine.reads.clone());
        let payer = payer();
        for nonce in 0..3 {
            engine.handle.call(move |l| l.submit(pay(payer, nonce, 1))).await.expect("ledger").expect("admitted");
            commit_next(&engine.handle).await;
        }
        let first = verifier.check().await.expect("checked");
        assert!(first.ok, "{first:?}");
        assert_eq!((first.height, first.blocks, first.txs), (Height(3), 3, 3));
        engine.handle.call(move |l| l.submit(pay(payer, 3, 1))).await.expect("ledger").expect("admitted");
        commit_next(&engine.handle).await;
        commit_next(&engine.handle).await;
        let second = verifier.check().await.expect("checked");
        assert!(second.ok, "{second:?}");
        assert_eq!((second.height, second.blocks, second.txs), (Height(5), 5, 4), "counts cover the whole chain");
        let head_root = engine.reads.head().state_root;
        assert_eq!(second.state_root, head_root, "the replayed state is the committed one");
    });
    engine.stop().expect("clean stop");
}
