//! The figures, printed on stdout as Markdown tables (ready for the README).

#![expect(clippy::print_stdout, reason = "this module is the benchmark's output")]

use std::time::Duration;

use api::routes;

use crate::catchup::{self, Restart};
use crate::load::{Offered, PhaseResult, quantile};
use crate::shop;
use crate::verify::{self, Rates};

/// Heights in a day at one block per second: the catch-up target.
pub(crate) const DAY_OF_HEIGHTS: u64 = 86_400;

/// `1234567.8` as `1,234,568`.
pub(crate) fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return "-".into();
    }
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

fn ms(value: Option<Duration>) -> String {
    value.map_or_else(|| "-".into(), |d| format!("{:.0} ms", d.as_secs_f64() * 1000.0))
}

fn secs(value: Duration) -> String {
    format!("{:.1} s", value.as_secs_f64())
}

/// Prints the verify rates.
pub(crate) fn print_rates(rates: &Rates) {
    println!("| ed25519 on this machine (same run) | signatures/s |");
    println!("|---|---|");
    println!("| `verify_strict`, 1 thread | {} |", thousands(rates.strict_1));
    println!("| `verify_strict`, 2 threads | {} |", thousands(rates.strict_2));
    println!("| `verify_batch` of {}, 1 thread | {} |", verify::BATCH, thousands(rates.batch_1));
    println!("| `verify_batch` of {}, 2 threads | {} |", verify::BATCH, thousands(rates.batch_2));
}

/// The setting of the run, for the header of the report.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// Build profile of the nodes.
    pub(crate) profile: String,
    /// Validators.
    pub(crate) validators: usize,
    /// Cores of the machine.
    pub(crate) cores: usize,
    /// Bench accounts.
    pub(crate) accounts: usize,
    /// Connections per node.
    pub(crate) connections: usize,
    /// Node settings that shape the figures, as `table.key = value`.
    pub(crate) node_settings: Vec<String>,
    /// Watcher poll interval.
    pub(crate) poll: Duration,
    /// Warm-up left out of throughput.
    pub(crate) warmup: Duration,
}

fn offered(result: &PhaseResult) -> String {
    match result.offered {
        Offered::Rate(rate) => format!("{} tx/s", thousands(f64::from(rate))),
        Offered::Max { floor, secs } => format!(
            "maximum (≤ max({}, {secs} s of the committed rate) not yet final; window full {:.0} % of the time)",
            thousands(floor as f64),
            result.window_full * 100.0
        ),
    }
}

fn codes<V>(map: &std::collections::BTreeMap<String, V>, count: impl Fn(&V) -> usize) -> String {
    if map.is_empty() {
        return "0".into();
    }
    map.iter().map(|(code, v)| format!("{} {code}", thousands(count(v) as f64))).collect::<Vec<_>>().join(", ")
}

/// Prints the whole report.
pub(crate) fn print(
    setup: &Setup,
    rates: &Rates,
    phases: &[PhaseResult],
    shop: Option<&shop::Figures>,
    catchup: Option<&catchup::Outcome>,
) {
    let n = setup.validators;
    println!();
    println!("## Heitje network benchmark");
    println!();
    println!(
        "{n} validators on loopback, one machine with {} cores shared by the nodes and the load generator; \
         heitje-node built in the `{}` profile. {} enrolled bench accounts in a bench-only genesis, each \
         paying the next 0.01 coin; an account's transactions all go to one node (account k to node k mod {n}), \
         {} HTTP connections per node. Node settings: {}.",
        setup.cores,
        setup.profile,
        thousands(setup.accounts as f64),
        setup.connections,
        setup.node_settings.join(", ")
    );
    println!();
    print_rates(rates);
    println!();
    println!(
        "| offered load | ran | accepted/s | committed/s | p50 | p99 | max | final | sent again (busy) | refused |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for p in phases {
        let final_count = p.latencies.len();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {}/{} | {} | {} |",
            offered(p),
            secs(p.elapsed),
            thousands(p.accepted_per_sec()),
            p.committed_per_sec.map_or_else(|| "-".into(), thousands),
            ms(quantile(&p.latencies, 0.5)),
            ms(quantile(&p.latencies, 0.99)),
            ms(p.latencies.last().copied()),
            thousands(final_count as f64),
            thousands((final_count + p.not_final) as f64),
            codes(&p.retried, |c| *c),
            codes(&p.refused, |(c, _)| *c),
        );
    }
    println!();
    let tx = routes::TX;
    println!(
        "Latency: from sending `POST {tx}` (answered 202) until the node it went to reports the block holding \
         the transaction (its head polled every {} ms). committed/s: transactions in the whole blocks seen on node 1 \
         after the first {} of the phase, over the time between the first and the last of them.",
        setup.poll.as_millis(),
        secs(setup.warmup)
    );
    for p in phases {
        for (code, (count, example)) in &p.refused {
            println!(
                "- {}: {} refused `{code}` (HTTP {}) by node {}, e.g. \"{}\"",
                offered(p),
                count,
                example.status,
                example.node,
                example.message
            );
        }
        if p.ran_out {
            println!("- {}: the pre-signed transactions ran out before the end (raise --presign)", offered(p));
        }
    }
    if let Some(max) = phases.iter().find(|p| matches!(p.offered, Offered::Max { .. })) {
        print_limits(setup, rates, max);
    }
    if let Some(figures) = shop {
        print_shop(setup, figures);
    }
    if let Some(outcome) = catchup {
        print_catchup(outcome);
    }
}

