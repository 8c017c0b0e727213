//! The entry point: envelope checks (chain, signer, nonce), dispatch, and the nonce bump.

use crate::codec::Encode;
use crate::error::{Invalid, Rejection};
use crate::primitives::ChainId;
use crate::receipt::{Event, Outcome, Receipt};
use crate::state::{Account, BlockContext, Overlay};
use crate::tx::{Action, SignedTx, Tx};

use super::{governance, merchant, redemption, tasks, transfer, treasury};

/// A transaction whose signature passed `verify_strict`. Only this type can be executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTx(SignedTx);

impl VerifiedTx {
    /// Verifies the signature (R-SIG-1).
    pub fn verify(signed: SignedTx) -> Result<Self, Invalid> {
        signed.verify_signature()?;
        Ok(Self(signed))
    }

    /// The signed transaction.
    pub fn signed(&self) -> &SignedTx {
        &self.0
    }

    /// The transaction body.
    pub fn tx(&self) -> &Tx {
        &self.0.tx
    }

    /// The signed transaction, consuming the wrapper.
    pub fn into_signed(self) -> SignedTx {
        self.0
    }

    /// The canonical bytes of the signed transaction.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes()
    }
}

/// R-TX-1, R-TX-2, R-TX-3: right chain, known signer, exactly the next nonce.
pub fn check_envelope(view: &Overlay<'_>, chain_id: &ChainId, tx: &Tx) -> Result<Account, Invalid> {
    if &tx.chain_id != chain_id {
        return Err(Invalid::WrongChain { expected: chain_id.to_string(), got: tx.chain_id.to_string() });
    }
    let account = view.account(tx.signer).ok_or(Invalid::UnknownSigner(tx.signer))?;
    if tx.nonce != account.nonce {
        return Err(Invalid::BadNonce { expected: account.nonce, got: tx.nonce });
    }
    Ok(account)
}

/// Executes one verified transaction on the overlay and returns its receipt.
///
/// `Err` means the transaction may not be in a block. `Ok` with a rejected outcome means it
/// is in the block, its nonce is used and nothing else changed.
pub fn execute(
    view: &mut Overlay<'_>,
    ctx: &BlockContext,
    chain_id: &ChainId,
    verified: &VerifiedTx,
) -> Result<Receipt, Invalid> {
    let tx = verified.tx();
    let account = check_envelope(view, chain_id, tx)?;
    // Computed before any write, so a transaction that cannot be included leaves nothing.
    let next_nonce = account.nonce.next().ok_or(Invalid::BadNonce { expected: account.nonce, got: tx.nonce })?;
    let outcome = match dispatch(view, ctx, tx) {
        Ok(events) => {
            view.commit_tx();
            Outcome::Accepted { events }
        }
        Err(rejection) => {
            view.discard_tx();
            Outcome::rejected(&rejection)
        }
    };
    // R-TX-2: the nonce moves whether the rules accepted or rejected the transaction, so a
    // rejected payment can never be replayed later when it would succeed.
    let mut account = view.account(tx.signer).ok_or(Invalid::UnknownSigner(tx.signer))?;
    account.nonce = next_nonce;
    view.put_account(tx.signer, account);
    view.commit_tx();
    Ok(Receipt { tx_id: tx.id(), outcome })
}

fn dispatch(view: &mut Overlay<'_>, ctx: &BlockContext, tx: &Tx) -> Result<Vec<Event>, Rejection> {
    let signer = tx.signer;
    merchant::check_not_till(view, signer)?;
    match &tx.action {
        Action::Transfer(a) => transfer::apply_transfer(view, signer, a),
        Action::Propose(a) => governance::apply_propose(view, ctx, signer, a),
        Action::Approve(a) => governance::apply_approve(view, ctx, signer, a),
        Action::FundBudget(a) => treasury::apply_fund_budget(view, signer, a),
        Action::DefundBudget(a) => treasury::apply_defund_budget(view, signer, a),
        Action::Enroll(a) => treasury::apply_enroll(view, signer, a),
        Action::Unenroll(a) => treasury::apply_unenroll(view, signer, a),
        Action::PostTask(a) => tasks::apply_post_task(view, ctx, signer, a),
        Action::ClaimTask(a) => tasks::apply_claim_task(view, ctx, signer, a),
        Action::SubmitWork(a) => tasks::apply_submit_work(view, ctx, signer, a),
        Action::ApproveWork(a) => tasks::apply_approve_work(view, ctx, signer, a),
        Action::RejectWork(a) => tasks::apply_reject_work(view, ctx, signer, a),
        Action::CancelTask(a) => tasks::apply_cancel_task(view, ctx, signer, a),
        Action::OpenTask(a) => tasks::apply_open_task(view, ctx, signer, a),
        Action::ObjectToWork(a) => tasks::apply_object(view, ctx, signer, a),
        Action::ResolveObjection(a) => tasks::apply_resolve_objection(view, ctx, signer, a),
        Action::Redeem(a) => redemption::apply_redeem(view, ctx, signer, a),
        Action::SettleRedemption(a) => redemption::apply_settle(view, ctx, signer, a),
        Action::SettleBatch(a) => redemption::apply_settle_batch(view, ctx, signer, a),
        Action::Pay(a) => merchant::apply_pay(view, ctx, signer, a),
        Action::LinkTill(a) => merchant::apply_link_till(view, signer, a),
        Action::UnlinkTill(a) => merchant::apply_unlink_till(view, signer, a),
    }
}
