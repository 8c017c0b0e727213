//! At the counter: `shop request` (a signed payment request as URI and QR code), `shop wait`
//! (until it is paid and final) and `shop receipt`.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use api::PaymentView;
use contracts::primitives::PaymentRef;
use contracts::{AccountId, Amount, Timestamp};
use serde_json::json;

use super::merchant::{shop_name, shop_of, write_file};
use crate::client::Client;
use crate::context::{Context, chain_id};
use crate::failure::Refused;
use crate::formats::payreq::{self, PaymentRequest, SignedRequest};
use crate::formats::time::{format_utc, now_ms, parse_duration};
use crate::output::fields;

/// Longest single long poll while waiting for a payment.
const POLL: Duration = Duration::from_secs(25);

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
