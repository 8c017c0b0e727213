//! Heitje genesis: the genesis file format and its validation, the initial state and header,
//! the embedded Heerlen network template, and the tooling that turns the template into a dev
//! network with fresh keys.
//!
//! A genesis file holds only public, pseudonymous facts: account keys and their roles, budget
//! codes, validator keys and chain parameters. No names of people, no addresses.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

use std::collections::{BTreeMap, BTreeSet};

use contracts::codec::{Encode, put_bytes, put_list};
use contracts::crypto::HashKind;
use contracts::primitives::{ClaimId, ProposalId, RedemptionId, TaskId};
use contracts::state::{
    Account, Budget, Globals, Key, MAX_VERIFIERS, Params, ScheduledSet, State, ValidatorEntry, ValidatorSchedule,
    Value, VerifierPool,
};
use contracts::{AccountId, Amount, BlockHeader, BudgetCode, ChainId, Hash, Height, Role, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub mod devnet;

/// The Heerlen network template, embedded in every binary.
pub const HEERLEN_TEMPLATE: &str = include_str!("../heerlen.json");

/// Why a genesis file was refused.
#[derive(Debug, Error)]
pub enum GenesisError {
    /// Not valid JSON for the format.
    #[error("genesis file is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// A rule of the format is broken.
    #[error("genesis file is not valid: {0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> GenesisError {
    GenesisError::Invalid(message.into())
}

/// An account present at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// The account.
    pub address: AccountId,
    /// Its roles.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Whether it is an enrolled resident.
    #[serde(default)]
    pub enrolled: bool,
    /// Opening balance (counts as minted).
    #[serde(default)]
    pub balance: Amount,
}

/// A validator at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// The operator's label, a code such as `gemeente-heerlen`.
    pub name: String,
    /// The validator's ed25519 public key, as an address.
    pub key: AccountId,
    /// Voting power.
    pub power: u64,
}

/// A budget at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisBudget {
    /// Its code.
    pub code: BudgetCode,
    /// Opening balance (counts as minted).
    #[serde(default)]
    pub balance: Amount,
}

/// A complete genesis document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// The network's public name, e.g. `Heerlen`.
    pub network: String,
    /// The chain id every transaction carries.
    pub chain_id: ChainId,
    /// Block time of genesis, in ms since the epoch.
    pub genesis_time: Timestamp,
    /// Chain parameters.
    pub params: Params,
    /// Opening treasury (counts as minted).
    #[serde(default)]
    pub treasury: Amount,
    /// Budgets.
    #[serde(default)]
    pub budgets: Vec<GenesisBudget>,
    /// Accounts.
    pub accounts: Vec<GenesisAccount>,
    /// Validators.
    pub validators: Vec<GenesisValidator>,
}

/// R-RED-4/5: the redemption fee and minimum within the caps the council is held to as well.
fn validate_redemption_params(params: &Params) -> Result<(), GenesisError> {
    Params::check_redemption_fee(params.redemption_fee)
        .map_err(|err| invalid(format!("params.redemption_fee: {err}; write it in coins, e.g. \"0.25\"")))?;
    Params::check_redemption_min(params.redemption_min)
        .map_err(|err| invalid(format!("params.redemption_min: {err}; write it in coins, e.g. \"5.00\"")))?;
    params.check_task_rules().map_err(|err| {
        invalid(format!("params (objection_window_ms, resubmit_window_ms, annual_cap, max_review_share_pct): {err}"))
    })
}

