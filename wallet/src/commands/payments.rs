//! At the counter: a shop (or its till) creates a signed payment request and waits for PAID; a
//! resident pays it with `heitje pay URI`. Also receipts, statements, shop info and tills.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use api::PaymentView;
use contracts::primitives::PaymentRef;
use contracts::tx::{LinkTill, Pay, UnlinkTill};
use contracts::{AccountId, Action, Amount, Role, Timestamp};
use serde_json::json;

use crate::client::Client;
use crate::context::{Context, chain_id};
use crate::failure::Refused;
use crate::formats::payreq::{self, PaymentRequest, SignedRequest};
use crate::formats::time::{format_utc, now_ms, parse_day, parse_duration};
use crate::output::{Table, fields};
use crate::submit::{self, begin, extra, finality, report};

/// Longest single long poll while waiting for a payment.
const POLL: Duration = Duration::from_secs(25);

/// The shop an account works for: itself if it is a registered shop, or the shop its till
/// account is linked to. Returns the shop and the till (if acting as one).
fn shop_of(ctx: &Context, client: &Client, explicit: Option<&str>) -> anyhow::Result<(AccountId, Option<AccountId>)> {
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

/// Writes `bytes` to `path` whole and synced: a crash never leaves half a file.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::store::atomic_file::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Options of `shop request`.
#[derive(Debug)]
pub(crate) struct RequestArgs<'a> {
    pub(crate) amount: Amount,
    pub(crate) reference: Option<&'a str>,
    pub(crate) expires: &'a str,
    pub(crate) label: Option<&'a str>,
    pub(crate) png: Option<&'a Path>,
    pub(crate) svg: Option<&'a Path>,
    pub(crate) no_qr: bool,
    pub(crate) wait: bool,
}

/// `shop request AMOUNT`.
pub(crate) fn request(ctx: &Context, args: &RequestArgs<'_>) -> anyhow::Result<()> {
    if args.amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    let ttl = parse_duration(args.expires).map_err(|e| anyhow!(e))?;
    let reference = match args.reference {
        Some(text) => PaymentRef::new(text).map_err(|e| anyhow!("{e}"))?,
        None => payreq::new_reference()?,
    };
    let client = ctx.client();
    let chain = chain_id(&client)?;
    let entry = ctx.selected()?;
    let (merchant, till) = shop_of(ctx, &client, None)?;
    match client.payment(&merchant, reference.as_str(), Duration::ZERO) {
        Ok(_) => bail!("reference {reference} is already paid; every request needs a new reference"),
        Err(err) if err.code() == Some("not_paid") => {}
        Err(err) => return Err(err.into()),
    }
    // The URI carries whole seconds.
    let expires_at = Timestamp((now_ms() + ttl) / 1000 * 1000);
    let request = PaymentRequest {
        merchant,
        amount: args.amount,
        reference: reference.clone(),
        expires_at,
        label: args.label.map(str::to_owned),
        till,
        chain,
    };
    request.check()?;
    let secret = ctx.unlock(&entry)?;
    let signed = secret.with_key(|key| SignedRequest::sign(request, key))?;
    drop(secret);
    let uri = signed.to_uri();
    if let Some(path) = args.png {
        write_file(path, &crate::formats::qr::png(&uri, 8)?)?;
    }
    if let Some(path) = args.svg {
        write_file(path, crate::formats::qr::svg(&uri)?.as_bytes())?;
    }
    let object = json!({
        "uri": uri,
        "merchant": merchant,
        "till": till,
        "reference": reference,
        "amount": args.amount,
        "expires_at": expires_at,
    });
    let qr = if args.no_qr || ctx.out.is_json() { None } else { Some(crate::formats::qr::terminal(&uri)?) };
    ctx.out.result(&object, || {
        let mut text = String::new();
        if let Some(qr) = &qr {
            text.push_str(qr);
        }
        text.push_str(&fields(&[
            ("Request", uri.clone()),
            ("Amount", args.amount.to_string()),
            ("Reference", reference.to_string()),
            ("Expires", format!("{} UTC", format_utc(expires_at))),
        ]));
        text
    })?;
    if args.wait {
        let timeout = Duration::from_millis(ttl);
        return wait_for(ctx, &client, merchant, &reference, Some(args.amount), timeout);
    }
    Ok(())
}

