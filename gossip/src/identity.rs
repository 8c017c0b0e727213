//! Validator keys to libp2p identities: the node key signs gossip, and its public key names the peer.

use libp2p::{PeerId, identity};

use crate::Error;

/// The libp2p [`PeerId`] of a validator's ed25519 public key, so the genesis validator keys give
/// the allow-list.
pub fn peer_id_of(public_key: &[u8; 32]) -> Result<PeerId, Error> {
    let key = identity::ed25519::PublicKey::try_from_bytes(public_key)
        .map_err(|error| Error::InvalidPublicKey(error.to_string()))?;
    Ok(identity::PublicKey::from(key).to_peer_id())
}

/// The libp2p keypair of an ed25519 secret key. The copy passed in is zeroised by libp2p.
pub(crate) fn keypair_of(secret: [u8; 32]) -> Result<identity::Keypair, Error> {
    identity::Keypair::ed25519_from_bytes(secret).map_err(|error| Error::InvalidSecretKey(error.to_string()))
}
