//! Which shop an account works for (itself, or the shop its till is linked to), the shop's
//! verified name, and the file writes of the shop commands.

use std::path::Path;

use anyhow::{Context as _, bail};
use contracts::{AccountId, Role};

use crate::client::Client;
use crate::context::Context;

/// The shop an account works for: itself if it is a registered shop, or the shop its till
/// account is linked to. Returns the shop and the till (if acting as one).
pub(super) fn shop_of(
    ctx: &Context,
    client: &Client,
    explicit: Option<&str>,
) -> anyhow::Result<(AccountId, Option<AccountId>)> {
    if let Some(text) = explicit {
        return Ok((ctx.resolve(text)?, None));
    }
    let me = ctx.selected()?.address;
    match client.till(&me) {
        Ok(link) => return Ok((link.merchant, Some(me))),
        Err(err) if err.status() == Some(404) => {}
        Err(err) => return Err(err.into()),
    }
    match client.account(&me) {
        Ok(view) if view.roles.contains(&Role::Merchant) => Ok((me, None)),
        Ok(_) => bail!(
            "{me} is neither a registered shop nor a till linked to one; ask the municipality to register \
             the shop, ask the shop to link this till (`heitje shop till link`), or pass --merchant"
        ),
        Err(err) if err.status() == Some(404) => {
            bail!("{me} is not on this chain: a till must be linked by its shop (`heitje shop till link {me}`) first")
        }
        Err(err) => Err(err.into()),
    }
}

pub(super) fn shop_name(client: &Client, merchant: &AccountId) -> Option<String> {
    let view = client.merchant(merchant).ok()?;
    let profile = view.profile.filter(|p| !p.revoked && view.registrar_ok)?;
    Some(profile.display_name)
}

/// Writes `bytes` to `path` whole and synced: a crash never leaves half a file.
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::store::atomic_file::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
