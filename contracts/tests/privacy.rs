//! R-PRIV-1: no personal data on chain. Walks the shape of every on-chain type (transactions
//! with every action, blocks, commit certificates, receipts with every event, every state key
//! and value) and fails if any field could hold free text or opaque bytes. Allowed leaves are
//! pseudonymous account ids, amounts, codes with a narrow charset, hashes, times, heights,
//! nonces, ledger ids, counts, flags, signatures and enumerations; and the rejection message,
//! which the ledger renders itself from the rejection's code and typed fields.

use contracts::block::{BlockHeader, CommitCert};
use contracts::receipt::Receipt;
use contracts::schema::{Described, Shape, personal_data_paths};
use contracts::state::{Key, Value};
use contracts::{Block, SignedTx};

fn shapes() -> Vec<(&'static str, Shape)> {
    vec![
        ("SignedTx", SignedTx::shape()),
        ("Block", Block::shape()),
        ("BlockHeader", BlockHeader::shape()),
        ("CommitCert", CommitCert::shape()),
        ("Receipt", Receipt::shape()),
        ("state Key", Key::shape()),
        ("state Value", Value::shape()),
    ]
}

#[test]
fn r_priv_1_no_on_chain_field_can_hold_free_text_or_bytes() {
    let mut found = Vec::new();
    for (name, shape) in shapes() {
        found.extend(personal_data_paths(name, &shape));
    }
    assert!(found.is_empty(), "fields that could hold personal data on chain:\n{}", found.join("\n"));
}

/// Counts the leaves of each kind, to show the walk reaches into every type.
fn leaves(shape: &Shape, out: &mut Vec<String>) {
    match shape {
        Shape::Option(inner) | Shape::List(inner) => leaves(inner, out),
        Shape::Struct { fields, .. } => fields.iter().for_each(|(_, f)| leaves(f, out)),
        Shape::Variants { variants, .. } => {
            variants.iter().flat_map(|(_, fields)| fields).for_each(|(_, f)| leaves(f, out));
        }
        other => out.push(format!("{other:?}")),
    }
}

#[test]
fn r_priv_1_the_walk_reaches_the_task_workflow_and_every_action() {
    let tx = format!("{:?}", SignedTx::shape());
    for action in ["PostTask", "SubmitWork", "ApproveWork", "RejectWork", "ObjectToWork", "ResolveObjection", "Pay"] {
        assert!(tx.contains(action), "the transaction shape lists {action}");
    }
    for field in ["work_order", "retain_until", "evidence", "description"] {
        assert!(tx.contains(field), "the transaction shape reaches {field}");
    }
    let value = format!("{:?}", Value::shape());
    for field in ["reviewers", "votes", "objection", "window_closes", "reserved"] {
        assert!(value.contains(field), "the state shape reaches {field}");
    }
    let mut all = Vec::new();
    for (_, shape) in shapes() {
        leaves(&shape, &mut all);
    }
    assert!(all.len() > 200, "the walk visits every leaf: {}", all.len());
    // Evidence and task descriptions are commitments, never content.
    let post = format!("{:?}", contracts::tx::PostTask::shape());
    assert!(post.contains("(\"description\", Hash)"), "{post}");
    let submit = format!("{:?}", contracts::tx::SubmitWork::shape());
    assert!(submit.contains("(\"evidence\", Hash)"), "{submit}");
}
