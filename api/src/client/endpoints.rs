//! One [`Client`] method per endpoint of the node (see `docs/api.md`), each on its path from
//! [`crate::routes`].

use std::time::Duration;

use contracts::codec::Encode;
use contracts::primitives::{ClaimId, TaskId};
use contracts::{AccountId, Hash, Height, SignedTx, Timestamp};
use serde::de::DeserializeOwned;

use super::connection::REQUEST_TIMEOUT;
use super::{Client, Error};
use crate::evidence::{EvidenceView, Uploaded};
use crate::registry::{MerchantRecord, PublicProfile};
use crate::staff::Unsigned;
use crate::{
    AccountView, AuditEntry, BlockView, BudgetView, History, MerchantView, OpenPayout, PaymentView, ProposalView,
    ReconciliationView, RedemptionView, Status, Stored, SubmitTx, Submitted, SupplyView, TaskDetail, TaskView,
    TillView, TxStatus, routes,
};

/// Time allowed for an upload of up to 8 MiB.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);
/// Time allowed for a readiness probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// `wait` in whole milliseconds, capped at what the node allows.
fn wait_ms(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).min(crate::MAX_WAIT_MS)
}

impl<B> Client<B> {
    /// `GET /readyz`: whether the current node answers 200 (it is at the head of the chain).
    pub fn ready(&self) -> bool {
        self.agent.get(&self.url(routes::READYZ)).timeout(PROBE_TIMEOUT).call().is_ok()
    }

    /// `GET /v1/status`.
    pub fn status(&self) -> Result<Status, Error> {
        self.get_json(routes::STATUS, &[])
    }

    /// The last committed height, from `GET /v1/status`.
    pub fn height(&self) -> Result<Height, Error> {
        self.status().map(|status| status.height)
    }

    /// `GET /v1/accounts/{address}`.
    pub fn account(&self, address: &AccountId) -> Result<AccountView, Error> {
        self.get_json(&routes::account(address), &[])
    }

    /// `GET /v1/accounts/{address}?min_height=H`: only from a node that has committed `H`.
    pub fn account_since(&self, address: &AccountId, min_height: Height) -> Result<AccountView, Error> {
        self.get_json(&routes::account(address), &[("min_height", min_height.to_string())])
    }

    /// `GET /v1/accounts/{address}/allowance`.
    pub fn allowance(&self, address: &AccountId) -> Result<crate::AllowanceView, Error> {
        self.get_json(&routes::account_allowance(address), &[])
    }

    /// `GET /v1/accounts/{address}/earnings/{year}`.
    pub fn earnings(&self, address: &AccountId, year: u16) -> Result<crate::EarningsView, Error> {
        self.get_json(&routes::account_earnings(address, year), &[])
    }

    /// `GET /v1/chain/verify`: replays the chain on the node.
    pub fn verify_chain(&self) -> Result<crate::ChainCheck, Error> {
        self.get_json(routes::CHAIN_VERIFY, &[])
    }

    /// `GET /v1/params`: the chain parameters in force.
    pub fn params(&self) -> Result<contracts::state::Params, Error> {
        self.get_json(routes::PARAMS, &[])
    }

    /// `GET /v1/claims`: every claim, with only the reviewers who have voted.
    pub fn claims(&self) -> Result<Vec<crate::ClaimView>, Error> {
        self.all_pages(routes::CLAIMS, &[], |c: &crate::ClaimView| c.id.0)
    }

