//! Every rule id that code, tests or docs cite (`R-PAY-2`) is defined exactly once in
//! `docs/rules.md`, where a definition opens a list item in bold: `**R-PAY-2**`, a range
//! `**R-COD-1..5**` or a list `**R-BUD-1/2**`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The crates and folders whose files may cite rules.
const SOURCES: &[&str] = &[
    "api",
    "consensus",
    "contracts",
    "docs",
    "evidence",
    "genesis",
    "gossip",
    "loadgen",
    "node",
    "wallet",
    "README.md",
];

/// Rule ids (`R-` letters `-` digits) in `text`, with the digits that follow a `..` range or a
/// `/` list of the same id.
fn ids(text: &str) -> Vec<(String, Vec<u32>)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(offset) = text.get(i..).and_then(|rest| rest.find("R-")) {
        let start = i + offset;
        i = start + 2;
        if start > 0 && bytes.get(start - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let letters = text[i..].bytes().take_while(u8::is_ascii_uppercase).count();
        if letters == 0 || bytes.get(i + letters) != Some(&b'-') {
            continue;
        }
        let family = &text[i..i + letters];
        let mut j = i + letters + 1;
        let digits = |from: usize| text[from..].bytes().take_while(u8::is_ascii_digit).count();
        let n = digits(j);
        if n == 0 {
            continue;
        }
        let first: u32 = text[j..j + n].parse().expect("digits");
        j += n;
        let mut numbers = vec![first];
        if text[j..].starts_with("..") && digits(j + 2) > 0 {
            let m = digits(j + 2);
            let last: u32 = text[j + 2..j + 2 + m].parse().expect("digits");
            numbers = (first..=last).collect();
            j += 2 + m;
        }
        while text[j..].starts_with('/') && digits(j + 1) > 0 {
            let m = digits(j + 1);
            numbers.push(text[j + 1..j + 1 + m].parse().expect("digits"));
            j += 1 + m;
        }
        found.push((format!("R-{family}"), numbers));
        i = j;
    }
    found
}

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "rs" || e == "md") {
            out.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        files(&path, out);
    }
}

#[test]
fn every_cited_rule_is_defined_exactly_once_in_docs_rules_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let rules = std::fs::read_to_string(root.join("docs/rules.md")).expect("docs/rules.md");
    let mut defined: BTreeMap<String, usize> = BTreeMap::new();
    for line in rules.lines() {
        let Some(rest) = line.strip_prefix("- **") else { continue };
        let Some(head) = rest.split("**").next() else { continue };
        for (family, numbers) in ids(head) {
            for n in numbers {
                *defined.entry(format!("{family}-{n}")).or_insert(0) += 1;
            }
        }
    }
    assert!(
        defined.len() > 50,
        "docs/rules.md defines only {} rules: is the format still `- **R-X-N**`?",
        defined.len()
    );
    let twice: Vec<_> = defined.iter().filter(|(_, count)| **count > 1).map(|(id, _)| id.clone()).collect();
    assert!(twice.is_empty(), "defined more than once in docs/rules.md: {twice:?}");

    let mut sources = Vec::new();
    for source in SOURCES {
        files(&root.join(source), &mut sources);
    }
    let mut undefined: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for (family, numbers) in ids(&text) {
            for n in numbers {
                let id = format!("{family}-{n}");
                if !defined.contains_key(&id) {
                    undefined.entry(id).or_insert_with(|| path.clone());
                }
            }
        }
    }
    assert!(undefined.is_empty(), "cited but not defined in docs/rules.md (first place): {undefined:?}");
}

#[test]
fn rule_ids_are_read_with_their_ranges_and_lists() {
    let found = ids("R-COD-1..3 and (R-BUD-1/2), R-PAY-4; not XR-NO-1, nor R-lower-1 or R-X-");
    assert_eq!(
        found,
        vec![("R-COD".to_owned(), vec![1, 2, 3]), ("R-BUD".to_owned(), vec![1, 2]), ("R-PAY".to_owned(), vec![4])]
    );
}