fn is_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 32
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Genesis {
    /// Parses and validates a genesis file.
    pub fn from_json(text: &str) -> Result<Self, GenesisError> {
        let genesis: Self = serde_json::from_str(text)?;
        genesis.validate()?;
        Ok(genesis)
    }

    /// The file form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks the rules of the format (G-1..G-6 in docs/rules.md).
    pub fn validate(&self) -> Result<(), GenesisError> {
        if self.network.is_empty()
            || self.network.len() > 32
            || !self.network.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' ')
        {
            return Err(invalid("network must be 1 to 32 letters, digits, spaces or '-'"));
        }
        let mut seen = BTreeSet::new();
        for account in &self.accounts {
            if !seen.insert(account.address) {
                return Err(invalid(format!("account {} is listed twice", account.address)));
            }
        }
        let council = self.accounts.iter().filter(|a| a.roles.contains(&Role::Council)).count();
        if council == 0 {
            return Err(invalid("at least one account needs the council role"));
        }
        let threshold = usize::from(self.params.council_threshold);
        if threshold < council.min(2) || threshold > council {
            return Err(invalid(format!(
                "council_threshold {threshold} must be between {} and the {council} council members",
                council.min(2)
            )));
        }
        if self.params.proposal_ttl_ms == 0 {
            return Err(invalid("proposal_ttl_ms must be more than 0"));
        }
        validate_redemption_params(&self.params)?;
        let mut codes = BTreeSet::new();
        for budget in &self.budgets {
            if !codes.insert(budget.code.clone()) {
                return Err(invalid(format!("budget {} is listed twice", budget.code)));
            }
        }
        if self.validators.is_empty() || self.validators.len() > contracts::state::MAX_VALIDATORS {
            return Err(invalid(format!("1 to {} validators are needed", contracts::state::MAX_VALIDATORS)));
        }
        let mut keys = BTreeSet::new();
        for v in &self.validators {
            if !is_label(&v.name) {
                return Err(invalid(format!("validator name {:?} must be 1-32 of a-z, 0-9, '-'", v.name)));
            }
            if v.power == 0 || v.power > contracts::state::MAX_VALIDATOR_POWER {
                return Err(invalid(format!(
                    "validator {} has power {}; it must be 1 to {}",
                    v.name,
                    v.power,
                    contracts::state::MAX_VALIDATOR_POWER
                )));
            }
            if !keys.insert(v.key) {
                return Err(invalid(format!("validator key {} is listed twice", v.key)));
            }
        }
        self.minted()?;
        Ok(())
    }

    fn minted(&self) -> Result<Amount, GenesisError> {
        let overflow = || invalid("opening balances add up to more than the ledger can hold");
        let mut total = self.treasury;
        for amount in self.accounts.iter().map(|a| a.balance).chain(self.budgets.iter().map(|b| b.balance)) {
            total = total.checked_add(amount).ok_or_else(overflow)?;
        }
        Ok(total)
    }

    /// Hash of the canonical encoding of the document: every node must agree on it.
    pub fn hash(&self) -> Hash {
        let mut out = Vec::new();
        put_bytes(&mut out, self.network.as_bytes());
        self.chain_id.encode(&mut out);
        self.genesis_time.encode(&mut out);
        self.params.encode(&mut out);
        self.treasury.encode(&mut out);
        let budgets: Vec<(BudgetCode, Amount)> = self.budgets.iter().map(|b| (b.code.clone(), b.balance)).collect();
        contracts::codec::put_len(&mut out, budgets.len());
        for (code, balance) in budgets {
            code.encode(&mut out);
            balance.encode(&mut out);
        }
        contracts::codec::put_len(&mut out, self.accounts.len());
        for a in &self.accounts {
            a.address.encode(&mut out);
            put_list(&mut out, &a.roles);
            a.enrolled.encode(&mut out);
            a.balance.encode(&mut out);
        }
        contracts::codec::put_len(&mut out, self.validators.len());
        for v in &self.validators {
            put_bytes(&mut out, v.name.as_bytes());
            v.key.encode(&mut out);
            v.power.encode(&mut out);
        }
        HashKind::Genesis.hash(&out)
    }

    /// The state at height 0.
    pub fn initial_state(&self) -> Result<State, GenesisError> {
        let mut entries = BTreeMap::new();
        let council = self.accounts.iter().filter(|a| a.roles.contains(&Role::Council)).count();
        entries.insert(
            Key::Globals,
            Value::Globals(Globals {
                treasury: self.treasury,
                minted: self.minted()?,
                burned: Amount::ZERO,
                settled: Amount::ZERO,
                redemption_fees: Amount::ZERO,
                params: self.params.clone(),
                next_task: TaskId(1),
                next_claim: ClaimId(1),
                next_redemption: RedemptionId(1),
                next_proposal: ProposalId(1),
                council_size: u8::try_from(council).map_err(|_| invalid("the council has more than 255 members"))?,
            }),
        );
        for a in &self.accounts {
            let account = Account {
                balance: a.balance,
                nonce: contracts::Nonce(0),
                roles: a.roles.iter().copied().collect(),
                enrolled: a.enrolled,
            };
            entries.insert(Key::Account(a.address), Value::Account(account));
        }
        for b in &self.budgets {
            entries.insert(Key::Budget(b.code.clone()), Value::Budget(Budget { balance: b.balance }));
        }
        // R-REV-2: the verifier pool starts as the genesis verifiers.
        let mut pool: Vec<AccountId> =
            self.accounts.iter().filter(|a| a.roles.contains(&Role::Verifier)).map(|a| a.address).collect();
        pool.sort();
        pool.dedup();
        if pool.len() > MAX_VERIFIERS {
            return Err(invalid(format!("at most {MAX_VERIFIERS} accounts may hold the verifier role")));
        }
        entries.insert(Key::Verifiers, Value::Verifiers(VerifierPool { members: pool }));
        let mut validators: Vec<_> =
            self.validators.iter().map(|v| ValidatorEntry { key: v.key, power: v.power }).collect();
        validators.sort();
        entries.insert(
            Key::Validators,
            Value::Validators(ValidatorSchedule { sets: vec![ScheduledSet { from: Height(1), validators }] }),
        );
        Ok(State::from_entries(entries))
    }

    /// The header at height 0: its parent is the genesis hash, its state root the initial
    /// state's.
    pub fn header(&self, state: &State) -> BlockHeader {
        BlockHeader {
            chain_id: self.chain_id.clone(),
            height: Height(0),
            parent: self.hash(),
            time: self.genesis_time,
            proposer: AccountId([0; 32]),
            tx_count: 0,
            tx_root: contracts::block::tx_root(&[]),
            receipt_root: contracts::block::receipt_root(&[]),
            state_root: state.root(),
        }
    }

    /// Validators and their power, in file order.
    pub fn validator_set(&self) -> Vec<(AccountId, u64)> {
        self.validators.iter().map(|v| (v.key, v.power)).collect()
    }
}