    /// Every item of a paged list at `path`, page after page ([`crate::PageQuery`]).
    fn all_pages<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        id: impl Fn(&T) -> u64,
    ) -> Result<Vec<T>, Error> {
        let mut out: Vec<T> = Vec::new();
        loop {
            let mut paged = query.to_vec();
            paged.push(("limit", crate::MAX_PAGE.to_string()));
            if let Some(last) = out.last() {
                paged.push(("after", id(last).to_string()));
            }
            let page: Vec<T> = self.get_json(path, &paged)?;
            let full = page.len() >= crate::MAX_PAGE;
            out.extend(page);
            if !full {
                return Ok(out);
            }
        }
    }

    /// `GET /v1/claims`, signed: every claim, with the signer among the reviewers where they
    /// were drawn (a verifier's queue), or the whole draw of the tasks the signer posted as
    /// officer.
    pub fn claims_signed(&self, sign: impl FnOnce(&Unsigned<'_>) -> String) -> Result<Vec<crate::ClaimView>, Error> {
        self.get_signed(routes::CLAIMS, sign)
    }

    /// `GET /v1/accounts/{address}/history`.
    pub fn history(&self, address: &AccountId, limit: u16, before_height: Option<u64>) -> Result<History, Error> {
        self.history_before(address, limit, before_height.map(|h| (h, None)))
    }

    /// `GET /v1/accounts/{address}/history` below `(height, index)`: the exact cursor of the
    /// entry a page ended with (`index` `None`: below the whole height).
    pub fn history_before(
        &self,
        address: &AccountId,
        limit: u16,
        before: Option<(u64, Option<u32>)>,
    ) -> Result<History, Error> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some((height, index)) = before {
            query.push(("before_height", height.to_string()));
            if let Some(index) = index {
                query.push(("before_index", index.to_string()));
            }
        }
        self.get_json(&routes::account_history(address), &query)
    }

    /// `GET /v1/tasks`.
    pub fn tasks(&self) -> Result<Vec<TaskView>, Error> {
        self.all_pages(routes::TASKS, &[], |t: &TaskView| t.id.0)
    }

    /// `GET /v1/tasks/{id}`.
    pub fn task(&self, id: TaskId) -> Result<TaskDetail, Error> {
        self.get_json(&routes::task(id), &[])
    }

    /// `GET /v1/budgets`.
    pub fn budgets(&self) -> Result<Vec<BudgetView>, Error> {
        self.get_json(routes::BUDGETS, &[])
    }

    /// `GET /v1/proposals`.
    pub fn proposals(&self) -> Result<Vec<ProposalView>, Error> {
        self.all_pages(routes::PROPOSALS, &[], |p: &ProposalView| p.id.0)
    }

    /// `GET /v1/redemptions[?status=…]`.
    pub fn redemptions(&self, status: Option<&str>) -> Result<Vec<RedemptionView>, Error> {
        let query: Vec<(&str, String)> = status.map(|s| ("status", s.to_owned())).into_iter().collect();
        self.all_pages(routes::REDEMPTIONS, &query, |r: &RedemptionView| r.id.0)
    }

    /// `GET /v1/supply`.
    pub fn supply(&self) -> Result<SupplyView, Error> {
        self.get_json(routes::SUPPLY, &[])
    }

    /// `GET /v1/blocks/{height}`, or `/v1/blocks/latest` for `None`: the header and the
    /// transaction ids in block order.
    pub fn block(&self, height: Option<Height>) -> Result<BlockView, Error> {
        match height {
            Some(height) => self.get_json(&routes::block(height), &[]),
            None => self.get_json(&routes::latest_block(), &[]),
        }
    }

    /// `GET /v1/tx/{id}?wait_ms=N`: waits up to `wait` for the transaction to be committed.
    pub fn tx(&self, id: &Hash, wait: Option<Duration>) -> Result<TxStatus, Error> {
        let path = routes::tx_status(id);
        match wait {
            Some(wait) => {
                let wait_ms = wait_ms(wait);
                self.failover(&path, |url| {
                    self.agent
                        .get(url)
                        .query("wait_ms", &wait_ms.to_string())
                        .timeout(REQUEST_TIMEOUT.saturating_add(Duration::from_millis(wait_ms)))
                        .call()
                        .map_err(Box::new)
                })
            }
            None => self.get_json(&path, &[]),
        }
    }

    /// `POST /v1/tx?min_height=H` with the signed transaction's canonical bytes in hex, at a
    /// node that has committed height `H` and is not catching up.
    pub fn submit(&self, signed: &SignedTx, min_height: Height) -> Result<Submitted, Error> {
        let body = SubmitTx { tx: hex::encode(signed.to_bytes()) };
        let min_height = min_height.to_string();
        self.failover(routes::TX, |url| {
            self.agent.post(url).query("min_height", &min_height).send_json(&body).map_err(Box::new)
        })
    }

    /// `POST /v1/evidence?claim&retain_until&content` with a bundle's canonical bytes, signed by
    /// the claim's worker (`sign` turns the method and the path with its query, which binds the
    /// body's hash, into the `Authorization` header value). Answers the sealed record's header
    /// with the salted commitment for `SubmitWork`.
    pub fn upload_evidence(
        &self,
        claim: ClaimId,
        retain_until: Timestamp,
        bundle: &[u8],
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<Uploaded, Error> {
        let path_and_query = crate::evidence::upload_path(claim, retain_until, bundle);
        let header = self.signed_header("POST", &path_and_query, sign)?;
        let answer = self
            .agent
            .post(&self.url(&path_and_query))
            .set("Content-Type", "application/octet-stream")
            .set("Authorization", &header)
            .timeout(UPLOAD_TIMEOUT)
            .send_bytes(bundle);
        self.json_answer(answer, routes::EVIDENCE)
    }

    /// `POST /v1/documents` with a public UTF-8 text, signed by an officer; answers its hash.
    /// The text is public, so this may go over plain http.
    pub fn upload_document(&self, text: &str, sign: impl FnOnce(&Unsigned<'_>) -> String) -> Result<Stored, Error> {
        let path = routes::DOCUMENTS;
        let header = self.bound_header("POST", path, false, sign)?;
        let answer = self
            .agent
            .post(&self.url(path))
            .set("Content-Type", "text/plain; charset=utf-8")
            .set("Authorization", &header)
            .send_string(text);
        self.json_answer(answer, path)
    }

    /// `GET /v1/evidence/{commitment}` (signed by a drawn verifier, the posting officer or the
    /// owner; the node logs the read): the record and its bundle, checked again on arrival.
    pub fn evidence(
        &self,
        commitment: &Hash,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<EvidenceView<B>, Error>
    where
        B: DeserializeOwned,
    {
        let path = routes::evidence_record(commitment);
        let header = self.signed_header("GET", &path, sign)?;
        let answer = self.agent.get(&self.url(&path)).set("Authorization", &header).timeout(UPLOAD_TIMEOUT).call();
        self.json_answer(answer, &path)
    }

    /// `DELETE /v1/evidence/{commitment}` (signed by the owner): erases the record on every node.
    pub fn erase_evidence(
        &self,
        commitment: &Hash,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<crate::evidence::Erased, Error> {
        let path = routes::evidence_record(commitment);
        let header = self.signed_header("DELETE", &path, sign)?;
        self.json_answer(self.agent.delete(&self.url(&path)).set("Authorization", &header).call(), &path)
    }

    /// `GET /v1/evidence?owner=…` (signed by that owner): every record of the owner, live or
    /// erased, without content, with the reads this node logged.
    pub fn evidence_records(
        &self,
        owner: &AccountId,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<crate::evidence::OwnerListing, Error> {
        self.get_signed(&routes::with_query(routes::EVIDENCE, &[("owner", &owner.to_string())]), sign)
    }

    /// `GET /v1/payments/{merchant}/{reference}?wait_ms=N`: the payment once final; a 404
    /// `not_paid` if it is not paid within the wait.
    pub fn payment(&self, merchant: &AccountId, reference: &str, wait: Duration) -> Result<PaymentView, Error> {
        let wait_ms = wait_ms(wait);
        let path = routes::payment(merchant, reference);
        let request = self
            .agent
            .get(&self.url(&path))
            .query("wait_ms", &wait_ms.to_string())
            .timeout(REQUEST_TIMEOUT + Duration::from_millis(wait_ms));
        self.json_answer(request.call(), &path)
    }

    /// [`Client::payment`], with `None` when the node answered 404 `not_paid` (the payment was
    /// not final within the wait).
    pub fn payment_if_paid(
        &self,
        merchant: &AccountId,
        reference: &str,
        wait: Duration,
    ) -> Result<Option<PaymentView>, Error> {
        match self.payment(merchant, reference, wait) {
            Ok(view) => Ok(Some(view)),
            Err(err) if err.status() == Some(404) && err.code() == Some("not_paid") => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// `GET /v1/merchants/{merchant}/payments?from_ms&to_ms`: the statement, signed by the
    /// shop, one of its tills or the treasurer.
    pub fn payments(
        &self,
        merchant: &AccountId,
        from_ms: u64,
        to_ms: u64,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<Vec<PaymentView>, Error> {
        let (from_ms, to_ms) = (from_ms.to_string(), to_ms.to_string());
        let path =
            routes::with_query(&routes::merchant_payments(merchant), &[("from_ms", &from_ms), ("to_ms", &to_ms)]);
        self.get_signed(&path, sign)
    }

    /// `GET /v1/merchants/{merchant}`.
    pub fn merchant(&self, merchant: &AccountId) -> Result<MerchantView, Error> {
        self.get_json(&routes::merchant(merchant), &[])
    }

    /// `GET /v1/tills/{till}`.
    pub fn till(&self, till: &AccountId) -> Result<TillView, Error> {
        self.get_json(&routes::till(till), &[])
    }

    /// `GET /v1/reconciliation[?height=N]`.
    pub fn reconciliation(&self, height: Option<u64>) -> Result<ReconciliationView, Error> {
        let query: Vec<(&str, String)> = height.map(|h| ("height", h.to_string())).into_iter().collect();
        self.get_json(routes::RECONCILIATION, &query)
    }

    /// `POST /v1/registry/merchants`.
    pub fn put_registry(&self, record: &MerchantRecord) -> Result<PublicProfile, Error> {
        let path = routes::REGISTRY_MERCHANTS;
        self.json_answer(self.agent.post(&self.url(path)).send_json(record), path)
    }

    /// `GET /v1/registry/merchants/{merchant}`: the public, signed profile.
    pub fn registry_profile(&self, merchant: &AccountId) -> Result<PublicProfile, Error> {
        self.get_json(&routes::registry_merchant(merchant), &[])
    }

    /// `GET /v1/registry/merchants/{merchant}/bank` (signed, logged).
    pub fn registry_bank(
        &self,
        merchant: &AccountId,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<MerchantRecord, Error> {
        self.get_signed(&routes::registry_bank(merchant), sign)
    }

    /// `GET /v1/settlement/open` (signed by the treasurer, logged).
    pub fn open_payouts(&self, sign: impl FnOnce(&Unsigned<'_>) -> String) -> Result<Vec<OpenPayout>, Error> {
        self.get_signed(routes::SETTLEMENT_OPEN, sign)
    }

    /// `GET /v1/audit?subject=…` (signed by the subject, the council or a registrar).
    pub fn audit(
        &self,
        subject: Option<&AccountId>,
        sign: impl FnOnce(&Unsigned<'_>) -> String,
    ) -> Result<Vec<AuditEntry>, Error> {
        let subject = subject.map(ToString::to_string);
        let query: Vec<(&str, &str)> = subject.iter().map(|s| ("subject", s.as_str())).collect();
        self.get_signed(&routes::with_query(routes::AUDIT, &query), sign)
    }
}