/// `shop wait REF`.
pub(crate) fn wait(
    ctx: &Context,
    reference: &str,
    amount: Option<Amount>,
    merchant: Option<&str>,
    timeout: u64,
) -> anyhow::Result<()> {
    let reference = PaymentRef::new(reference).map_err(|e| anyhow!("{e}"))?;
    let client = ctx.client();
    let (merchant, _) = shop_of(ctx, &client, merchant)?;
    wait_for(ctx, &client, merchant, &reference, amount, Duration::from_secs(timeout))
}

fn wait_for(
    ctx: &Context,
    client: &Client,
    merchant: AccountId,
    reference: &PaymentRef,
    amount: Option<Amount>,
    timeout: Duration,
) -> anyhow::Result<()> {
    let start = Instant::now();
    ctx.out.note(&format!("Waiting for payment {reference}…"));
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        match client.payment(&merchant, reference.as_str(), left.min(POLL)) {
            Ok(view) => return paid(ctx, &view, merchant, amount),
            Err(err) if err.code() == Some("not_paid") => {
                if start.elapsed() >= timeout {
                    break;
                }
            }
            Err(err) => return Err(err.into()),
        }
    }
    ctx.out.json_only(&json!({ "paid": false, "reference": reference, "merchant": merchant }))?;
    Err(crate::failure::NotPaid(format!(
        "NOT PAID: no final payment for {reference} after {} s; the request may still be paid until it expires",
        timeout.as_secs()
    ))
    .into())
}

fn paid(ctx: &Context, view: &PaymentView, merchant: AccountId, amount: Option<Amount>) -> anyhow::Result<()> {
    if view.merchant != merchant {
        bail!("the node answered with a payment to {} instead of {merchant}", view.merchant);
    }
    let mut object = serde_json::to_value(view)?;
    let mismatch = amount.filter(|asked| *asked != view.amount);
    if let serde_json::Value::Object(map) = &mut object {
        map.insert("paid".into(), json!(mismatch.is_none()));
    }
    if let Some(asked) = mismatch {
        ctx.out.json_only(&object)?;
        return Err(Refused(format!(
            "WRONG AMOUNT: {} was paid for {} but {asked} was asked (tx {}); settle the difference with the customer",
            view.amount, view.reference, view.tx_id
        ))
        .into());
    }
    ctx.out.result(&object, || {
        format!(
            "PAID {} for {} by {} (final at height {}, tx {})\n",
            view.amount, view.reference, view.payer, view.height, view.tx_id
        )
    })?;
    Ok(())
}