fn print_limits(setup: &Setup, rates: &Rates, max: &PhaseResult) {
    let n = setup.validators as f64;
    println!();
    let Some(sustained) = max.committed_per_sec else {
        println!("No sustained throughput figure: fewer than two blocks were seen in the maximum-load phase.");
        return;
    };
    if let Some((blocks, txs, span)) = max.committed_span {
        println!(
            "Sustained: **{} committed transfers/s** ({} transfers in {blocks} blocks over {}).",
            thousands(sustained),
            thousands(txs as f64),
            secs(span)
        );
    }
    // Every node checks every signature when it admits the transaction (API or gossip), and each
    // validator that did not propose the block checks them all again in validate_block.
    let as_built = n + (n - 1.0);
    println!();
    println!("| signature ceiling for {n} nodes on this machine | transfers/s | sustained is |");
    println!("|---|---|---|");
    for (label, ceiling) in [
        (
            format!(
                "as built: `verify_strict` {as_built} times per transfer ({n} admissions + {} block checks), 2 threads",
                n - 1.0
            ),
            rates.strict_2 / as_built,
        ),
        (format!("`verify_strict` once per node ({n} per transfer), 2 threads"), rates.strict_2 / n),
        (format!("batch verification once per node ({n} per transfer), 2 threads"), rates.batch_2 / n),
    ] {
        let share = if ceiling > 0.0 { 100.0 * sustained / ceiling } else { 0.0 };
        println!("| {label} | {} | {share:.0} % |", thousands(ceiling));
    }
    let cpu = &max.cpu;
    let node_cores: f64 = cpu.nodes.iter().sum();
    if node_cores > 0.0 {
        let per_transfer = node_cores / sustained;
        println!();
        println!(
            "CPU per committed transfer, all {n} nodes together: {:.2} ms. At that cost the machine's {} cores would \
             carry about {} transfers/s if the nodes had them to themselves.",
            per_transfer * 1000.0,
            setup.cores,
            thousands(setup.cores as f64 / per_transfer)
        );
    }
    println!();
    println!(
        "CPU during maximum load, in cores: nodes {}; load generator {:.2}; whole machine {:.2} of {:.1} \
         (the rest is other work on this shared machine). Busiest threads of node 1: {}.",
        cpu.nodes.iter().map(|c| format!("{c:.2}")).collect::<Vec<_>>().join(" / "),
        cpu.loadgen,
        cpu.machine,
        cpu.machine_cores,
        cpu.first_node_threads
            .iter()
            .filter(|(_, c)| *c >= 0.01)
            .map(|(name, c)| format!("{name} {c:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn rate(count: usize, time: Duration) -> String {
    let secs = time.as_secs_f64();
    if secs > 0.0 { thousands(count as f64 / secs) } else { "-".into() }
}

fn print_shop(setup: &Setup, figures: &shop::Figures) {
    let c = &figures.counter;
    let n = setup.validators;
    println!();
    println!(
        "| shop at the counter ({n} validators) | p50 | p95 | p99 | max | ≤ {} | failed |",
        secs(shop::COUNTER_TARGET)
    );
    println!("|---|---|---|---|---|---|---|");
    let (tx, payment) = (routes::TX, routes::PAYMENT);
    println!(
        "| {} payments one at a time: `POST {tx}` of a `Pay` on one node until another node answers \
         `GET {payment}?wait_ms=10000` with that payment | {} | {} | {} | {} | {}/{} | {} |",
        thousands(c.payments as f64),
        ms(quantile(&c.latencies, 0.5)),
        ms(quantile(&c.latencies, 0.95)),
        ms(quantile(&c.latencies, 0.99)),
        ms(c.latencies.last().copied()),
        thousands(c.within_target as f64),
        thousands(c.payments as f64),
        codes(&c.errors, |(count, _)| *count),
    );
    println!();
    println!(
        "Counter latency: from the resident's confirmation (the payment posted to node A) until the shop's wallet, \
         long-polling node B ≠ A as `heitje shop wait` does, receives \"PAID\" with the right payer and amount; \
         the pair (A, B) changes from payment to payment. Target ≤ {}: {} of {} paid payments met it.",
        secs(shop::COUNTER_TARGET),
        thousands(c.within_target as f64),
        thousands(c.latencies.len() as f64)
    );
    for (kind, (count, example)) in &c.errors {
        println!("- counter: {count} {kind}, e.g. {example}");
    }
    if !c.busy.is_empty() {
        println!("- counter: sent again after a refusal for now: {}", codes(&c.busy, |count| *count));
    }
    println!();
    match &figures.settlement {
        Ok(s) => {
            println!("| redemptions | what was timed | time | redemptions/s |");
            println!("|---|---|---|---|");
            println!(
                "| {} `Redeem` of 1.00 by {} merchants (each to one node, in nonce order) | first `POST` until the last \
                 is committed | {} | {} |",
                thousands(s.redemptions as f64),
                s.merchants,
                secs(s.burn),
                rate(s.redemptions, s.burn)
            );
            println!(
                "| settled by one treasurer in {} `SettleBatch` of up to {} | first `POST` until node 1's \
                 reconciliation shows `pending` 0.00 and `redemptions_hold` (then no redemption listed pending) | {} | {} |",
                s.batches,
                contracts::tx::MAX_SETTLE_BATCH,
                secs(s.settle),
                rate(s.redemptions, s.settle)
            );
            if !s.busy.is_empty() {
                println!();
                println!("Sent again after a refusal for now: {}.", codes(&s.busy, |count| *count));
            }
        }
        Err(err) => println!("Redemptions: no figure, the run failed: {err}"),
    }
}

fn restart_row(label: &str, r: &Restart) {
    let reached = match r.to_head {
        Some(t) => format!("reached the head after {}", secs(t)),
        None => format!("not at the head after {}", secs(r.watched)),
    };
    println!(
        "| {label} | {} behind; gained {}; {reached}; first new height after {} | {} |",
        thousands(r.behind as f64),
        thousands(r.gained as f64),
        r.startup.map_or_else(|| "-".into(), secs),
        r.sync_rate.map_or_else(|| "-".into(), |rate| format!("{rate:.1} heights/s")),
    );
}

fn print_catchup(outcome: &catchup::Outcome) {
    let p = &outcome.production;
    println!();
    println!("| catch-up of node {} (stopped, then restarted) | what happened | rate |", outcome.node);
    println!("|---|---|---|");
    let produced_rate = p.heights as f64 / p.elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
    println!(
        "| the other validators produce empty heights ({}) | {} heights in {} | {produced_rate:.1} heights/s |",
        p.settings.join(", "),
        thousands(p.heights as f64),
        secs(p.elapsed)
    );
    restart_row("restart with its config unchanged", &outcome.unchanged);
    if let Some(fast) = &outcome.fast {
        restart_row(&format!("restart with {}", fast.settings.join(" ")), fast);
    }
    let (stops, forced) = outcome.stops;
    if forced > 0 {
        println!();
        println!(
            "Stopping: in {forced} of {stops} stops heitje-node did not exit within {} of SIGTERM and was killed \
             (SIGKILL).",
            secs(crate::network::STOP_LIMIT)
        );
    }
    let best = outcome.fast.as_ref().unwrap_or(&outcome.unchanged);
    println!();
    match best.sync_rate.filter(|r| *r > 0.0) {
        Some(rate) => {
            let startup = best.startup.unwrap_or_default();
            let day = DAY_OF_HEIGHTS as f64 / rate + startup.as_secs_f64();
            println!(
                "**Extrapolation, not measured:** at {rate:.1} heights/s (empty blocks) plus {} of start-up, a node \
                 {} heights behind would need about {} s ({:.1} min) to catch up.",
                secs(startup),
                thousands(DAY_OF_HEIGHTS as f64),
                thousands(day),
                day / 60.0
            );
        }
        None => println!("No catch-up rate: the restarted node gained no height while watched."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-86_400.0), "-86,400");
        assert_eq!(thousands(f64::NAN), "-");
    }
}
