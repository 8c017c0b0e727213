//! CPU time from `/proc`: per process, per thread name and for the whole machine, so that a
//! figure shows who used the two cores while it was measured (the machine is shared).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`; 100 on Linux when unknown).
pub(crate) fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// The name and user + system ticks of a `/proc/.../stat` line. The name is in parentheses and
/// may itself hold spaces or parentheses, so the fields are counted after the last `)`.
fn parse_stat(line: &str) -> Option<(String, u64)> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let name = line.get(open + 1..close)?.to_owned();
    let mut fields = line.get(close + 1..)?.split_whitespace();
    // After the name: state is field 3 of the man page; utime and stime are fields 14 and 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((name, utime + stime))
}

/// User + system ticks of process `pid` (all its threads), if it is still there.
pub(crate) fn process_ticks(pid: u32) -> Option<u64> {
    let line = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&line).map(|(_, ticks)| ticks)
}

/// User + system ticks of process `pid`'s threads, summed by thread name.
pub(crate) fn thread_ticks(pid: u32) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(Path::new("/proc").join(pid.to_string()).join("task")) else { return out };
    for task in tasks.flatten() {
        if let Some((name, ticks)) =
            std::fs::read_to_string(task.path().join("stat")).ok().as_deref().and_then(parse_stat)
        {
            *out.entry(name).or_insert(0) += ticks;
        }
    }
    out
}

/// Busy and total ticks of the whole machine (all cores), from the first line of `/proc/stat`.
pub(crate) fn machine_ticks() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    parse_machine(text.lines().next()?)
}

fn parse_machine(line: &str) -> Option<(u64, u64)> {
    let values: Vec<u64> = line.strip_prefix("cpu ")?.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

/// Ticks as cores used over `elapsed` (1.0 = one core busy the whole time).
pub(crate) fn cores(ticks: u64, ticks_per_second: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 || ticks_per_second == 0 { 0.0 } else { ticks as f64 / ticks_per_second as f64 / secs }
}

/// A snapshot of the processes of interest and the machine.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    /// Ticks per node process (`None` when it is not running).
    pub(crate) nodes: Vec<Option<u64>>,
    /// Ticks of this load generator.
    pub(crate) loadgen: u64,
    /// Ticks per thread name of the first node.
    pub(crate) first_node_threads: BTreeMap<String, u64>,
    /// Busy and total ticks of the machine.
    pub(crate) machine: (u64, u64),
}

impl Snapshot {
    /// Takes a snapshot of the node processes `pids` and this process.
    pub(crate) fn take(pids: &[Option<u32>]) -> Self {
        Self {
            nodes: pids.iter().map(|pid| pid.and_then(process_ticks)).collect(),
            loadgen: process_ticks(std::process::id()).unwrap_or(0),
            first_node_threads: pids.first().copied().flatten().map(thread_ticks).unwrap_or_default(),
            machine: machine_ticks().unwrap_or((0, 0)),
        }
    }
}

/// CPU use between two snapshots, in cores.
#[derive(Debug, Clone, Default)]
pub(crate) struct Usage {
    /// Each node.
    pub(crate) nodes: Vec<f64>,
    /// The load generator.
    pub(crate) loadgen: f64,
    /// Every process on the machine (others' builds and tests included).
    pub(crate) machine: f64,
    /// Cores the machine has, as `/proc/stat` counts them over the interval.
    pub(crate) machine_cores: f64,
    /// The first node's busiest thread names.
    pub(crate) first_node_threads: Vec<(String, f64)>,
}

impl Usage {
    /// Use between `before` and `after`, `elapsed` apart.
    pub(crate) fn between(before: &Snapshot, after: &Snapshot, tps: u64, elapsed: Duration) -> Self {
        let nodes = before
            .nodes
            .iter()
            .zip(&after.nodes)
            .map(|(b, a)| match (b, a) {
                (Some(b), Some(a)) => cores(a.saturating_sub(*b), tps, elapsed),
                _ => 0.0,
            })
            .collect();
        let mut threads: Vec<(String, f64)> = after
            .first_node_threads
            .iter()
            .map(|(name, a)| {
                let b = before.first_node_threads.get(name).copied().unwrap_or(0);
                (name.clone(), cores(a.saturating_sub(b), tps, elapsed))
            })
            .collect();
        threads.sort_by(|x, y| y.1.total_cmp(&x.1));
        threads.truncate(6);
        let busy = after.machine.0.saturating_sub(before.machine.0);
        let total = after.machine.1.saturating_sub(before.machine.1);
        Self {
            nodes,
            loadgen: cores(after.loadgen.saturating_sub(before.loadgen), tps, elapsed),
            machine: cores(busy, tps, elapsed),
            machine_cores: cores(total, tps, elapsed),
            first_node_threads: threads,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_with_odd_names() {
        let line = "42 (tokio-runtime (w) 1) S 1 42 42 0 -1 4194560 500 0 0 0 700 55 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_stat(line), Some(("tokio-runtime (w) 1".into(), 755)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn machine_line_counts_idle_and_iowait_as_not_busy() {
        assert_eq!(parse_machine("cpu  100 0 50 800 50 0 0 0 0 0"), Some((150, 1000)));
        assert_eq!(parse_machine("intr 1 2 3"), None);
    }
}