/// `pay URI`: checks the request, shows the verified shop, confirms and pays.
pub(crate) fn pay_request(ctx: &Context, text: &str) -> anyhow::Result<()> {
    let text = if text == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading the payment request from stdin")?;
        line
    } else {
        text.to_owned()
    };
    let parsed = SignedRequest::parse(&text)?;
    let request = &parsed.signed.request;
    for key in &parsed.ignored {
        ctx.out.warn(&format!("the request has a parameter this wallet does not know ({key}); it is ignored"));
    }
    let signer = begin(ctx)?;
    let client = ctx.client();
    let chain = chain_id(&client)?;
    if request.chain != chain {
        bail!("the request is for chain {} but the node runs {chain}; nothing was sent", request.chain);
    }
    let now = now_ms();
    if request.is_expired(Timestamp(now)) {
        bail!(
            "the request expired at {} UTC; ask the shop for a new one. Nothing was sent",
            format_utc(request.expires_at)
        );
    }
    if signer.address == request.merchant {
        bail!("that is your own shop's request; a shop cannot pay itself");
    }
    let shop = client.merchant(&request.merchant)?;
    if !shop.registered {
        bail!(
            "{} is not a registered shop: the municipality has not registered it, so the request is refused. \
             Nothing was sent",
            request.merchant
        );
    }
    if let Some(till) = request.till
        && !shop.tills.contains(&till)
    {
        bail!("the request was signed by till {till}, which is not linked to this shop (now); nothing was sent");
    }
    let verified = match &shop.profile {
        Some(profile) if !profile.revoked && shop.registrar_ok && profile.verify(&chain).is_ok() => {
            Some(profile.display_name.clone())
        }
        _ => None,
    };
    match client.payment(&request.merchant, request.reference.as_str(), Duration::ZERO) {
        Ok(view) => bail!(
            "request {} is already paid (height {}, tx {}); nothing was sent",
            request.reference,
            view.height,
            view.tx_id
        ),
        Err(err) if err.code() == Some("not_paid") => {}
        Err(err) => return Err(err.into()),
    }
    let name = verified.clone().unwrap_or_else(|| "(no verified name in the municipal registry)".into());
    if verified.is_none() {
        ctx.out.warn("the shop has no verified name in the municipality's registry; check the address with the shop");
    }
    let mut summary = format!(
        "Pay {} coins to {name}\n  shop      {}\n  reference {}\n  expires   {} UTC (in {} s)",
        request.amount,
        request.merchant,
        request.reference,
        format_utc(request.expires_at),
        request.expires_at.0.saturating_sub(now) / 1000
    );
    if let Some(label) = &request.label {
        summary.push_str(&format!("\n  label     {label} (from the shop, not verified)"));
    }
    let action = Action::Pay(Pay {
        merchant: request.merchant,
        amount: request.amount,
        reference: request.reference.clone(),
        expires_at: request.expires_at,
        till: request.till,
    });
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(action))?;
    let headline = format!("PAID {} to {name} for {} {}", request.amount, request.reference, finality(&status));
    report(
        ctx,
        &status,
        Some(headline),
        extra([("shop_name", json!(verified)), ("reference", json!(request.reference))]),
    )
}

/// `shop receipt REF`.
pub(crate) fn receipt(ctx: &Context, reference: &str, merchant: Option<&str>) -> anyhow::Result<()> {
    let reference = PaymentRef::new(reference).map_err(|e| anyhow!("{e}"))?;
    let client = ctx.client();
    let (merchant, _) = shop_of(ctx, &client, merchant)?;
    let view = match client.payment(&merchant, reference.as_str(), Duration::ZERO) {
        Ok(view) => view,
        Err(err) if err.code() == Some("not_paid") => bail!("{reference} is not paid (yet); no receipt"),
        Err(err) => return Err(err.into()),
    };
    let name = shop_name(&client, &merchant);
    let mut object = serde_json::to_value(&view)?;
    if let serde_json::Value::Object(map) = &mut object {
        map.insert("shop_name".into(), json!(name));
    }
    ctx.out.result(&object, || {
        let mut text = String::from("RECEIPT — Heerlen coins\n");
        text.push_str(&fields(&[
            ("Shop", name.clone().unwrap_or_else(|| merchant.to_string())),
            ("Shop account", merchant.to_string()),
            ("Reference", view.reference.to_string()),
            ("Amount", format!("{} coins (EUR {})", view.amount, view.amount)),
            ("Paid by", view.payer.to_string()),
            ("Till", view.till.map_or_else(|| "-".into(), |t| t.to_string())),
            ("Time", format!("{} UTC", format_utc(view.time))),
            ("Block height", view.height.to_string()),
            ("Block hash", view.block_hash.to_string()),
            ("Transaction", view.tx_id.to_string()),
        ]));
        text
    })?;
    Ok(())
}

fn shop_name(client: &Client, merchant: &AccountId) -> Option<String> {
    let view = client.merchant(merchant).ok()?;
    let profile = view.profile.filter(|p| !p.revoked && view.registrar_ok)?;
    Some(profile.display_name)
}

