//! `docs/architecture.md` names the files a change goes into; every path it names must exist, so
//! that its recipes stay true when the tree moves (issue 11).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("contracts sits in the workspace root").to_path_buf()
}

/// Every `code span` in the text that looks like a repository path: it has a `/`, no spaces, and
/// names a file with an extension or a folder ending in `/`.
fn paths_in(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| !span.contains(' ') && span.contains('/') && !span.starts_with('/'))
        .filter(|span| span.ends_with('/') || span.rsplit('/').next().is_some_and(|name| name.contains('.')))
        .filter(|span| !span.contains('<') && !span.contains("::"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn issue_11_every_path_in_the_architecture_page_exists() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("docs/architecture.md")).expect("docs/architecture.md");
    let paths = paths_in(&text);
    assert!(paths.len() > 40, "the page names its files; found only {paths:?}");
    let missing: Vec<&String> = paths.iter().filter(|p| !root.join(p.as_str()).exists()).collect();
    assert!(missing.is_empty(), "docs/architecture.md names paths that do not exist: {missing:?}");
}

#[test]
fn issue_11_every_file_a_room_lists_is_in_that_room() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("docs/architecture.md")).expect("docs/architecture.md");
    let mut checked = 0;
    for row in text.lines().filter(|line| line.starts_with("| `")) {
        let spans: Vec<&str> = row.split('`').skip(1).step_by(2).collect();
        let Some((folder, rest)) = spans.split_first() else { continue };
        if !folder.ends_with('/') {
            continue;
        }
        for name in rest.iter().filter(|s| !s.contains('/') && !s.contains(' ') && s.contains('.')) {
            let path = root.join(folder).join(name);
            assert!(
                path.exists(),
                "docs/architecture.md says {folder} holds {name}, but {} is missing",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "the rooms table lists its files; checked only {checked}");
}

#[test]
fn issue_11_every_folder_of_the_crates_is_on_the_architecture_page() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("docs/architecture.md")).expect("docs/architecture.md");
    let named = paths_in(&text);
    for krate in ["contracts", "node", "wallet", "api"] {
        let src = root.join(krate).join("src");
        for entry in std::fs::read_dir(&src).expect("a crate's src") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                let folder = format!("{krate}/src/{}/", path.file_name().and_then(|n| n.to_str()).expect("utf-8"));
                let covered = named.iter().any(|p| p.starts_with(&folder));
                assert!(covered, "{folder} is not described in docs/architecture.md");
            }
        }
    }
}

#[test]
fn the_path_finder_finds_paths_and_skips_the_rest() {
    let text = "`a/b.rs`, `a/b/`, `Action`, `heitje-node devnet`, `api::routes`, `<area>.rs`, `x/<name>.rs`";
    assert_eq!(paths_in(text), vec!["a/b.rs".to_owned(), "a/b/".to_owned()]);
}
