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

/// The validator key a [`PeerId`] names: peer ids of ed25519 keys inline the key (identity
/// multihash), so the sender of a gossip message maps back to a validator without a table.
/// `None` for any other kind of peer id.
pub fn public_key_of(peer: &PeerId) -> Option<[u8; 32]> {
    let multihash = peer.as_ref();
    if multihash.code() != 0 {
        return None;
    }
    let key = identity::PublicKey::try_decode_protobuf(multihash.digest()).ok()?;
    Some(key.try_into_ed25519().ok()?.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validator_key_survives_the_round_trip_through_its_peer_id() {
        let key = validator_key();
        let peer = peer_id_of(&key).expect("an ed25519 key");
        assert_eq!(public_key_of(&peer), Some(key));
        assert_eq!(public_key_of(&PeerId::random()), None, "a random peer id inlines no key");
    }

    fn validator_key() -> [u8; 32] {
        identity::Keypair::ed25519_from_bytes([3; 32])
            .expect("secret")
            .public()
            .try_into_ed25519()
            .expect("ed25519")
            .to_bytes()
    }
}
