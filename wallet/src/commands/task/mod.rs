//! `heitje task`: neighbourhood tasks. Officers post, open and cancel them; residents claim them
//! and submit work with evidence; verifiers approve, reject and object; officers resolve.
//!
//! [`command`] holds the clap types and the dispatch; each other file one group of subcommands.

pub mod command;
mod list;
mod post;
mod review;
mod work;

pub use command::TaskCommand;
pub(crate) use command::run;
pub(crate) use work::format_location;
