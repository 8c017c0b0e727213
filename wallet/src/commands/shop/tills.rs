//! `shop info` and `shop till`: a shop's verified name and tills; linking and unlinking tills.

use anyhow::bail;
use contracts::Action;
use contracts::tx::{LinkTill, UnlinkTill};

use crate::context::{Context, chain_id};
use crate::output::fields;
use crate::submit::{self, begin, extra, finality, report};

/// `shop info [SHOP]`.
pub(crate) fn info(ctx: &Context, target: Option<&str>) -> anyhow::Result<()> {
    let client = ctx.client();
    let merchant = ctx.target(target)?;
    let view = client.merchant(&merchant)?;
    let chain = chain_id(&client)?;
    let verified = view
        .profile
        .as_ref()
        .filter(|p| !p.revoked && view.registrar_ok && p.verify(&chain).is_ok())
        .map(|p| p.display_name.clone());
    ctx.out.result(&view, || {
        let mut text = fields(&[
            ("Shop", merchant.to_string()),
            ("Registered", if view.registered { "yes (merchant role on chain)".into() } else { "NO".into() }),
            ("Verified name", verified.clone().unwrap_or_else(|| "(none in the registry)".into())),
            ("Tills", view.tills.len().to_string()),
        ]);
        for till in &view.tills {
            text.push_str(&format!("  - {till}\n"));
        }
        text
    })?;
    Ok(())
}

/// `shop till link|unlink TILL`.
pub(crate) fn till(ctx: &Context, till: &str, link: bool) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let till = ctx.resolve(till)?;
    if till == signer.address {
        bail!("a shop cannot link its own account as a till; create a separate account for the till");
    }
    let (summary, action) = if link {
        (
            format!("Link till {till} to your shop: it can create payment requests and see payments, nothing else"),
            Action::LinkTill(LinkTill { till }),
        )
    } else {
        (
            format!("Unlink till {till}: its requests are refused from the next block"),
            Action::UnlinkTill(UnlinkTill { till }),
        )
    };
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(action))?;
    let verb = if link { "LINKED" } else { "UNLINKED" };
    report(ctx, &status, Some(format!("{verb} till {till} {}", finality(&status))), extra([]))
}

/// `shop till list`.
pub(crate) fn tills(ctx: &Context) -> anyhow::Result<()> {
    info(ctx, None)
}