/// A role slot in the template, filled with a fresh key by the devnet tooling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateRole {
    /// The slot's name, e.g. `council-1`; also the wallet account name in a devnet.
    pub slot: String,
    /// The roles.
    pub roles: Vec<Role>,
}

/// A validator slot in the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateValidator {
    /// The slot's name.
    pub slot: String,
    /// Voting power.
    pub power: u64,
}

/// A network template: parameters and role slots, without keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Network name.
    pub network: String,
    /// The production chain id.
    pub chain_id: ChainId,
    /// Chain parameters.
    pub params: Params,
    /// Budget codes created empty at genesis.
    pub budgets: Vec<BudgetCode>,
    /// Role slots.
    pub roles: Vec<TemplateRole>,
    /// Validator slots.
    pub validators: Vec<TemplateValidator>,
}

impl Template {
    /// The embedded Heerlen template.
    pub fn heerlen() -> Result<Self, GenesisError> {
        Self::from_json(HEERLEN_TEMPLATE)
    }

    /// Parses a template.
    pub fn from_json(text: &str) -> Result<Self, GenesisError> {
        let template: Self = serde_json::from_str(text)?;
        validate_redemption_params(&template.params)?;
        for slot in template.roles.iter().map(|r| &r.slot).chain(template.validators.iter().map(|v| &v.slot)) {
            if !is_label(slot) {
                return Err(invalid(format!("slot {slot:?} must be 1-32 of a-z, 0-9, '-'")));
            }
        }
        Ok(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Genesis {
        let key = |n: u8| contracts::crypto::account_of(&ed25519_dalek::SigningKey::from_bytes(&[n; 32]));
        Genesis {
            network: "Heerlen".into(),
            chain_id: ChainId::new("heerlen-test").unwrap_or_else(|_| unreachable!()),
            genesis_time: Timestamp(1_700_000_000_000),
            params: Params {
                council_threshold: 2,
                proposal_ttl_ms: 1000,
                redemption_fee: Amount::ZERO,
                redemption_min: Amount::ZERO,
                objection_window_ms: Params::default_objection_window_ms(),
                resubmit_window_ms: Params::default_resubmit_window_ms(),
                annual_cap: Params::default_annual_cap(),
                max_review_share_pct: Params::default_review_share(),
            },
            treasury: Amount::coins(5),
            budgets: vec![GenesisBudget {
                code: BudgetCode::new("grasbroek").unwrap_or_else(|_| unreachable!()),
                balance: Amount::coins(1),
            }],
            accounts: (1..=3)
                .map(|n| GenesisAccount {
                    address: key(n),
                    roles: vec![Role::Council],
                    enrolled: false,
                    balance: Amount::ZERO,
                })
                .collect(),
            validators: vec![GenesisValidator { name: "gemeente".into(), key: key(9), power: 1 }],
        }
    }

    #[test]
    fn g_1_the_embedded_heerlen_template_parses() {
        let template = Template::heerlen().expect("embedded template is valid");
        assert_eq!(template.network, "Heerlen");
        assert_eq!(template.params.council_threshold, 2);
        assert_eq!((template.params.redemption_fee, template.params.redemption_min), (Amount::ZERO, Amount::ZERO));
        assert_eq!(template.roles.iter().filter(|r| r.roles.contains(&Role::Council)).count(), 3);
        assert!(template.budgets.iter().any(|b| b.as_str() == "grasbroek"));
    }

    #[test]
    fn g_2_genesis_state_conserves_supply_and_round_trips() {
        let genesis = sample();
        genesis.validate().expect("valid");
        let state = genesis.initial_state().expect("state");
        assert!(state.supply().is_conserved());
        assert_eq!(state.supply().minted, 600);
        let again = Genesis::from_json(&genesis.to_json()).expect("round trip");
        assert_eq!(again.hash(), genesis.hash());
    }

    #[test]
    fn g_3_bad_genesis_files_are_refused_with_reasons() {
        let mut one_signature = sample();
        one_signature.params.council_threshold = 1;
        assert!(one_signature.validate().unwrap_err().to_string().contains("council_threshold"));
        let mut dup = sample();
        dup.accounts.push(dup.accounts[0].clone());
        assert!(dup.validate().unwrap_err().to_string().contains("twice"));
        let mut no_validators = sample();
        no_validators.validators.clear();
        assert!(no_validators.validate().is_err());
        assert!(Genesis::from_json("{\"network\": 1}").is_err());
        let unknown_field = sample().to_json().replacen("{", "{\"surprise\": 1,", 1);
        assert!(Genesis::from_json(&unknown_field).is_err());
    }

    #[test]
    fn g_4_redemption_fee_and_minimum_are_in_range_and_default_to_zero() {
        let mut fee = sample();
        fee.params.redemption_fee = Amount(10_000);
        fee.params.redemption_min = Amount(1_000_000);
        fee.validate().expect("the caps themselves are allowed");
        let state = fee.initial_state().expect("state");
        let params = &state.globals().expect("globals").params;
        assert_eq!((params.redemption_fee, params.redemption_min), (Amount(10_000), Amount(1_000_000)));

        fee.params.redemption_fee = Amount(10_001);
        let err = fee.validate().unwrap_err().to_string();
        assert!(err.contains("params.redemption_fee") && err.contains("100.00"), "{err}");
        let mut min = sample();
        min.params.redemption_min = Amount(1_000_001);
        let err = min.validate().unwrap_err().to_string();
        assert!(err.contains("params.redemption_min") && err.contains("10000.00"), "{err}");

        // Files written before the fields existed read as no fee and no minimum.
        let old =
            sample().to_json().replace(",\n    \"redemption_fee\": \"0.00\",\n    \"redemption_min\": \"0.00\"", "");
        assert!(!old.contains("redemption_fee"), "{old}");
        let parsed = Genesis::from_json(&old).expect("parses");
        assert_eq!((parsed.params.redemption_fee, parsed.params.redemption_min), (Amount::ZERO, Amount::ZERO));
        assert_eq!(parsed.hash(), sample().hash());

        let template = HEERLEN_TEMPLATE.replace("\"redemption_fee\": \"0.00\"", "\"redemption_fee\": \"100.01\"");
        assert!(Template::from_json(&template).unwrap_err().to_string().contains("params.redemption_fee"));
    }
}
