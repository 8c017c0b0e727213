//! The chain: the genesis hash and the head, the state, the blocks with their certificates and
//! receipts, and the indexes by transaction and by account. A decided block is committed with
//! all of it in one synced `WriteBatch` (R-STO-1); the state is loaded only if it matches the
//! head (R-STO-2).

use contracts::block::Executed;
use contracts::codec::{Decode, Encode};
use contracts::state::{Key, State, Value};
use contracts::{AccountId, Block, BlockHeader, CommitCert, Hash, Height, Receipt};
use rocksdb::{Direction, IteratorMode, WriteBatch};

use super::db::{
    CF_BLOCKS, CF_CERTS, CF_HISTORY, CF_META, CF_RECEIPTS, CF_STATE, CF_TX_INDEX, CF_UNDECIDED, Storage, StoreError,
    corrupt,
};

const META_GENESIS: &[u8] = b"genesis_hash";
const META_HEAD: &[u8] = b"head";

fn location(height: Height, index: u32) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&height.0.to_be_bytes());
    key[8..].copy_from_slice(&index.to_be_bytes());
    key
}

fn parse_location(bytes: &[u8]) -> Option<(Height, u32)> {
    let height = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let index = u32::from_be_bytes(bytes.get(8..12)?.try_into().ok()?);
    Some((Height(height), index))
}

impl Storage {
    /// The genesis hash this database was created with, if any.
    pub fn genesis_hash(&self) -> Result<Option<Hash>, StoreError> {
        match self.db.get_cf(self.cf(CF_META)?, META_GENESIS)? {
            None => Ok(None),
            Some(bytes) => Hash::from_bytes(&bytes).map(Some).map_err(|e| corrupt("genesis hash", e)),
        }
    }

    /// The last committed header (the genesis header at height 0).
    pub fn head(&self) -> Result<Option<BlockHeader>, StoreError> {
        match self.db.get_cf(self.cf(CF_META)?, META_HEAD)? {
            None => Ok(None),
            Some(bytes) => BlockHeader::from_bytes(&bytes).map(Some).map_err(|e| corrupt("head", e)),
        }
    }

