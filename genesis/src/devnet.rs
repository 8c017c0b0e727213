//! Dev-network tooling: fill a template's slots with fresh keys and write the genesis file,
//! the role accounts' recovery phrases and the validator keys.
//!
//! Role accounts get BIP39 phrases (so the wallet restores them exactly as a resident would);
//! validators get raw ed25519 secrets. Every secret file is written with mode 0600.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use contracts::{AccountId, Amount, ChainId, Timestamp};
use ed25519_dalek::SigningKey;
use rand_core::{OsRng, RngCore};

use crate::{Genesis, GenesisAccount, GenesisBudget, GenesisError, GenesisValidator, Template};

/// What `create` wrote.
#[derive(Debug, Clone)]
pub struct Devnet {
    /// The genesis document.
    pub genesis: Genesis,
    /// Path of `genesis.json`.
    pub genesis_path: PathBuf,
    /// Role slots: name, address and the phrase file.
    pub accounts: Vec<(String, AccountId, PathBuf)>,
    /// Validator slots: name, key and the secret key file.
    pub validators: Vec<(String, AccountId, PathBuf)>,
}

fn io_error(path: &Path, err: std::io::Error) -> GenesisError {
    GenesisError::Invalid(format!("cannot write {}: {err}", path.display()))
}

/// Writes `contents` to `path` with mode 0600, refusing to overwrite.
pub fn write_secret(path: &Path, contents: &str) -> Result<(), GenesisError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io_error(path, e))?;
    file.write_all(contents.as_bytes()).map_err(|e| io_error(path, e))?;
    file.sync_all().map_err(|e| io_error(path, e))
}

/// A fresh BIP39 phrase (24 words) and the account it controls.
pub fn fresh_phrase() -> Result<(String, AccountId), GenesisError> {
    let mut entropy = [0u8; 32];
    OsRng.fill_bytes(&mut entropy);
    let mnemonic = bip39::Mnemonic::from_entropy(&entropy)
        .map_err(|e| GenesisError::Invalid(format!("cannot make a recovery phrase: {e}")))?;
    let key = contracts::crypto::signing_key_from_seed(&mnemonic.to_seed(""));
    Ok((mnemonic.to_string(), contracts::crypto::account_of(&key)))
}

/// Creates a dev network in `dir` (which must not hold one yet) from `template`.
pub fn create(dir: &Path, template: &Template, genesis_time: Timestamp) -> Result<Devnet, GenesisError> {
    if dir.join("genesis.json").exists() {
        return Err(GenesisError::Invalid(format!(
            "{} already holds a dev network; remove it or choose another directory",
            dir.display()
        )));
    }
    let keys_dir = dir.join("keys");
    fs::create_dir_all(&keys_dir).map_err(|e| io_error(&keys_dir, e))?;

    let mut suffix = [0u8; 4];
    OsRng.fill_bytes(&mut suffix);
    let chain_id = ChainId::new(&format!("heerlen-devnet-{}", hex::encode(suffix)))
        .map_err(|e| GenesisError::Invalid(e.to_string()))?;

    let mut accounts = Vec::new();
    let mut genesis_accounts = Vec::new();
    for slot in &template.roles {
        let (phrase, address) = fresh_phrase()?;
        let path = keys_dir.join(format!("{}.phrase", slot.slot));
        write_secret(&path, &format!("{phrase}\n"))?;
        genesis_accounts.push(GenesisAccount {
            address,
            roles: slot.roles.clone(),
            enrolled: false,
            balance: Amount::ZERO,
        });
        accounts.push((slot.slot.clone(), address, path));
    }

    let mut validators = Vec::new();
    let mut genesis_validators = Vec::new();
    for slot in &template.validators {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        let key = SigningKey::from_bytes(&secret);
        let address = contracts::crypto::account_of(&key);
        let path = keys_dir.join(format!("{}.validator.key", slot.slot));
        write_secret(&path, &format!("{}\n", hex::encode(secret)))?;
        genesis_validators.push(GenesisValidator { name: slot.slot.clone(), key: address, power: slot.power });
        validators.push((slot.slot.clone(), address, path));
    }

    let genesis = Genesis {
        network: template.network.clone(),
        chain_id,
        genesis_time,
        params: template.params.clone(),
        treasury: Amount::ZERO,
        budgets: template
            .budgets
            .iter()
            .map(|code| GenesisBudget { code: code.clone(), balance: Amount::ZERO })
            .collect(),
        accounts: genesis_accounts,
        validators: genesis_validators,
    };
    genesis.validate()?;
    let genesis_path = dir.join("genesis.json");
    fs::write(&genesis_path, genesis.to_json()).map_err(|e| io_error(&genesis_path, e))?;
    Ok(Devnet { genesis, genesis_path, accounts, validators })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devnet_from_the_heerlen_template_is_valid_and_keys_match() {
        let dir = tempfile::tempdir().expect("temp dir");
        let template = Template::heerlen().expect("template");
        let devnet = create(dir.path(), &template, Timestamp(1_700_000_000_000)).expect("devnet");
        let text = fs::read_to_string(&devnet.genesis_path).expect("genesis file");
        let genesis = Genesis::from_json(&text).expect("valid genesis");
        assert_eq!(genesis, devnet.genesis);
        assert_eq!(devnet.accounts.len(), 10, "council 3, treasurer, registrar, officer, 3 verifiers, shop");
        for (_, address, path) in &devnet.accounts {
            let phrase = fs::read_to_string(path).expect("phrase");
            let mnemonic = bip39::Mnemonic::parse(phrase.trim()).expect("valid phrase");
            let key = contracts::crypto::signing_key_from_seed(&mnemonic.to_seed(""));
            assert_eq!(&contracts::crypto::account_of(&key), address);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                assert_eq!(fs::metadata(path).expect("meta").permissions().mode() & 0o777, 0o600);
            }
        }
        assert!(create(dir.path(), &template, Timestamp(1)).is_err(), "a second devnet must not overwrite");
    }
}
