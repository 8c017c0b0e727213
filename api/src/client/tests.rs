//! The client against scripted fake nodes on loopback: failover, the one-shot submission's
//! classes, encoded paths and signed paths, and the error messages.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::Duration;

use contracts::AccountId;

use super::{Client, Error, Submission};

/// A node that answers each connection in turn with the next `(status, body)`, closing it
/// after the answer, and returns the request lines it saw.
fn fake_node(answers: Vec<(u16, &'static str)>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    let serve = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, body) in answers {
            let (stream, _) = listener.accept().expect("a client connects");
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            reader.read_line(&mut line).expect("a request line");
            seen.push(line.trim_end().to_owned());
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).expect("a header");
                if header.trim().is_empty() {
                    break;
                }
                if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().expect("a length");
                }
            }
            let mut request_body = vec![0; length];
            reader.read_exact(&mut request_body).expect("the body");
            let answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            reader.get_mut().write_all(answer.as_bytes()).expect("the answer is sent");
        }
        seen
    });
    (base, serve)
}

/// A base URL where nothing listens.
fn dead_node() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    format!("http://{}", listener.local_addr().expect("bound"))
}

#[test]
fn a_catching_up_or_dead_node_is_skipped_for_the_next() {
    let (syncing, first) = fake_node(vec![(503, r#"{"error":"syncing","message":"catching up"}"#)]);
    let (ready, second) = fake_node(vec![(200, "[]")]);
    let client: Client = Client::new(&[dead_node(), syncing, ready.clone()]);
    assert_eq!(client.tasks().expect("the third node answers"), Vec::new());
    assert_eq!(client.base(), ready);
    // A list is paged (issue 12): the client asks for full pages.
    assert_eq!(first.join().expect("served"), ["GET /v1/tasks?limit=500 HTTP/1.1"]);
    assert_eq!(second.join().expect("served"), ["GET /v1/tasks?limit=500 HTTP/1.1"]);
}

#[test]
fn a_refusal_is_not_sent_elsewhere_and_keeps_the_nodes_words() {
    let (base, serve) = fake_node(vec![(404, r#"{"error":"unknown_task","message":"no task 7"}"#)]);
    let (other, _unused) = fake_node(vec![]);
    let client: Client = Client::new(&[base, other]);
    let err = client.task(contracts::primitives::TaskId(7)).expect_err("refused");
    assert_eq!((err.status(), err.code()), (Some(404), Some("unknown_task")));
    assert_eq!(err.to_string(), "no task 7 (unknown_task)");
    assert_eq!(serve.join().expect("served"), ["GET /v1/tasks/7 HTTP/1.1"]);
}

#[test]
fn an_answer_that_is_not_heitje_names_the_url() {
    let (base, serve) = fake_node(vec![(500, "<html>oops</html>")]);
    let client: Client = Client::new(std::slice::from_ref(&base));
    let err = client.supply().expect_err("not an answer");
    assert!(matches!(err, Error::BadAnswer { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "unexpected answer from {base}/v1/supply: status 500, body \"<html>oops</html>\"; is --node pointing at a Heitje node?"
        )
    );
    serve.join().expect("served");
}

#[test]
fn one_shot_submissions_are_classified() {
    let (base, serve) = fake_node(vec![
        (202, r#"{"tx_id":"00","status":"pending"}"#),
        (429, r#"{"error":"account_queue_full","message":"later"}"#),
        (409, r#"{"error":"duplicate","message":"seen"}"#),
        (500, "oops"),
    ]);
    let client: Client = Client::new(&[base]);
    assert_eq!(client.submit_once(b"{}"), Submission::Accepted);
    assert_eq!(client.submit_once(b"{}"), Submission::Busy { code: "account_queue_full".into() });
    assert!(client.submit_once(b"{}").already_there());
    assert_eq!(
        client.submit_once(b"{}"),
        Submission::Refused { status: 500, code: "not_json".into(), message: "oops".into() }
    );
    assert_eq!(serve.join().expect("served"), ["POST /v1/tx HTTP/1.1"; 4]);
    let dead: Client = Client::new(&[dead_node()]);
    assert!(
        matches!(dead.submit_once(b"{}"), Submission::Unreachable(detail) if detail.starts_with("connection failed"))
    );
}

#[test]
fn an_unpaid_payment_is_none_and_its_reference_is_one_encoded_segment() {
    let (base, serve) = fake_node(vec![(404, r#"{"error":"not_paid","message":"not yet"}"#)]);
    let client: Client = Client::new(&[base]);
    let merchant = AccountId([3; 32]);
    assert_eq!(client.payment_if_paid(&merchant, "a b/c", Duration::from_millis(1500)).expect("answered"), None);
    assert_eq!(serve.join().expect("served"), [format!("GET /v1/payments/{merchant}/a%20b%2Fc?wait_ms=1500 HTTP/1.1")]);
}

/// A `/v1/status` answer of node `validator` on chain `heerlen-test`.
fn status_of(validator: AccountId) -> &'static str {
    let status = crate::Status {
        chain_id: "heerlen-test".to_owned(),
        genesis_hash: contracts::Hash([1; 32]),
        height: contracts::Height(3),
        block_hash: contracts::Hash([2; 32]),
        state_root: contracts::Hash([3; 32]),
        time: contracts::Timestamp(1),
        mempool: 0,
        validator,
        caught_up: true,
        network_height: contracts::Height(3),
        proposal_faults: crate::ProposalFaultsView::default(),
    };
    Box::leak(serde_json::to_string(&status).expect("json").into_boxed_str())
}

#[test]
fn issue_12_a_signed_read_is_signed_for_the_node_that_answers_over_the_path_it_sends() {
    let node = AccountId([7; 32]);
    let (base, serve) = fake_node(vec![(200, status_of(node)), (200, "[]")]);
    let client: Client = Client::new(&[base]);
    let subject = AccountId([5; 32]);
    let mut signed = String::new();
    let entries = client
        .audit(Some(&subject), |request| {
            signed = format!("{} {}", request.method, request.path_and_query);
            assert_eq!(request.node, node, "bound to the node that answered /v1/status");
            assert_eq!(request.chain.as_str(), "heerlen-test");
            "Heitje x".to_owned()
        })
        .expect("answered");
    assert!(entries.is_empty());
    assert_eq!(signed, format!("GET /v1/audit?subject={subject}"));
    assert_eq!(serve.join().expect("served"), ["GET /v1/status HTTP/1.1".to_owned(), format!("{signed} HTTP/1.1")]);
}

#[test]
fn issue_12_signed_requests_go_over_plain_http_only_to_this_machine_unless_allowed() {
    for private in [
        "http://127.0.0.1:7700",
        "http://127.8.9.1",
        "http://localhost:7700",
        "http://node.localhost:1/x",
        "http://[::1]:7700",
        "https://node.example",
    ] {
        assert!(super::is_private_transport(private), "{private}");
    }
    for public in
        ["http://192.0.2.1:7700", "http://node.example", "http://127.0.0.1.example:1", "http://[2001:db8::1]:1", ""]
    {
        assert!(!super::is_private_transport(public), "{public}");
    }
    // Refused before anything is sent (nothing listens there; a request would time out).
    let client: Client = Client::new(&["http://192.0.2.1:7700".to_owned()]);
    let mut asked = false;
    let refused = client.audit(None, |_| {
        asked = true;
        String::new()
    });
    assert!(matches!(refused, Err(Error::PlainHttp { ref node }) if node == "http://192.0.2.1:7700"), "{refused:?}");
    assert!(!asked, "nothing was signed");
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("--allow-plain-http"), "{message}");
}
