//! Node integration tests: real RocksDB in temp dirs, the HTTP API on loopback, and the
//! end-to-end story driven through the real `heitje-node` and `heitje` binaries.

mod admission;
mod api_input;
mod auth;
mod e2e;
mod evidence;
mod faults;
mod liar;
mod network;
mod reads;
mod restarts;
mod review;
mod shops;
mod storage;
mod support;