/// `shop payments [--from] [--to] [--csv FILE]`.
pub(crate) fn payments(
    ctx: &Context,
    from: Option<&str>,
    to: Option<&str>,
    csv: Option<&Path>,
    merchant: Option<&str>,
) -> anyhow::Result<()> {
    let from_ms = from.map(parse_day).transpose()?.unwrap_or(0);
    // The last day is included: up to the start of the next.
    let to_ms = to.map(parse_day).transpose()?.map_or(u64::MAX, |ms| ms.saturating_add(86_400_000));
    if from_ms >= to_ms {
        bail!("--from must be on or before --to");
    }
    if let Some(path) = csv
        && path.exists()
    {
        bail!("{} exists; choose a new file name", path.display());
    }
    let client = ctx.client();
    let (merchant, _) = shop_of(ctx, &client, merchant)?;
    let list = client.payments(&merchant, from_ms, to_ms)?;
    let total = list.iter().try_fold(Amount::ZERO, |sum, p| sum.checked_add(p.amount));
    let total = total.ok_or_else(|| anyhow!("the payments add up to more than an amount can hold"))?;
    if let Some(path) = csv {
        write_file(path, statement_csv(&list).as_bytes())?;
        ctx.out.note(&format!("Wrote {} payments ({total} coins) to {}", list.len(), path.display()));
    }
    ctx.out.result(&list, || {
        let mut table = Table::new(&["TIME (UTC)", "REFERENCE", "AMOUNT", "PAYER", "HEIGHT", "TX"]);
        for p in &list {
            table.row(vec![
                format_utc(p.time),
                p.reference.to_string(),
                p.amount.to_string(),
                p.payer.to_string(),
                p.height.to_string(),
                p.tx_id.to_string(),
            ]);
        }
        format!("{}{} payments, {total} coins\n", table.render(), list.len())
    })?;
    Ok(())
}

/// The statement as CSV (RFC 4180; every field is plain ASCII, so no quoting is needed).
fn statement_csv(list: &[PaymentView]) -> String {
    let mut out = String::from("time_utc,reference,amount,payer,till,height,block_hash,tx_id\r\n");
    for p in list {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            format_utc(p.time),
            p.reference,
            p.amount,
            p.payer,
            p.till.map(|t| t.to_string()).unwrap_or_default(),
            p.height,
            p.block_hash,
            p.tx_id
        ));
    }
    out
}

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

/// `reconcile [--height H]`.
pub(crate) fn reconcile(ctx: &Context, height: Option<u64>) -> anyhow::Result<()> {
    let view = ctx.client().reconciliation(height)?;
    let ok = |b: bool| if b { "holds" } else { "DOES NOT HOLD" };
    ctx.out.result(&view, || {
        let mut text = format!("Reconciliation at height {}\n", view.height);
        text.push_str(&fields(&[
            ("minted", view.minted.to_string()),
            ("− burned", view.burned.to_string()),
            ("= outstanding", format!("{}  ({})", view.outstanding, ok(view.supply_holds))),
            ("burned", view.burned.to_string()),
            ("= settled", view.settled.to_string()),
            ("+ pending", format!("{}  ({})", view.pending, ok(view.redemptions_hold))),
            ("fees to treasury", view.redemption_fees.to_string()),
        ]));
        text
    })?;
    if !(view.supply_holds && view.redemptions_hold) {
        bail!("the reconciliation does not hold at height {}; report this to the node operators", view.height);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_has_a_header_and_one_line_per_payment() {
        let view = PaymentView {
            merchant: AccountId([1; 32]),
            reference: PaymentRef::new("B-1").unwrap(),
            payer: AccountId([2; 32]),
            amount: Amount(450),
            till: None,
            height: contracts::Height(7),
            time: Timestamp(1_795_000_000_000),
            tx_id: contracts::Hash([3; 32]),
            block_hash: contracts::Hash([4; 32]),
        };
        let csv = statement_csv(&[view.clone(), view]);
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].contains(",B-1,4.50,"), "{}", lines[1]);
        assert_eq!(lines[1].split(',').count(), 8);
    }
}
