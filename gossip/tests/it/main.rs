//! Integration tests: gossip nodes talking over real loopback TCP sockets.
//!
//! Every node listens on `127.0.0.1:0` and tests read the bound address back, so tests can run in
//! parallel. Every wait is bounded by [`TIMEOUT`] and fails the test when it runs out.

use std::{collections::BTreeSet, time::Duration};

use gossip::{Config, Handle, Inbound, Multiaddr, PeerId, PublishError};
use libp2p::identity::Keypair;
use tokio::{sync::mpsc, task::JoinHandle, time::timeout};

const TIMEOUT: Duration = Duration::from_secs(20);
const TOPIC: &str = "heitje/test-chain/txs/v1";
const MAX: usize = 1024;

/// A validator key: the secret and the peer id it gives.
#[derive(Clone, Copy)]
struct Key {
    secret: [u8; 32],
    id: PeerId,
}

fn key(seed: u8) -> Key {
    let secret = [seed; 32];
    let keypair = Keypair::ed25519_from_bytes(secret).expect("any 32 bytes are an ed25519 secret");
    let public = keypair.public().try_into_ed25519().expect("an ed25519 keypair").to_bytes();
    let id = gossip::peer_id_of(&public).expect("a valid public key");
    assert_eq!(id, keypair.public().to_peer_id());
    Key { secret, id }
}

fn loopback() -> Multiaddr {
    "/ip4/127.0.0.1/tcp/0".parse().expect("valid multiaddr")
}

struct Node {
    handle: Handle,
    inbound: mpsc::Receiver<Inbound>,
    address: Multiaddr,
}

fn config(key: Key, listen: Multiaddr, peers: &[(Key, &Multiaddr)], allowed: &[Key]) -> Config {
    Config {
        secret: key.secret,
        listen,
        peers: peers.iter().map(|(peer, address)| (peer.id, (*address).clone())).collect(),
        allowed: allowed.iter().map(|peer| peer.id).collect(),
        topic: TOPIC.to_owned(),
        max_message_bytes: MAX,
    }
}

async fn start(config: Config) -> Node {
    let (handle, inbound) = gossip::spawn(config).await.expect("gossip starts");
    let address = handle.listen_addrs().await.into_iter().next().expect("a listen address");
    Node { handle, inbound, address }
}

/// Waits until the gossip subscribers of `node` satisfy `ready`.
async fn wait_subscribed(node: &Node, ready: impl FnMut(&BTreeSet<PeerId>) -> bool) {
    let mut subscribed = node.handle.subscribed();
    let waited = timeout(TIMEOUT, async { subscribed.wait_for(ready).await.map(|_| ()) }).await;
    waited.expect("peers (un)subscribed in time").expect("gossip task running");
}

async fn wait_for_peers(node: &Node, peers: &[Key]) {
    wait_subscribed(node, |subscribed| peers.iter().all(|peer| subscribed.contains(&peer.id))).await;
}

async fn receive(node: &mut Node) -> Inbound {
    timeout(TIMEOUT, node.inbound.recv()).await.expect("a message in time").expect("gossip task running")
}

/// Collects every peer ever seen among `node`'s gossip subscribers, until its task stops.
fn record_subscribers(node: &Node) -> JoinHandle<BTreeSet<PeerId>> {
    let mut subscribed = node.handle.subscribed();
    tokio::spawn(async move {
        let mut seen = subscribed.borrow_and_update().clone();
        while subscribed.changed().await.is_ok() {
            seen.extend(subscribed.borrow_and_update().iter().copied());
        }
        seen
    })
}

fn from(author: Key, data: &[u8]) -> Inbound {
    Inbound { from: author.id, data: data.to_vec() }
}

