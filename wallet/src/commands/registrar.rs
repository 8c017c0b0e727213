//! `heitje registrar`: enroll and unenroll residents, and keep the off-chain merchant registry.

use anyhow::{anyhow, bail};
use api::registry::{BankDetails, MerchantRecord};
use clap::Subcommand;
use contracts::tx::{Enroll, Unenroll};
use contracts::{Action, Hash, Role, Timestamp};
use serde_json::json;

use crate::context::{Context, chain_id};
use crate::formats::iban::{Bic, Iban};
use crate::formats::time::{format_utc, now_ms};
use crate::output::fields;
use crate::submit::{self, begin, extra, finality, report};

/// `heitje registrar …`.
#[derive(Debug, Subcommand)]
pub enum RegistrarCommand {
    /// Enroll a resident's account.
    Enroll {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
    },

    /// End a resident's enrolment; the account keeps its coins.
    Unenroll {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
    },

    /// The off-chain merchant registry: verified shop names and payout bank accounts.
    #[command(subcommand)]
    Merchant(MerchantCommand),
}

/// `heitje registrar merchant …`.
#[derive(Debug, Subcommand)]
pub enum MerchantCommand {
    /// Record (or replace) a shop's verified name and bank account; signed by you as registrar.
    Set {
        /// The shop's address or local account name.
        #[arg(value_name = "SHOP")]
        target: String,
        /// The name payers see, as checked against the trade register.
        #[arg(long)]
        name: String,
        /// The bank account redemptions are paid to.
        #[arg(long)]
        iban: String,
        /// The bank's BIC, if known.
        #[arg(long)]
        bic: Option<String>,
    },

    /// Withdraw a shop's registry record: its name and bank details are erased on every node.
    Revoke {
        /// The shop's address or local account name.
        #[arg(value_name = "SHOP")]
        target: String,
    },

    /// Show a shop's registry record; the bank details only to the treasurer, a registrar or the
    /// shop itself (every such read is logged).
    Show {
        /// The shop's address or local account name [default: the selected account].
        #[arg(value_name = "SHOP")]
        target: Option<String>,
        /// Also read the bank details (a logged read).
        #[arg(long)]
        bank: bool,
    },
}

/// Runs `heitje registrar …`.
pub(crate) fn run(ctx: &Context, command: RegistrarCommand) -> anyhow::Result<()> {
    match command {
        RegistrarCommand::Enroll { target } => enroll(ctx, &target),
        RegistrarCommand::Unenroll { target } => unenroll(ctx, &target),
        RegistrarCommand::Merchant(command) => match command {
            MerchantCommand::Set { target, name, iban, bic } => set(ctx, &target, &name, &iban, bic.as_deref()),
            MerchantCommand::Revoke { target } => revoke(ctx, &target),
            MerchantCommand::Show { target, bank } => show(ctx, target.as_deref(), bank),
        },
    }
}

