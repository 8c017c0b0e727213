//! How a command failed, and the exit code that tells scripts which way.
//!
//! 0 success; 1 refused by the ledger; 2 bad input, configuration, keystore, file or node
//! unreachable; 3 submitted but not final within the wait (outcome unknown), or a payment
//! request not paid within the wait.

use std::fmt;
use std::process::ExitCode;

use contracts::Hash;
use thiserror::Error;

/// A failed command: the error chain and its exit code.
pub struct Failure {
    error: anyhow::Error,
}

impl Failure {
    /// The process exit code: 1 refused by the ledger, 3 outcome unknown, 2 anything else.
    pub fn code(&self) -> u8 {
        let chain = || self.error.chain();
        if chain().any(|cause| cause.is::<Refused>()) {
            1
        } else if chain().any(|cause| cause.is::<Unconfirmed>() || cause.is::<NotPaid>()) {
            3
        } else {
            2
        }
    }

    /// [`Self::code`] as an [`ExitCode`].
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self { error }
    }
}

impl fmt::Display for Failure {
    /// `{:#}` shows the whole chain of causes, `{}` only the outermost.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() { write!(f, "{:#}", self.error) } else { write!(f, "{}", self.error) }
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Failure(exit {}: {:#})", self.code(), self.error)
    }
}

/// The ledger refused the transaction: at submission (422) or in its receipt. Exit code 1.
#[derive(Debug, Error)]
#[error("{0}")]
pub(crate) struct Refused(pub(crate) String);

/// A payment request was not paid within the wait (the customer may still pay). Exit code 3.
#[derive(Debug, Error)]
#[error("{0}")]
pub(crate) struct NotPaid(pub(crate) String);

/// Submitted, but not final within the wait: the outcome is unknown. Exit code 3.
#[derive(Debug, Error)]
#[error(
    "transaction {tx_id} was submitted but is not final after {seconds} s{detail}; its outcome \
     is unknown. Look it up later with `heitje tx show {tx_id} --wait`"
)]
pub(crate) struct Unconfirmed {
    pub(crate) tx_id: Hash,
    pub(crate) seconds: u64,
    /// Extra context, starting with "; " when present.
    pub(crate) detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn exit_codes_follow_the_cause_even_under_context() {
        let refused: Failure = anyhow::Error::new(Refused("no".into())).context("sending").into();
        assert_eq!(refused.code(), 1);
        let unknown: Failure =
            anyhow::Error::new(Unconfirmed { tx_id: Hash::ZERO, seconds: 30, detail: String::new() }).into();
        assert_eq!(unknown.code(), 3);
        let input: Failure = Err::<(), _>(std::io::Error::other("disk"))
            .context("reading x")
            .map_err(Failure::from)
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("unreachable").into());
        assert_eq!(input.code(), 2);
        assert_eq!(format!("{input:#}"), "reading x: disk");
    }
}