fn assert_nothing_more(node: &mut Node) {
    assert_eq!(node.inbound.try_recv().ok(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_validators_each_receive_a_message_exactly_once() {
    let (a, b, c) = (key(1), key(2), key(3));
    let all = [a, b, c];
    // One dialler per pair, so each pair shares one connection and its messages stay in order.
    let mut node_c = start(config(c, loopback(), &[], &all)).await;
    let mut node_b = start(config(b, loopback(), &[(c, &node_c.address)], &all)).await;
    let mut node_a = start(config(a, loopback(), &[(b, &node_b.address), (c, &node_c.address)], &all)).await;
    wait_for_peers(&node_a, &[b, c]).await;
    wait_for_peers(&node_b, &[a, c]).await;
    wait_for_peers(&node_c, &[a, b]).await;
    assert_eq!(node_a.handle.peers().await, BTreeSet::from([b.id, c.id]).into_iter().collect::<Vec<_>>());

    node_a.handle.publish(b"tx batch 1".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_b).await, from(a, b"tx batch 1"));
    assert_eq!(receive(&mut node_c).await, from(a, b"tx batch 1"));

    // The same bytes again, from the author or from anyone else, are not delivered again: the
    // next message each node sees is the one published after them.
    node_a.handle.publish(b"tx batch 1".to_vec()).expect("queued");
    node_b.handle.publish(b"tx batch 1".to_vec()).expect("queued");
    node_a.handle.publish(b"tx batch 2".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_b).await, from(a, b"tx batch 2"));
    assert_eq!(receive(&mut node_c).await, from(a, b"tx batch 2"));

    // A node's own messages never come back to it.
    node_b.handle.publish(b"tx batch 3".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_a).await, from(b, b"tx batch 3"));
    assert_eq!(receive(&mut node_c).await, from(b, b"tx batch 3"));
    for node in [&mut node_a, &mut node_b, &mut node_c] {
        assert_nothing_more(node);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_off_the_allow_list_gets_no_connection_and_no_message_through() {
    let (a, b, c, d) = (key(11), key(12), key(13), key(14));
    // B relays for everyone, D included; A allows only validators A, B and C; D is not on it.
    let mut node_b = start(config(b, loopback(), &[], &[a, b, c, d])).await;
    let mut node_a = start(config(a, loopback(), &[(b, &node_b.address)], &[a, b, c])).await;
    let a_seen = record_subscribers(&node_a);
    // C reaches A only through B, so its messages queue behind D's in B's forwarding to A.
    let node_c = start(config(c, loopback(), &[(b, &node_b.address)], &[a, b, c])).await;
    let node_d = start(config(d, loopback(), &[(a, &node_a.address), (b, &node_b.address)], &[a, b, d])).await;
    let d_seen = record_subscribers(&node_d);
    wait_for_peers(&node_b, &[a, c, d]).await;
    wait_for_peers(&node_d, &[b]).await;
    wait_for_peers(&node_c, &[b]).await;

    // D dials A and is refused, then dials again: its connection did not stay up.
    let mut refused = node_a.handle.refused();
    timeout(TIMEOUT, refused.wait_for(|count| *count >= 2)).await.expect("D redials in time").expect("A running");

    // D's message is in the network: B, which allows D, receives it and forwards it to A.
    node_d.handle.publish(b"from outsider".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_b).await, from(d, b"from outsider"));
    node_c.handle.publish(b"from validator".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_a).await, from(c, b"from validator"));
    assert_nothing_more(&mut node_a);

    // Neither side ever counted the other as a gossip peer.
    assert!(!node_a.handle.peers().await.contains(&d.id));
    node_a.handle.shutdown().await;
    node_d.handle.shutdown().await;
    let a_seen = timeout(TIMEOUT, a_seen).await.expect("recorder ends").expect("recorder ran");
    let d_seen = timeout(TIMEOUT, d_seen).await.expect("recorder ends").expect("recorder ran");
    assert_eq!(a_seen, BTreeSet::from([b.id]));
    assert_eq!(d_seen, BTreeSet::from([b.id]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_are_refused_by_publish_and_dropped_on_receipt() {
    let (a, x) = (key(21), key(22));
    let both = [a, x];
    let node_a = start(config(a, loopback(), &[], &both)).await;
    assert_eq!(node_a.handle.publish(vec![0; MAX + 1]), Err(PublishError::TooLarge { size: MAX + 1, max: MAX }));
    assert_eq!(node_a.handle.publish(vec![0; MAX]), Ok(()));

    // X is misconfigured with a larger limit; A drops what is over its own.
    let mut node_a = node_a;
    let node_x =
        start(Config { max_message_bytes: 4 * MAX, ..config(x, loopback(), &[(a, &node_a.address)], &both) }).await;
    wait_for_peers(&node_a, &[x]).await;
    wait_for_peers(&node_x, &[a]).await;
    node_x.handle.publish(vec![7; 2 * MAX]).expect("within X's limit");
    node_x.handle.publish(b"small".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_a).await, from(x, b"small"));
    assert_nothing_more(&mut node_a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_peer_on_the_same_port_is_redialled_and_gets_new_messages() {
    let (a, b) = (key(31), key(32));
    let both = [a, b];
    let mut node_b = start(config(b, loopback(), &[], &both)).await;
    let b_address = node_b.address.clone();
    let mut node_a = start(config(a, loopback(), &[(b, &b_address)], &both)).await;
    wait_for_peers(&node_a, &[b]).await;
    node_a.handle.publish(b"before".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_b).await, from(a, b"before"));

    // Dropping every handle stops B; its listener is closed before A sees the connection go.
    drop(node_b);
    wait_subscribed(&node_a, |subscribed| !subscribed.contains(&b.id)).await;

    // B comes back on the same port and dials no one: A must redial it.
    let mut node_b = start(config(b, b_address.clone(), &[], &both)).await;
    assert_eq!(node_b.address, b_address);
    wait_for_peers(&node_a, &[b]).await;
    wait_for_peers(&node_b, &[a]).await;
    node_a.handle.publish(b"after".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_b).await, from(a, b"after"));
    node_b.handle.publish(b"back".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_a).await, from(b, b"back"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_frees_the_port_and_closes_the_handle() {
    let a = key(41);
    let node = start(config(a, loopback(), &[], &[a])).await;
    let address = node.address.clone();
    let clone = node.handle.clone();
    node.handle.shutdown().await;
    assert_eq!(clone.publish(b"late".to_vec()), Err(PublishError::Closed));
    assert!(clone.peers().await.is_empty());
    assert!(clone.listen_addrs().await.is_empty());
    let again = start(config(a, address.clone(), &[], &[a])).await;
    assert_eq!(again.address, address);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validator_set_change_disconnects_removed_peers_and_dials_new_ones() {
    let (a, b, c, e) = (key(51), key(52), key(53), key(54));
    let all = [a, b, c, e];
    let mut node_b = start(config(b, loopback(), &[], &all)).await;
    // C keeps A as a persistent peer, so it keeps trying to come back while it is off A's list.
    let mut node_c = start(config(c, loopback(), &[(b, &node_b.address)], &all)).await;
    let node_a = start(config(a, loopback(), &[(b, &node_b.address), (c, &node_c.address)], &all)).await;
    // E reaches A only through B, so its messages queue behind C's in B's forwarding to A.
    let node_e = start(config(e, loopback(), &[(b, &node_b.address)], &all)).await;
    wait_for_peers(&node_a, &[b, c]).await;
    wait_for_peers(&node_b, &[a, c, e]).await;
    wait_for_peers(&node_c, &[a, b]).await;

    // C leaves the validator set (on A): A closes its connection and stops dialling it.
    node_a.handle.set_allowed(vec![a.id, b.id, e.id], vec![(b.id, node_b.address.clone())]).await;
    wait_subscribed(&node_a, |subscribed| *subscribed == BTreeSet::from([b.id])).await;
    wait_subscribed(&node_c, |subscribed| !subscribed.contains(&a.id)).await;
    assert_eq!(node_a.handle.peers().await, vec![b.id]);

    // C's messages still reach B, which relays them, but A drops them.
    let mut node_a = node_a;
    node_c.handle.publish(b"from removed".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_b).await, from(c, b"from removed"));
    node_e.handle.publish(b"from validator".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_a).await, from(e, b"from validator"));
    assert_nothing_more(&mut node_a);
    assert_eq!(receive(&mut node_c).await, from(e, b"from validator"));

    // C joins again: A dials it at the given address (and keeps B, no longer a dial target).
    node_a.handle.set_allowed(all.iter().map(|key| key.id).collect(), vec![(c.id, node_c.address.clone())]).await;
    wait_for_peers(&node_a, &[b, c]).await;
    node_a.handle.publish(b"welcome back".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_c).await, from(a, b"welcome back"));
    node_c.handle.publish(b"glad to be back".to_vec()).expect("queued");
    assert_eq!(receive(&mut node_a).await, from(c, b"glad to be back"));
    assert_nothing_more(&mut node_a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_id_of_rejects_bytes_that_are_not_a_public_key() {
    let valid = key(61);
    let public = Keypair::ed25519_from_bytes(valid.secret)
        .expect("an ed25519 secret")
        .public()
        .try_into_ed25519()
        .expect("an ed25519 key")
        .to_bytes();
    assert_eq!(gossip::peer_id_of(&public).expect("valid"), valid.id);
    assert!(matches!(gossip::peer_id_of(&NOT_A_POINT), Err(gossip::Error::InvalidPublicKey(_))));
}

/// 32 bytes that do not decode to a point of the ed25519 curve.
const NOT_A_POINT: [u8; 32] = [2; 32];
