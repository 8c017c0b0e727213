//! The benchmark's accounts: deterministic keys, their entries in a bench-only genesis, and
//! transfers signed in advance so that signing costs nothing while the network is measured.

use std::collections::VecDeque;
use std::path::Path;

use contracts::codec::Encode as _;
use contracts::tx::{Action, Transfer};
use contracts::{AccountId, Amount, ChainId, Hash, Nonce, SignedTx, Tx};
use ed25519_dalek::SigningKey;
use genesis::{Genesis, GenesisAccount};

use crate::error::{Error, Result};

/// Key-derivation context of the bench accounts' secret keys (bench only, never a real key).
const KEY_CONTEXT: &str = "heitje 2026-11 loadgen bench account key";

/// Opening balance of every bench account, in whole coins.
pub(crate) const OPENING_COINS: u64 = 1_000_000;

/// One bench account and where its transactions go.
#[derive(Debug)]
pub(crate) struct Account {
    /// Its key.
    pub(crate) key: SigningKey,
    /// Its id.
    pub(crate) id: AccountId,
    /// The node (index) all its transactions are submitted to: a node admits only the next
    /// nonce, so one account's transactions must reach one mempool in order.
    pub(crate) node: usize,
    /// The nonce of its next transaction (counts every submission a node accepted).
    pub(crate) next_nonce: u64,
    /// Why it no longer takes part, after a node refused one of its transactions for good.
    pub(crate) broken: Option<String>,
}

/// A signed transaction ready to post: its id and the request body.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The transaction id.
    pub(crate) id: Hash,
    /// `{"tx": "<hex of canonical SignedTx>"}`.
    pub(crate) body: Vec<u8>,
}

/// The secret key of bench account `index`.
pub(crate) fn key(index: usize) -> SigningKey {
    let index = u64::try_from(index).unwrap_or(u64::MAX);
    SigningKey::from_bytes(&blake3::derive_key(KEY_CONTEXT, &index.to_le_bytes()))
}

/// `count` bench accounts spread round-robin over `nodes` nodes.
/// The deterministic key `index` of the accounts labelled `label` in one figure's key space
/// (`context`, a blake3 `derive_key` context of its own per figure).
pub(crate) fn labelled_key(context: &str, label: &str, index: usize) -> SigningKey {
    let index = u64::try_from(index).unwrap_or(u64::MAX);
    let mut seed = label.as_bytes().to_vec();
    seed.extend_from_slice(&index.to_le_bytes());
    SigningKey::from_bytes(&blake3::derive_key(context, &seed))
}

/// The account of `key`.
pub(crate) fn id_of(key: &SigningKey) -> AccountId {
    contracts::crypto::account_of(key)
}

pub(crate) fn create(count: usize, nodes: usize) -> Vec<Account> {
    (0..count)
        .map(|i| {
            let key = key(i);
            let id = contracts::crypto::account_of(&key);
            Account { key, id, node: i % nodes.max(1), next_nonce: 0, broken: None }
        })
        .collect()
}

/// Adds the accounts, enrolled and funded, and the `extra` entries (the shop figures' accounts)
/// to the genesis file at `path` and checks it.
pub(crate) fn fund_genesis(path: &Path, accounts: &[Account], extra: Vec<GenesisAccount>) -> Result<Genesis> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
    let mut genesis = Genesis::from_json(&text)?;
    genesis.accounts.extend(accounts.iter().map(|a| GenesisAccount {
        address: a.id,
        roles: Vec::new(),
        enrolled: true,
        balance: Amount::coins(OPENING_COINS),
    }));
    genesis.accounts.extend(extra);
    genesis.validate()?;
    std::fs::write(path, genesis.to_json()).map_err(|e| Error::io("writing", path, e))?;
    Ok(genesis)
}

/// A transfer of one cent from `from` to `to` with `nonce`, signed.
pub(crate) fn signed_transfer(chain_id: &ChainId, from: &SigningKey, to: AccountId, nonce: u64) -> SignedTx {
    Tx {
        chain_id: chain_id.clone(),
        signer: contracts::crypto::account_of(from),
        nonce: Nonce(nonce),
        action: Action::Transfer(Transfer { recipient: to, amount: Amount(1) }),
    }
    .sign(from)
}

