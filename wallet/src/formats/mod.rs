//! Formats the wallet reads and writes, all pure: payment requests and their QR codes, the
//! statement PDF, SEPA payout files, IBANs and BICs, and dates and times.

pub mod csv_file;
pub mod iban;
pub mod payreq;
pub mod pdf;
pub mod qr;
pub mod sepa;
pub mod time;
