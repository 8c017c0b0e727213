//! The fuzz corpus in the normal test suite: every committed input under `fuzz/corpus/<target>/`
//! and `fuzz/regressions/<target>/` replays through its target without a panic, and every seed
//! (real values, the test vectors and the fixtures of the repository) is accepted by its target.
//!
//! `cargo test -p fuzzing --test corpus -- --ignored write_seeds` writes the seeds that are
//! missing into `fuzz/corpus/`; `scripts/fuzz --merge` adds what a campaign found that adds
//! coverage.

#[path = "../../../evidence/tests/it/fixtures.rs"]
mod fixtures;
mod seeds;

use std::fs;
use std::path::{Path, PathBuf};

use fuzzing::{TARGETS, Verdict, target};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, by target; an unknown target directory fails the test.
/// Files directly under `fuzz/<kind>/` (a README) are not inputs.
fn inputs(kind: &str) -> Vec<(String, PathBuf)> {
    let dir = fuzz_dir().join(kind);
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(&dir) else { return out };
    for entry in entries {
        let entry = entry.expect("a readable corpus directory");
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(target(&name).is_some(), "{}: no fuzz target is named {name:?}", dir.display());
        for file in fs::read_dir(entry.path()).expect("a readable target directory") {
            let path = file.expect("a readable corpus file").path();
            if path.is_file() {
                out.push((name.clone(), path));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_committed_input_replays_without_a_panic() {
    let mut inputs = inputs("corpus");
    inputs.extend(self::inputs("regressions"));
    let mut accepted: Vec<&str> = Vec::new();
    for (name, path) in &inputs {
        let run = target(name).expect("checked by inputs()");
        let data = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        // A panic here names the file through the panic message's test output.
        eprintln!("replaying {}", path.display());
        if run(&data) == Verdict::Accepted {
            accepted.push(name);
        }
    }
    for (name, _) in TARGETS {
        assert!(inputs.iter().any(|(n, _)| n == name), "fuzz/corpus/{name}/ is empty: write the seeds");
        assert!(accepted.contains(name), "no input in fuzz/corpus/{name}/ is accepted: the format changed?");
    }
}

#[test]
fn every_seed_is_accepted_by_its_target() {
    let seeds = seeds::all();
    for (name, _) in TARGETS {
        assert!(seeds.iter().any(|s| s.target == *name), "no seed for {name}");
    }
    for seed in &seeds {
        let run = target(seed.target).expect("a seed names a target");
        assert_eq!(run(&seed.data), Verdict::Accepted, "seed {}/{} is refused", seed.target, seed.name);
    }
}

#[test]
#[ignore = "writes the seeds into fuzz/corpus/; run by hand when a target or a format changes"]
fn write_seeds() {
    // Seeds that are there stay: some hold random salts and nonces, and rewriting them would
    // churn the corpus. Delete a seed to have it written again.
    for seed in seeds::all() {
        let dir = fuzz_dir().join("corpus").join(seed.target);
        fs::create_dir_all(&dir).expect("creating the corpus directory");
        let path = dir.join(format!("seed-{}", seed.name));
        if !path.exists() {
            fs::write(path, &seed.data).expect("writing a seed");
        }
    }
}