    /// Writes the genesis state and header in one synced batch.
    pub fn init_genesis(&self, genesis_hash: Hash, state: &State, header: &BlockHeader) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        let cf_state = self.cf(CF_STATE)?;
        for (key, value) in state.entries() {
            batch.put_cf(cf_state, key.to_bytes(), value.to_bytes());
        }
        let cf_meta = self.cf(CF_META)?;
        batch.put_cf(cf_meta, META_GENESIS, genesis_hash.to_bytes());
        batch.put_cf(cf_meta, META_HEAD, header.to_bytes());
        self.db.write_opt(batch, &Self::synced())?;
        Ok(())
    }

    /// Loads the whole state and checks it against the head (R-STO-2).
    pub fn load_state(&self, head: &BlockHeader) -> Result<State, StoreError> {
        let mut entries = std::collections::BTreeMap::new();
        for item in self.db.iterator_cf(self.cf(CF_STATE)?, IteratorMode::Start) {
            let (key_bytes, value_bytes) = item?;
            let key = Key::from_bytes(&key_bytes).map_err(|e| corrupt("state key", e))?;
            let value = Value::decode_for(&key, &value_bytes).map_err(|e| corrupt("state value", e))?;
            entries.insert(key, value);
        }
        let state = State::from_entries(entries);
        if state.root() != head.state_root {
            return Err(StoreError::Corrupt(format!(
                "stored state has root {} but the head at height {} says {}; refusing to run on it",
                state.root(),
                head.height,
                head.state_root
            )));
        }
        if head.height.0 > 0 {
            let block = self.block(head.height)?.ok_or_else(|| {
                StoreError::Corrupt(format!("head is at height {} but that block is missing", head.height))
            })?;
            if block.header != *head {
                return Err(StoreError::Corrupt(format!("stored block {} differs from the head", head.height)));
            }
        }
        Ok(state)
    }

    /// Commits a decided block in one synced batch (R-STO-1).
    pub fn commit_block(&self, block: &Block, cert: &CommitCert, executed: &Executed) -> Result<(), StoreError> {
        let height = block.header.height;
        let mut batch = WriteBatch::default();
        let height_key = height.0.to_be_bytes();
        batch.put_cf(self.cf(CF_BLOCKS)?, height_key, block.to_bytes());
        batch.put_cf(self.cf(CF_CERTS)?, height_key, cert.to_bytes());
        let (cf_index, cf_receipts, cf_history) = (self.cf(CF_TX_INDEX)?, self.cf(CF_RECEIPTS)?, self.cf(CF_HISTORY)?);
        for (i, (tx, receipt)) in block.txs.iter().zip(&executed.receipts).enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let at = location(height, index);
            batch.put_cf(cf_index, receipt.tx_id.0, at);
            batch.put_cf(cf_receipts, at, receipt.to_bytes());
            let mut accounts = vec![tx.tx.signer];
            if let contracts::Outcome::Accepted { events } = &receipt.outcome {
                accounts.extend(events.iter().flat_map(contracts::Event::accounts));
            }
            accounts.sort();
            accounts.dedup();
            for account in accounts {
                let mut key = Vec::with_capacity(44);
                key.extend_from_slice(&account.0);
                key.extend_from_slice(&at);
                batch.put_cf(cf_history, key, []);
            }
        }
        let cf_state = self.cf(CF_STATE)?;
        for (key, value) in &executed.changes {
            match value {
                Some(value) => batch.put_cf(cf_state, key.to_bytes(), value.to_bytes()),
                None => batch.delete_cf(cf_state, key.to_bytes()),
            }
        }
        batch.put_cf(self.cf(CF_META)?, META_HEAD, block.header.to_bytes());
        // Undecided blocks of this height and below are settled now.
        batch.delete_range_cf(self.cf(CF_UNDECIDED)?, 0u64.to_be_bytes(), (height.0.saturating_add(1)).to_be_bytes());
        self.db.write_opt(batch, &Self::synced())?;
        Ok(())
    }

    /// The block at `height`.
    pub fn block(&self, height: Height) -> Result<Option<Block>, StoreError> {
        match self.db.get_cf(self.cf(CF_BLOCKS)?, height.0.to_be_bytes())? {
            None => Ok(None),
            Some(bytes) => Block::from_bytes(&bytes).map(Some).map_err(|e| corrupt("block", e)),
        }
    }

    /// The commit certificate of the block at `height`.
    pub fn cert(&self, height: Height) -> Result<Option<CommitCert>, StoreError> {
        match self.db.get_cf(self.cf(CF_CERTS)?, height.0.to_be_bytes())? {
            None => Ok(None),
            Some(bytes) => CommitCert::from_bytes(&bytes).map(Some).map_err(|e| corrupt("certificate", e)),
        }
    }

    /// Where a committed transaction is.
    pub fn tx_location(&self, id: &Hash) -> Result<Option<(Height, u32)>, StoreError> {
        Ok(self.db.get_cf(self.cf(CF_TX_INDEX)?, id.0)?.and_then(|bytes| parse_location(&bytes)))
    }

    /// The receipt at a location.
    pub fn receipt(&self, height: Height, index: u32) -> Result<Option<Receipt>, StoreError> {
        match self.db.get_cf(self.cf(CF_RECEIPTS)?, location(height, index))? {
            None => Ok(None),
            Some(bytes) => Receipt::from_bytes(&bytes).map(Some).map_err(|e| corrupt("receipt", e)),
        }
    }

    /// Locations of an account's transactions below `before` (a height, or with an index a
    /// position in that height's block), newest first.
    pub fn history(
        &self,
        account: &AccountId,
        before: Height,
        before_index: Option<u32>,
        limit: usize,
    ) -> Result<Vec<(Height, u32)>, StoreError> {
        let start = match before_index {
            Some(index) if index > 0 => Some(location(before, index - 1)),
            _ if before.0 == 0 => None,
            _ => Some(location(Height(before.0 - 1), u32::MAX)),
        };
        let mut out = Vec::new();
        let Some(start) = start else { return Ok(out) };
        let mut from = Vec::with_capacity(44);
        from.extend_from_slice(&account.0);
        from.extend_from_slice(&start);
        for item in self.db.iterator_cf(self.cf(CF_HISTORY)?, IteratorMode::From(&from, Direction::Reverse)) {
            let (key, _) = item?;
            if key.get(..32) != Some(&account.0[..]) || out.len() >= limit {
                break;
            }
            if let Some(at) = key.get(32..).and_then(parse_location) {
                out.push(at);
            }
        }
        Ok(out)
    }
}
