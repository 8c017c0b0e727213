//! The consensus codec: every message Malachite reads from peers or value sync, through the same
//! canonical codec (`consensus::codec`), which must re-encode whatever it decodes to the input.

use consensus::codec::{MessageKind, decode_and_encode};

use crate::{Verdict, select};

fn canonical(kind: MessageKind, data: &[u8]) -> Verdict {
    match decode_and_encode(kind, data) {
        Ok(again) => {
            assert_eq!(again, data, "{kind:?}: a decoded message re-encodes to other bytes");
            Verdict::Accepted
        }
        Err(_) => Verdict::Refused,
    }
}

/// A proposal part as gossiped (in its stream framing, selector byte even) or on its own (odd).
pub fn proposal_part(data: &[u8]) -> Verdict {
    let Some((choice, rest)) = select(data, 2) else { return Verdict::Refused };
    let kind = if choice == 0 { MessageKind::StreamMessage } else { MessageKind::ProposalPart };
    canonical(kind, rest)
}

/// Any message of the consensus codec; the first byte chooses the kind.
pub fn consensus(data: &[u8]) -> Verdict {
    let count = MessageKind::ALL.len() as u8;
    let Some((choice, rest)) = select(data, count) else { return Verdict::Refused };
    let kind = MessageKind::ALL[usize::from(choice)];
    canonical(kind, rest)
}