/// [`signed_transfer`], encoded as a request body.
pub(crate) fn transfer(chain_id: &ChainId, from: &SigningKey, to: AccountId, nonce: u64) -> Prepared {
    let tx = signed_transfer(chain_id, from, to, nonce);
    let body = format!("{{\"tx\":\"{}\"}}", hex::encode(tx.to_bytes())).into_bytes();
    Prepared { id: tx.id(), body }
}

/// Signs `per_account` transfers for every account that still takes part (each pays the next
/// account), on `threads` threads. Entry `i` holds account `i`'s transfers in nonce order;
/// accounts that no longer take part get none.
pub(crate) fn sign_transfers(
    chain_id: &ChainId,
    accounts: &[Account],
    per_account: usize,
    threads: usize,
) -> Vec<VecDeque<Prepared>> {
    let count = accounts.len();
    let chunk = count.div_ceil(threads.max(1)).max(1);
    let sign_one = |i: usize| -> VecDeque<Prepared> {
        let Some(account) = accounts.get(i) else { return VecDeque::new() };
        if account.broken.is_some() {
            return VecDeque::new();
        }
        let to = accounts.get((i + 1) % count).map_or(account.id, |a| a.id);
        let first = account.next_nonce;
        (first..first.saturating_add(per_account as u64))
            .map(|nonce| transfer(chain_id, &account.key, to, nonce))
            .collect()
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .step_by(chunk)
            .map(|start| {
                let range = start..(start + chunk).min(count);
                (range.len(), scope.spawn(move || range.map(sign_one).collect::<Vec<_>>()))
            })
            .collect();
        // A signing thread cannot panic on these inputs; if one did, its accounts sit this
        // phase out instead of shifting every later account's transactions.
        handles.into_iter().flat_map(|(len, h)| h.join().unwrap_or_else(|_| vec![VecDeque::new(); len])).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_distinct() {
        assert_eq!(key(7).to_bytes(), key(7).to_bytes());
        assert_ne!(key(7).to_bytes(), key(8).to_bytes());
        let accounts = create(6, 4);
        assert_eq!(accounts.iter().map(|a| a.node).collect::<Vec<_>>(), [0, 1, 2, 3, 0, 1]);
    }

    #[test]
    fn signed_transfers_decode_verify_and_follow_nonces() {
        let chain = ChainId::new("heerlen-bench").expect("chain id");
        let mut accounts = create(3, 4);
        accounts[1].next_nonce = 5;
        accounts[2].broken = Some("refused".into());
        let signed = sign_transfers(&chain, &accounts, 2, 2);
        assert_eq!(signed.iter().map(VecDeque::len).collect::<Vec<_>>(), [2, 2, 0]);
        let body: serde_json::Value = serde_json::from_slice(&signed[1][1].body).expect("JSON body");
        let bytes = hex::decode(body["tx"].as_str().expect("tx field")).expect("hex");
        let tx = contracts::SignedTx::decode_checked(&bytes).expect("canonical signed tx");
        assert_eq!(tx.verify_signature(), Ok(()));
        assert_eq!(tx.tx.nonce, Nonce(6));
        assert_eq!(tx.tx.signer, accounts[1].id);
        assert_eq!(tx.id(), signed[1][1].id);
    }

    #[test]
    fn funding_adds_enrolled_accounts_to_a_valid_genesis() {
        let dir = std::env::temp_dir().join(format!("heitje-loadgen-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let template = genesis::Template::heerlen().expect("template");
        let devnet = genesis::devnet::create(&dir, &template, contracts::Timestamp(1)).expect("devnet");
        let accounts = create(5, 4);
        let funded = fund_genesis(&devnet.genesis_path, &accounts, Vec::new()).expect("funded");
        let reread = Genesis::from_json(&std::fs::read_to_string(&devnet.genesis_path).expect("read")).expect("valid");
        assert_eq!(funded, reread);
        assert_eq!(reread.accounts.len(), devnet.genesis.accounts.len() + 5);
        assert!(reread.accounts.iter().any(|a| a.address == accounts[4].id && a.enrolled));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