/// `registrar enroll ACCOUNT`.
pub(crate) fn enroll(ctx: &Context, account: &str) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let account = ctx.resolve(account)?;
    let summary = format!("Enroll {account} as a resident");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Enroll(Enroll { account })))?;
    let headline = format!("ENROLLED {account} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}

/// `registrar unenroll ACCOUNT`.
pub(crate) fn unenroll(ctx: &Context, account: &str) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let account = ctx.resolve(account)?;
    let summary = format!("End the enrolment of {account} (it keeps its coins)");
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Unenroll(Unenroll { account })))?;
    let headline = format!("UNENROLLED {account} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}

/// `registrar merchant set SHOP --name --iban [--bic]`.
pub(crate) fn set(ctx: &Context, target: &str, name: &str, iban: &str, bic: Option<&str>) -> anyhow::Result<()> {
    let merchant = ctx.resolve(target)?;
    let iban: Iban = iban.parse()?;
    let bic: Option<Bic> = bic.map(str::parse).transpose()?;
    api::registry::check_name(name.trim())?;
    let name = name.trim();
    let client = ctx.client();
    let chain = chain_id(&client)?;
    let me = ctx.selected()?;
    let roles = client.account(&me.address)?.roles;
    if !roles.contains(&Role::Registrar) {
        bail!(
            "{} does not hold the registrar role; only a registrar of the municipality signs the registry",
            me.address
        );
    }
    let shop = client.merchant(&merchant)?;
    if !shop.registered {
        ctx.out.warn(&format!(
            "{merchant} does not hold the merchant role on chain yet; the council grants it \
             (`heitje council propose grant-role {merchant} merchant`)"
        ));
    }
    ctx.confirm(&format!(
        "Record in the merchant registry:\n  shop  {merchant}\n  name  {name}\n  IBAN  {iban}{}",
        bic.as_ref().map(|b| format!("\n  BIC   {b}")).unwrap_or_default()
    ))?;
    let secret = ctx.unlock(&me)?;
    let mut salt = [0u8; 32];
    getrandom::getrandom(&mut salt).map_err(|e| anyhow!("drawing a salt: {e}"))?;
    let bank =
        BankDetails { iban: iban.as_str().to_owned(), bic: bic.map(|b| b.as_str().to_owned()), salt: Hash(salt) };
    let record = secret.with_key(|key| MerchantRecord::sign(key, &chain, merchant, name, bank, Timestamp(now_ms())))?;
    drop(secret);
    let profile = client.put_registry(&record)?;
    ctx.out.result(&profile, || format!("REGISTERED {name} for {merchant} (replicated to the validators)\n"))?;
    Ok(())
}

/// `registrar merchant revoke SHOP`.
pub(crate) fn revoke(ctx: &Context, target: &str) -> anyhow::Result<()> {
    let merchant = ctx.resolve(target)?;
    let client = ctx.client();
    let chain = chain_id(&client)?;
    let me = ctx.selected()?;
    ctx.confirm(&format!("Withdraw {merchant} from the merchant registry: its name and bank details are erased"))?;
    let secret = ctx.unlock(&me)?;
    let record = secret.with_key(|key| MerchantRecord::revoke(key, &chain, merchant, Timestamp(now_ms())));
    drop(secret);
    let profile = client.put_registry(&record)?;
    ctx.out.result(&profile, || format!("REVOKED the registry record of {merchant}\n"))?;
    Ok(())
}

/// `registrar merchant show [SHOP] [--bank]` (also for a shop reading its own record).
pub(crate) fn show(ctx: &Context, target: Option<&str>, bank: bool) -> anyhow::Result<()> {
    let merchant = ctx.target(target)?;
    let client = ctx.client();
    let chain = chain_id(&client)?;
    if !bank {
        let profile = client.registry_profile(&merchant)?;
        profile.verify(&chain)?;
        return Ok(ctx.out.result(&profile, || {
            fields(&[
                ("Shop", merchant.to_string()),
                ("Name", if profile.revoked { "(revoked)".into() } else { profile.display_name.clone() }),
                ("Signed by", profile.registrar.to_string()),
                ("Signed at", format!("{} UTC", format_utc(profile.issued_at))),
            ])
        })?);
    }
    let me = ctx.selected()?;
    let secret = ctx.unlock(&me)?;
    let record = client.registry_bank(&merchant, crate::context::signer(&secret)?)?;
    drop(secret);
    record.verify(&chain)?;
    let bank = record.bank.as_ref();
    ctx.out.result(&json!({ "profile": record.profile, "bank": bank }), || {
        fields(&[
            ("Shop", merchant.to_string()),
            ("Name", record.profile.display_name.clone()),
            ("IBAN", bank.map(|b| b.iban.clone()).unwrap_or_else(|| "(erased)".into())),
            ("BIC", bank.and_then(|b| b.bic.clone()).unwrap_or_else(|| "-".into())),
            ("Signed by", record.profile.registrar.to_string()),
            ("Note", "this read is recorded in the node's audit log".into()),
        ])
    })?;
    Ok(())
}
