//! `shop payments`: the payments a shop received in a period, as a table or a CSV file.

use std::path::Path;

use anyhow::{anyhow, bail};
use api::PaymentView;
use contracts::Amount;

use super::merchant::{shop_of, write_file};
use crate::context::{Context, signer};
use crate::formats::csv_file;
use crate::formats::time::{format_utc, parse_day};
use crate::output::Table;

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
    let me = ctx.selected()?;
    let secret = ctx.unlock(&me)?;
    let list = client.payments(&merchant, from_ms, to_ms, signer(&secret)?)?;
    drop(secret);
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

/// The statement as CSV (RFC 4180, CRLF line ends), quoted and formula-guarded by
/// [`csv_file`].
fn statement_csv(list: &[PaymentView]) -> String {
    let header = ["time_utc", "reference", "amount", "payer", "till", "height", "block_hash", "tx_id"];
    let rows = list.iter().map(|p| {
        vec![
            format_utc(p.time),
            p.reference.to_string(),
            p.amount.to_string(),
            p.payer.to_string(),
            p.till.map(|t| t.to_string()).unwrap_or_default(),
            p.height.to_string(),
            p.block_hash.to_string(),
            p.tx_id.to_string(),
        ]
    });
    csv_file::write(&header, rows)
}

#[cfg(test)]
mod tests {
    use contracts::primitives::PaymentRef;
    use contracts::{AccountId, Timestamp};

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
