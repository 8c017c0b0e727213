//! Evidence crate tests: photo stripping on synthetic files, bundle rules, sealing, and
//! properties over random bytes.

mod bundle;
mod fixtures;
mod photos;
mod properties;
mod sealing;
